/**
 * Where the upload job reads the time its deadlines are measured against. The app uses the
 * wall clock; the medium tests move a clock of their own past a deadline without touching
 * the timers of BullMQ or the HTTP client.
 */
export abstract class UploadClock {
  abstract now(): number;
}

export class WallClock extends UploadClock {
  now(): number {
    return Date.now();
  }
}
