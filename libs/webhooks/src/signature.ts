import { createHmac } from 'node:crypto';

/**
 * The signature header of every delivery: `Livepeer-Signature: t=<unix seconds>,v1=<hex>`,
 * where hex = HMAC-SHA256(secret, `${t}.${body}`): the scheme of Livepeer Studio and Stripe, so
 * their receivers' verification code works unchanged. `t` is the attempt's time (a replayed
 * old request is told apart by it); the body is byte-for-byte what is sent.
 */
export const SIGNATURE_HEADER = 'Livepeer-Signature';
/** The event id again, for receivers that drop repeats before parsing the body. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const EVENT_TYPE_HEADER = 'Livepeer-Event';

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
