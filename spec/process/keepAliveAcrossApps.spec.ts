/**
 * Regression (found in review): `realProcessPort().activeResources()` subtracts only *its own* keep-alive timers, and
 * every app gets its own port (resolveSettings calls `realProcessPort()` per app). With two apps in
 * one process, the app that stops first sees the other app's keep-alive `Timeout` — rxrun's own
 * handle, not one the user opened — and reports it in `openHandles` (and `runApp` would log
 * "handles left open by the app: Timeout"). Symmetrically, the later app's baseline holds the first
 * app's keep-alive, which hides one real leaked timer of its own.
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

afterEach(killAllChildren);

test(
  "two runApp$ apps: the one that stops first does not report the other app's keep-alive as an open handle",
  async () => {
    const child = startFixture('keepAliveAcrossApps.js');
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.stdoutLines()).toContain('B openHandles []');
    expect(child.stdoutLines()).toContain('A openHandles []');
  },
  CHILD_TEST_TIMEOUT,
);
