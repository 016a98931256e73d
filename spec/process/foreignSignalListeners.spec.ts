/**
 * Regression (found in review): the re-raise path removes *every* SIGTERM listener and kills the process by the signal, so
 * code that cooperates with other signal handlers — `signal-exit`'s protocol: stand back while
 * another listener exists, clean up on 'exit' — never gets to clean up. With execa that means its
 * child processes are orphaned; with tmp / proper-lockfile, temp files and lock files are left
 * behind. Without rxrun the same cleanup runs on SIGTERM.
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

afterEach(killAllChildren);

test(
  "SIGTERM with a signal-exit style listener installed: its cleanup runs, and the status still says SIGTERM",
  async () => {
    const child = startFixture('foreignSignalListeners.js');
    await child.waitForLine(/^ready pid=\d+$/);
    child.signal('SIGTERM');
    const exit = await child.exited;
    expect(child.outcome()).toMatchObject({ status: 'ok' });
    // Either the real signal death or the equivalent status 143 is truthful.
    expect([JSON.stringify({ code: null, signal: 'SIGTERM' }), JSON.stringify({ code: 143, signal: null })]).toContain(JSON.stringify(exit));
    expect(child.stdoutLines().some((line) => line.startsWith('cleanup ran'))).toBe(true);
  },
  CHILD_TEST_TIMEOUT,
);
