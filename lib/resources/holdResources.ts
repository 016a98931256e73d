import {
  EMPTY, Observable, asyncScheduler, catchError, defer, finalize, from, ignoreElements, map, race, take, timer,
  type SchedulerLike, type Subscriber, type Subscription,
} from 'rxjs';
import { findRunningApp, reportOr, type AppInternals, type ProtectedTicket } from '../core/appRegistry.js';
import { describeError } from '../core/errors.js';
import { guardTeardown } from '../core/guardTeardown.js';
import { ResourceEmptyError, ResourceTimeoutError } from './resourceErrors.js';
import type { ResourceSpec } from './resourceSpec.js';

// Internal engine of `resource$` and `resources$`: acquires a set of resources concurrently, hands
// them over once all are held, and releases each exactly once, newest first.
//
// Who releases, by how the holder lets go:
// - the app's own shutdown unsubscribes (`detaching`): the finalizer registered at acquisition
//   releases it in `finalizing`, after protected work that may still use it;
// - any other unsubscription, or a failed acquire: released at once, one after another (a LIFO
//   stack), each release awaited by the app (`awaitWork`: protected work, or a finalizer while
//   finalizing);
// - an acquire still in flight: kept running (awaited the same way), its value released as soon as it comes.

/** One resource to hold: `key` names it in the emitted record, `name` in events and reports. */
export interface ResourceEntry {
  readonly key: string;
  readonly name: string;
  readonly spec: ResourceSpec;
}

export interface HoldHandlers {
  /** Every resource is held (called once). */
  acquired(values: Record<string, unknown>): void;
  /** An acquire failed; the resources already held have been released. */
  failed(errors: readonly unknown[], names: readonly string[]): void;
}

type SlotState = 'idle' | 'acquiring' | 'held' | 'queued' | 'releasing' | 'done';

interface Slot {
  readonly entry: ResourceEntry;
  readonly internals: AppInternals | undefined;
  readonly scheduler: SchedulerLike;
  state: SlotState;
  value: unknown;
  acquisition: Subscription | undefined;
  /** Nobody waits for this acquire any more: release its value when it comes. */
  orphaned: boolean;
  acquireTicket: ProtectedTicket | undefined;
  releaseTicket: ProtectedTicket | undefined;
  /** Withdraws the app finalizer registered at acquisition (while it has not run). */
  withdraw: (() => void) | undefined;
  /** A failed acquire's error waits for this release. */
  blocksError: boolean;
}

/**
 * Adds the teardown to `subscriber` and then starts acquiring. The teardown is in place before the
 * first acquire, so that a holder closed during a synchronous acquire (it unsubscribes, or stops the
 * app, inside the emission) lets go right then — inside the app's `detaching` when that is the cause.
 */
export function holdResources(
  subscriber: Subscriber<unknown>,
  entries: readonly ResourceEntry[],
  where: string,
  handlers: HoldHandlers,
): void {
  const slots = entries.map((entry) => newSlot(entry, where));
  const acquiredOrder: Slot[] = [];
  const stack: Slot[] = [];
  let current: Slot | undefined;
  let currentRelease: Subscription | undefined;
  let pumping = false;
  let attached = true;
  let failing = false;
  let errorDelivered = false;
  const failures: { slot: Slot; error: unknown }[] = [];

  function acquire(slot: Slot): void {
    slot.state = 'acquiring';
    let source: Observable<unknown>;
    try {
      source = from(slot.entry.spec.acquire());
    } catch (error) {
      acquireFailed(slot, error);
      return;
    }
    let gotValue = false;
    const subscription = source.pipe(take(1), guardTeardown((error) => report(slot, error))).subscribe({
      next: (value) => {
        gotValue = true;
        acquired(slot, value);
      },
      error: (error: unknown) => acquireFailed(slot, error),
      complete: () => {
        if (!gotValue) acquireFailed(slot, new ResourceEmptyError(slot.entry.name));
      },
    });
    if (slot.state === 'acquiring') slot.acquisition = subscription;
  }

  function acquired(slot: Slot, value: unknown): void {
    if (slot.state !== 'acquiring') return;
    slot.acquisition = undefined;
    slot.value = value;
    if (slot.orphaned) {
      // The release ticket is taken before the acquire ticket is done: the app never sees a gap.
      queueRelease(slot, false);
      settleAcquireTicket(slot);
      pump();
      return;
    }
    slot.state = 'held';
    acquiredOrder.push(slot);
    if (usable(slot.internals)) slot.withdraw = slot.internals.addFinalizer(slot.entry.name, () => releaseAsFinalizer(slot));
    if (acquiredOrder.length === slots.length && attached && !failing) {
      const values: Record<string, unknown> = {};
      for (const each of slots) values[each.entry.key] = each.value;
      handlers.acquired(values);
    }
  }

  function acquireFailed(slot: Slot, error: unknown): void {
    if (slot.state !== 'acquiring') return;
    slot.state = 'done';
    slot.acquisition = undefined;
    if (slot.orphaned) {
      settleAcquireTicket(slot);
      if (attached && failing && !errorDelivered) failures.push({ slot, error });
      else report(slot, error);
      return;
    }
    failing = true;
    failures.push({ slot, error });
    for (const each of slots) if (each.state === 'acquiring' && !each.orphaned) orphan(each);
    for (const each of acquiredOrder) {
      if (each.state !== 'held') continue;
      withdrawFinalizer(each);
      queueRelease(each, true);
    }
    pump();
    deliverErrorWhenReleased();
  }

  function orphan(slot: Slot): void {
    slot.orphaned = true;
    if (!usable(slot.internals)) return;
    slot.acquireTicket = awaitWork(slot.internals, `${slot.entry.name} (acquiring)`, () => {
      // The app's budget ran out (or a forced stop): stop waiting for this acquire.
      slot.acquireTicket = undefined;
      slot.state = 'done';
      const subscription = slot.acquisition;
      slot.acquisition = undefined;
      subscription?.unsubscribe();
    });
  }

  function settleAcquireTicket(slot: Slot): void {
    const ticket = slot.acquireTicket;
    slot.acquireTicket = undefined;
    ticket?.done();
  }

  function withdrawFinalizer(slot: Slot): void {
    const withdraw = slot.withdraw;
    slot.withdraw = undefined;
    withdraw?.();
  }

  function queueRelease(slot: Slot, blocksError: boolean): void {
    slot.state = 'queued';
    slot.blocksError = blocksError;
    if (usable(slot.internals)) {
      slot.releaseTicket = awaitWork(slot.internals, `${slot.entry.name} (releasing)`, () => cutOffRelease(slot));
    }
    stack.push(slot);
  }

  // Releases the queued resources one at a time, newest first. A loop, so releases that end
  // synchronously do not nest.
  function pump(): void {
    if (pumping) return;
    pumping = true;
    try {
      while (current === undefined && stack.length > 0) {
        const slot = stack.pop() as Slot;
        slot.state = 'releasing';
        current = slot;
        const subscription = release$(slot).subscribe({ complete: () => releaseEnded(slot) });
        if (current === slot) currentRelease = subscription;
      }
    } finally {
      pumping = false;
    }
  }

  function releaseEnded(slot: Slot): void {
    if (slot.state !== 'releasing') return;
    slot.state = 'done';
    if (current === slot) {
      current = undefined;
      currentRelease = undefined;
    }
    pump();
    const ticket = slot.releaseTicket;
    slot.releaseTicket = undefined;
    ticket?.done();
    deliverErrorWhenReleased();
  }

  function cutOffRelease(slot: Slot): void {
    slot.releaseTicket = undefined;
    if (slot.state === 'queued') {
      stack.splice(stack.indexOf(slot), 1);
      slot.state = 'done';
    } else if (slot.state === 'releasing') {
      slot.state = 'done';
      const subscription = currentRelease;
      current = undefined;
      currentRelease = undefined;
      subscription?.unsubscribe();
      pump();
    }
    deliverErrorWhenReleased();
  }

  function deliverErrorWhenReleased(): void {
    if (!failing || errorDelivered) return;
    if (slots.some((slot) => slot.blocksError && (slot.state === 'queued' || slot.state === 'releasing'))) return;
    errorDelivered = true;
    if (attached) handlers.failed(failures.map((failure) => failure.error), failures.map((failure) => failure.slot.entry.name));
    else for (const { slot, error } of failures) report(slot, error);
  }

  function releaseAsFinalizer(slot: Slot): Observable<never> | undefined {
    slot.withdraw = undefined;
    if (slot.state !== 'held') return undefined;
    slot.state = 'releasing';
    return release$(slot).pipe(
      finalize(() => {
        slot.state = 'done';
      }),
    );
  }

  // Runs the release, bounded by the resource's timeout; never errors (failures are reported).
  function release$(slot: Slot): Observable<never> {
    const { name, spec } = slot.entry;
    const work$ = defer(() => {
      const produced = spec.release(slot.value);
      return produced === undefined ? EMPTY : from(produced);
    }).pipe(guardTeardown((error) => report(slot, error)), ignoreElements());
    const timeout = spec.timeout;
    const bounded$ =
      timeout === undefined
        ? work$
        : race(
            work$,
            timer(timeout, slot.scheduler).pipe(
              map((): never => {
                throw new ResourceTimeoutError(name, timeout);
              }),
            ),
          );
    return bounded$.pipe(
      catchError((error: unknown) => {
        report(slot, error);
        return EMPTY;
      }),
    );
  }

  function teardown(): void {
    if (!attached) return;
    attached = false;
    for (const slot of slots) if (slot.state === 'acquiring' && !slot.orphaned) orphan(slot);
    for (const slot of acquiredOrder) {
      if (slot.state !== 'held') continue;
      if (leftToFinalizer(slot)) continue;
      withdrawFinalizer(slot);
      queueRelease(slot, false);
    }
    pump();
  }

  subscriber.add(teardown);
  if (slots.length === 0) handlers.acquired({});
  for (const slot of slots) {
    if (failing || !attached) break;
    acquire(slot);
  }
}

function newSlot(entry: ResourceEntry, where: string): Slot {
  // No app at all: plain use. Two or more and none named: ambiguous, the subscriber gets the error.
  const internals = findRunningApp(entry.spec.app, where);
  return {
    entry,
    internals,
    scheduler: entry.spec.scheduler ?? internals?.context.scheduler ?? asyncScheduler,
    state: 'idle',
    value: undefined,
    acquisition: undefined,
    orphaned: false,
    acquireTicket: undefined,
    releaseTicket: undefined,
    withdraw: undefined,
    blocksError: false,
  };
}

/**
 * Makes the app await work until `ticket.done()`: as protected work before it finalizes; while it
 * finalizes (no protected work is taken any more) as a finalizer that runs next and ends when the
 * work does. `cutOff` runs when the app stops waiting first (budget, forced stop, abandon).
 */
function awaitWork(internals: AppInternals, name: string, cutOff: () => void): ProtectedTicket | undefined {
  const ticket = internals.protect(name, cutOff);
  if (ticket !== undefined || internals.phase !== 'finalizing') return ticket;
  let finished = false;
  let complete: (() => void) | undefined;
  const withdraw = internals.addFinalizer(name, () =>
    new Observable<never>((subscriber) => {
      if (finished) {
        subscriber.complete();
        return undefined;
      }
      complete = () => subscriber.complete();
      return () => {
        complete = undefined;
        if (finished) return;
        finished = true;
        cutOff();
      };
    }),
  );
  if (withdraw === undefined) return undefined;
  return {
    done() {
      if (finished) return;
      finished = true;
      withdraw();
      const end = complete;
      complete = undefined;
      end?.();
    },
  };
}

/** An app that can still await work and run finalizers. */
function usable(internals: AppInternals | undefined): internals is AppInternals {
  return internals !== undefined && internals.phase !== 'stopped';
}

/**
 * The app's own shutdown let go: its finalizer releases the resource, after protected work that may
 * still use it. Any other unsubscription releases at once — also while finalizing, so that per-use
 * resources inside a finalizer are not all held until it ends.
 */
function leftToFinalizer(slot: Slot): boolean {
  const { internals } = slot;
  return slot.withdraw !== undefined && usable(internals) && internals.detaching;
}

/** Reports a release (or late acquire) failure: to the app, else `onError`, else `console.error`. */
function report(slot: Slot, error: unknown): void {
  const { internals, entry } = slot;
  reportOr(internals, 'resource', entry.name, error, () => reportWithoutApp(entry, error));
}

function reportWithoutApp(entry: Slot['entry'], error: unknown): void {
  const sink = entry.spec.onError;
  if (sink !== undefined) {
    try {
      sink(error, entry.name);
      return;
    } catch (sinkError) {
      console.error(`rxrun: onError of resource '${entry.name}' threw: ${describeError(sinkError)}`);
    }
  }
  console.error(`rxrun: resource '${entry.name}' failed: ${describeError(error)}`);
}
