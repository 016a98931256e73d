/**
 * No leaks (DESIGN §3): 1,000 `runApp$` start/stop cycles in one real process (real process port,
 * real asyncScheduler, an IPC channel open) leave every listener count and the active resources at
 * their baseline and raise no MaxListenersExceededWarning. The apps use hooks, finalizers, an
 * executor, shutdownWaitsFor (with and without `app`), and stop by app.stop(), main completing, and
 * real signals (SIGHUP, SIGTERM) sent to themselves.
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

afterEach(killAllChildren);

const EVENTS = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP', 'message', 'uncaughtException', 'unhandledRejection'];

interface CyclesResult {
  cycles: number;
  baseline: { listeners: Record<string, number>; resources: string[] };
  after: { listeners: Record<string, number>; resources: string[] };
  peak: Record<string, number>;
  warnings: string[];
  work: {
    hooks: number;
    finalizers: number;
    executors: number;
    protectedDone: number;
    stopped: number;
    statuses: Record<string, number>;
    reasons: Record<string, number>;
  };
}

test(
  '1,000 sequential runApp$ cycles leave listeners and active resources at baseline, with no MaxListenersExceededWarning',
  async () => {
    const child = startFixture('cycles.js', ['1000'], { ipc: true });
    const [, json] = await child.waitForLine(/^result (.*)$/);
    const exit = await child.exited;
    // The process ends by itself, IPC channel still open on our side: nothing was left holding it.
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.stderr).toBe('');
    const result = JSON.parse(json as string) as CyclesResult;

    expect(result.cycles).toBe(1000);
    expect(result.after.listeners).toEqual(result.baseline.listeners);
    for (const event of EVENTS) {
      expect(result.after.listeners[event]).toBe(result.baseline.listeners[event]);
      // Not vacuous: while an app ran, its listener was installed.
      expect(result.peak[event]).toBe((result.baseline.listeners[event] ?? 0) + 1);
    }
    expect([...result.after.resources].sort()).toEqual([...result.baseline.resources].sort());
    expect(result.warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    expect(result.warnings).toEqual([]);

    // Every app really ran its whole shutdown.
    expect(result.work).toEqual({
      hooks: 2000,
      finalizers: 2000,
      executors: 250,
      protectedDone: 1000,
      stopped: 1000,
      statuses: { ok: 750, error: 250 },
      reasons: { stop: 250, 'main-complete': 250, SIGHUP: 250, SIGTERM: 250 },
    });
  },
  CHILD_TEST_TIMEOUT * 3,
);
