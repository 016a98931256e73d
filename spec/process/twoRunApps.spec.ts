/**
 * Regression (found in review): `runApp` twice in one process. On SIGTERM both apps shut down; the first to reach
 * `stopped` re-raises (or exits) at once, and the process dies in the middle of the other app's
 * shutdown: its finalizer never completes, its outcome is never reported, nothing names what was
 * cut off. Either rxrun refuses the second `runApp` with a clear error, or the process edge waits
 * until every `runApp` app has stopped.
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

afterEach(killAllChildren);

test(
  "two runApp apps and a SIGTERM: the second app's finalizer is not cut off by the first app's exit (or the second runApp is refused)",
  async () => {
    const child = startFixture('twoRunApps.js');
    const refusedOrReady = await Promise.race([
      // The loser rejects when the child exits; swallow that.
      child.waitForLine(/^second runApp refused: .+$/).then(() => 'refused' as const, () => 'exited' as const),
      child.waitForLine(/^ready pid=\d+$/).then(() => 'ready' as const, () => 'exited' as const),
    ]);
    if (refusedOrReady === 'refused') return;
    expect(refusedOrReady).toBe('ready');
    child.signal('SIGTERM');
    await child.exited;
    expect(child.stdoutLines()).toContain('A outcome ok');
    expect(child.stdoutLines()).toContain('B finalizer done');
    expect(child.stdoutLines()).toContain('B outcome ok');
  },
  CHILD_TEST_TIMEOUT,
);
