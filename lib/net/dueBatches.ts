import type { SchedulerLike, Subscription } from 'rxjs';

/** Items waiting for their due time, run in batches (internal). */
export interface DueBatches<T> {
  /** Runs `item` in the batch of the first slot at or after `due` (scheduler time, ms). */
  add(item: T, due: number): void;
  /** Items waiting. */
  readonly size: number;
  /** Drops every waiting item and its timer. */
  clear(): void;
}

/**
 * Collects items by due time on `scheduler`, one timer per `resolution`-ms slot, and calls `run`
 * once per slot with everything due in it. At a drain, a thousand sockets falling quiet at slightly
 * different times then cost a few timers and a few events, not a thousand of each. An item added
 * twice runs once, in its latest slot.
 */
export function dueBatches<T>(scheduler: SchedulerLike, resolution: number, run: (items: T[]) => void): DueBatches<T> {
  const slots = new Map<number, { items: Set<T>; timer: Subscription }>();
  const slotOf = new Map<T, number>();

  const fire = (slot: number) => {
    const entry = slots.get(slot);
    if (entry === undefined) return;
    slots.delete(slot);
    for (const item of entry.items) slotOf.delete(item);
    run([...entry.items]);
  };

  return {
    add(item, due) {
      const slot = Math.ceil(due / resolution) * resolution;
      const previous = slotOf.get(item);
      if (previous === slot) return;
      if (previous !== undefined) slots.get(previous)?.items.delete(item);
      slotOf.set(item, slot);
      const entry = slots.get(slot);
      if (entry !== undefined) {
        entry.items.add(item);
        return;
      }
      const items = new Set([item]);
      slots.set(slot, { items, timer: scheduler.schedule(() => fire(slot), Math.max(0, slot - scheduler.now())) });
    },
    get size() {
      return slotOf.size;
    },
    clear() {
      for (const entry of slots.values()) entry.timer.unsubscribe();
      slots.clear();
      slotOf.clear();
    },
  };
}
