import fc from 'fast-check';
import { generatePlaybackId, generateStreamKey, hashStreamKey, looksLikeStreamKey } from './stream-key';

describe('stream keys', () => {
  it('are random, URL-safe and recognised as keys', () => {
    const keys = new Set(Array.from({ length: 200 }, generateStreamKey));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(key)).toBe(key);
      expect(looksLikeStreamKey(key)).toBe(true);
    }
  });

  it('hash to a stable 64-character SHA-256 that differs per key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        expect(hashStreamKey(a)).toMatch(/^[0-9a-f]{64}$/);
        expect(hashStreamKey(a)).toBe(hashStreamKey(a));
        if (a !== b) expect(hashStreamKey(a)).not.toBe(hashStreamKey(b));
      }),
    );
  });

  it('match the known SHA-256 test vector', () => {
    expect(hashStreamKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuse obvious non-keys before any lookup', () => {
    for (const bad of ['', 'short', 'has space in it', 'a/b/c/d/e/f', 'x'.repeat(129), 'key?with=query']) {
      expect(looksLikeStreamKey(bad)).toBe(false);
    }
  });
});

describe('playback ids', () => {
  it('are 16 hex characters and unique', () => {
    const ids = new Set(Array.from({ length: 200 }, generatePlaybackId));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
