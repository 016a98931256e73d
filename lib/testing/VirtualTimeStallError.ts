import type { Phase } from '../core/types.js';

/**
 * Rejects `withVirtualTime` when its body can never finish: nothing is left to run (`idle`: no
 * virtual timer pending, no real I/O under way), or it fired `maxTimers` virtual timers
 * (`timer-limit`: usually an app without a shutdown point, ticking forever). Fake timers are
 * uninstalled before it is thrown.
 *
 * @example
 * ```ts
 * await expect(withVirtualTime(async () => {
 *   await runVirtualApp(NEVER).stopped; // no signal, no stop(): nothing will ever stop it
 * })).rejects.toThrow(VirtualTimeStallError);
 * ```
 */
export class VirtualTimeStallError extends Error {
  override readonly name = 'VirtualTimeStallError';
  constructor(
    /** `idle`: nothing could ever happen again; `timer-limit`: `maxTimers` virtual timers fired. */
    readonly reason: 'idle' | 'timer-limit',
    /** The virtual clock (`Date.now()`) when it stopped. */ // real-time: none — names the faked `Date.now()`, reads no clock
    readonly virtualNow: number,
    /** Virtual timers fired so far. */
    readonly timersFired: number,
    /** The phases of the virtual apps still running. */
    readonly runningApps: readonly Phase[],
  ) {
    const apps =
      runningApps.length === 0
        ? 'no virtual app is running'
        : `${runningApps.length} virtual app${runningApps.length === 1 ? ' is' : 's are'} still running (phase ${runningApps.map((phase) => `'${phase}'`).join(', ')})`;
    const what =
      reason === 'idle'
        ? 'no virtual timer is pending and no real I/O is under way, yet the body has not finished'
        : `${timersFired} virtual timers fired and the body has not finished (raise 'maxTimers' if that is expected)`;
    super(
      `withVirtualTime: stalled at virtual time ${virtualNow} ms: ${what}; ${apps}. ` +
        `Give each app a shutdown point (port.signal('SIGTERM', delay), app.stop(), until: 'main-complete'), ` +
        `and await only what virtual time can settle`,
    );
  }
}
