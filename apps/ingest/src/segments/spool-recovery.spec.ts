import { spawn } from 'node:child_process';
import os from 'node:os';
import { heldByAnotherLiveProcess } from './spool-recovery.service';

describe('heldByAnotherLiveProcess', () => {
  const host = os.hostname();

  it('is true only for a live process of this machine holding the session', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      expect(heldByAnotherLiveProcess(`${host}/${other.pid}/s1`, 's1')).toBe(true);
      expect(heldByAnotherLiveProcess(`${host}/${other.pid}/s2`, 's1')).toBe(false);
      expect(heldByAnotherLiveProcess(`elsewhere/${other.pid}/s1`, 's1')).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
    await new Promise((r) => other.once('exit', r));
    // the holder died: its lock outlives it, the session is an orphan
    expect(heldByAnotherLiveProcess(`${host}/${other.pid}/s1`, 's1')).toBe(false);
    // a restarted container's process can have the dead one's pid: that is us, not a live other
    expect(heldByAnotherLiveProcess(`${host}/${process.pid}/s1`, 's1')).toBe(false);
    expect(heldByAnotherLiveProcess(null, 's1')).toBe(false);
  });
});
