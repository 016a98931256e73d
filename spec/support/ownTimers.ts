/**
 * `outcome.openHandles` is a process-wide diff of `process.getActiveResourcesInfo()`, which counts
 * every ref'd timer of the process as one `Timeout` (or `Immediate`). On a 2-core machine Jest runs
 * the whole suite in band, in its main process, next to its reporter: the reporter's 1 s status tick
 * starts a 100 ms `setTimeout` (`Status._debouncedEmit`), and when a tick falls inside an app's
 * lifetime `stopped` names that timer as left open by the app (`['Timeout']`) — and a reporter timer
 * that was pending at start and fired since hides one of the app's.
 *
 * `withOwnTimers` runs a test body in an async context of its own and gives it the real process port
 * with its timers counted exactly: those the body created — or anything it started, the app and the
 * callbacks of its sockets included — and nothing else (not the test runner's, not the port's own
 * keep-alive and settle timers). Handles and requests are the real port's list, untouched.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { realProcessPort, type ProcessPort } from 'rxrun';

const context = new AsyncLocalStorage<object>();
const TIMER_TYPES: readonly string[] = ['Timeout', 'Immediate'];

interface Timer {
  readonly type: string;
  readonly resource: { _destroyed?: boolean; hasRef(): boolean };
}

/** Node sets `_destroyed` exactly when it stops counting a timer as active (fired or cleared). */
const isActive = ({ resource }: Timer): boolean => resource._destroyed !== true && resource.hasRef();

/** Runs `body` with a real process port whose timers are only those created within `body`'s context. */
export async function withOwnTimers<T>(body: (port: ProcessPort) => Promise<T>): Promise<T> {
  const token = {};
  const own: Timer[] = [];
  const hook = createHook({
    init(_id, type, _trigger, resource) {
      if (TIMER_TYPES.includes(type) && context.getStore() === token) own.push({ type, resource: resource as Timer['resource'] });
    },
  });
  const real = realProcessPort();
  const port: ProcessPort = {
    ...real,
    keepAlive: () => context.exit(() => real.keepAlive()),
    settle: (done) => context.exit(() => (real.settle === undefined ? done() : real.settle(done))),
    activeResources() {
      const active = own.filter(isActive).map((timer) => timer.type);
      return [...real.activeResources().filter((resource) => !TIMER_TYPES.includes(resource)), ...active];
    },
  };
  hook.enable();
  try {
    return await context.run(token, () => body(port));
  } finally {
    hook.disable();
  }
}
