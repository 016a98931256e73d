/**
 * Reported when a due `timer$` tick is dropped because the queue of waiting ticks is full
 * (`maxQueued`, under `policy: 'queue'` or `'accumulate'` with a `concurrency` cap) and no
 * `onMissed` callback was given to take the report. It never stops the timer.
 *
 * ```
 * policy 'queue', maxQueued 1, period 4, every tick takes 7 frames:
 * due:      0---1---2---3---4---5---
 * runs:     0------1------2------4--
 * dropped:              3       5      (3: tick 2 already waits; 5: tick 4 does)
 * ```
 *
 * @example
 * ```ts
 * timer$(1000, () => sync(), { policy: 'queue', maxQueued: 5, onTickError: (error) => {
 *   if (error instanceof TimerQueueOverflowError) metrics.increment('sync.dropped');
 * } });
 * ```
 */
export class TimerQueueOverflowError extends Error {
  override readonly name = 'TimerQueueOverflowError';
  constructor(
    /** The timer's `name`. */
    readonly timerName: string,
    /** The dropped tick's number. */
    readonly n: number,
    /** The dropped tick's due time (scheduler ms). */
    readonly scheduledAt: number,
    /** The configured bound. */
    readonly maxQueued: number,
    /** Ticks this subscription has dropped for a full queue so far, this one included. */
    readonly overflowed: number,
  ) {
    super(`rxrun: timer$ '${timerName}' dropped tick ${n}: the queue is full (maxQueued ${maxQueued}); ${overflowed} dropped so far`);
  }
}
