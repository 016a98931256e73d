import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/** A scheduler whose clock moves only when the test says so: `advance(ms)` runs what falls due. */
export interface ManualScheduler extends SchedulerLike {
  advance(ms: number): void;
  /** Actions waiting. */
  readonly pending: number;
}

/**
 * Virtual time for code that also does real I/O (real sockets), where `TestScheduler.run` cannot
 * await: the test decides when a grace or a timeout has passed, so nothing depends on the machine's speed.
 */
export function manualScheduler(start = 0): ManualScheduler {
  let now = start;
  let nextId = 0;
  const queue: { id: number; due: number; run: () => void }[] = [];
  const scheduler: ManualScheduler = {
    now: () => now,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      const id = (nextId += 1);
      const subscription = new Subscription(() => {
        const index = queue.findIndex((entry) => entry.id === id);
        if (index >= 0) queue.splice(index, 1);
      });
      const action = Object.assign(subscription, {
        schedule: (nextState?: T, nextDelay = 0) => scheduler.schedule(work, nextDelay, nextState),
      }) as unknown as SchedulerAction<T>;
      queue.push({ id, due: now + delay, run: () => work.call(action, state) });
      return subscription;
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        queue.sort((a, b) => a.due - b.due || a.id - b.id);
        const next = queue[0];
        if (next === undefined || next.due > until) break;
        queue.shift();
        now = Math.max(now, next.due);
        next.run();
      }
      now = until;
    },
    get pending() {
      return queue.length;
    },
  };
  return scheduler;
}
