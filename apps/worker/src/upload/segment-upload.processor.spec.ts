import { UnrecoverableError } from 'bullmq';
import { bullmqGaveUp } from './segment-upload.processor';

describe('bullmqGaveUp', () => {
  const job = (attemptsMade: number, deferredFailure?: string) => ({ attemptsMade, opts: { attempts: 3 }, deferredFailure });

  it('is true once the attempts are used up, and not before', () => {
    expect(bullmqGaveUp(job(1), new Error('redis down'))).toBe(false);
    expect(bullmqGaveUp(job(3), new Error('redis down'))).toBe(true);
  });

  it('is true for a job failed for stalling too often, whatever the error says', () => {
    expect(bullmqGaveUp(job(0, 'job stalled more than allowable limit'), new UnrecoverableError('anything'))).toBe(true);
    expect(bullmqGaveUp(job(0, 'x'), new Error('no matching on this text'))).toBe(true);
  });
});
