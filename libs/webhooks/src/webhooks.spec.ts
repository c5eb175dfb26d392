import { createHmac } from 'node:crypto';
import { AddressPolicy, RefusedHostError, isPrivateAddress } from './address-policy';
import { InvalidEndpointError, checkEndpointUrl } from './endpoint-url';
import { signatureHeader } from './signature';

describe('webhook endpoint URLs', () => {
  it('takes http(s) URLs and refuses other schemes, credentials and oversized ones', () => {
    expect(checkEndpointUrl('https://hooks.example.com/relay')).toBe('https://hooks.example.com/relay');
    for (const bad of [
      'ftp://x.example/',
      'not a url',
      'https://u:p@x.example/',
      `https://x.example/${'a'.repeat(2050)}`,
      'file:///etc/passwd',
    ])
      expect(() => checkEndpointUrl(bad)).toThrow(InvalidEndpointError);
  });
});

describe('AddressPolicy', () => {
  it('knows loopback, private, link-local and mapped addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('with a list, lets only listed hosts through (by host or host:port) and allows them private addresses', () => {
    const policy = new AddressPolicy(['hooks.internal', '127.0.0.1:9000']);
    expect(policy.checkHost(new URL('http://hooks.internal:8080/x'))).toEqual({ privateAllowed: true });
    expect(policy.checkHost(new URL('http://127.0.0.1:9000/x'))).toEqual({ privateAllowed: true });
    expect(() => policy.checkHost(new URL('http://127.0.0.1:9001/x'))).toThrow(RefusedHostError);
    expect(new AddressPolicy([]).checkHost(new URL('https://example.com/'))).toEqual({ privateAllowed: false });
  });

  it('refuses a name whose resolved address is loopback (the real resolver on "localhost")', async () => {
    const lookup = new AddressPolicy([]).lookup(false);
    const err = await new Promise<Error | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(err).toBeInstanceOf(RefusedHostError);
    expect(err!.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    const allowed = await new Promise<string | unknown>((resolve) =>
      new AddressPolicy([]).lookup(true)('localhost', {}, (_e, a) => resolve(a)),
    );
    expect(allowed).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('signatureHeader', () => {
  it('is t=<unix>,v1=HMAC-SHA256(secret, "t.body") in hex', () => {
    const expected = createHmac('sha256', 'whsec_x').update('1700000000.{"a":1}').digest('hex');
    expect(signatureHeader('whsec_x', '{"a":1}', 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });
});
