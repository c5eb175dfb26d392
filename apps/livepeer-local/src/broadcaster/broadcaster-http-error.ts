/** A failure of a broadcaster request, with the status it is answered with (as text, see http-text.ts). */
export class BroadcasterHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BroadcasterHttpError';
  }
}
