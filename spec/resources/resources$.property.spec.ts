import fc from 'fast-check';
import { NEVER, Observable, map, of, takeUntil, timer } from 'rxjs';
import { resource$, resources$, type LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

/**
 * Property: random resources (acquire taking 0-6 frames or synchronous, some failing; releases
 * taking 0-4 frames, some failing) held by `resources$` and let go at a random frame — by a plain
 * unsubscribe (no app), by an ordinary unsubscribe inside an app that shuts down later, by the
 * app's own shutdown, or by a finalizer that holds them while the app finalizes. Invariants:
 * (1) every resource whose acquire produced a value is released exactly once; no other release runs;
 * (2) releases never overlap;
 * (3) reverse order: if i was acquired before j and both were acquired before i's release started,
 *     j's release started first;
 * (4) every error raised (acquire or release) reaches the subscriber, `onError` or the outcome —
 *     once, by identity (an AggregateError counts for each error it carries);
 * (5) the record is emitted at most once, and only when every resource was held;
 * (6) the app (when there is one) stops, not by timeout;
 * (7) in an app, every release ends before the app stops (the app awaits it, in any phase).
 */
interface ResourcePlan {
  /** -1: synchronous. */
  readonly acquireDelay: number;
  readonly acquireFails: boolean;
  readonly releaseDelay: number;
  readonly releaseFails: boolean;
}

interface Plan {
  readonly resources: readonly ResourcePlan[];
  readonly mode: 'plain' | 'app-unsubscribe' | 'app-shutdown' | 'app-finalizer';
  readonly letGoAt: number;
  readonly shutdownAfter: number;
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  resources: fc.array(
    fc.record({
      acquireDelay: fc.integer({ min: -1, max: 6 }),
      acquireFails: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
      releaseDelay: fc.integer({ min: 0, max: 4 }),
      releaseFails: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  mode: fc.constantFrom('plain' as const, 'app-unsubscribe' as const, 'app-shutdown' as const, 'app-finalizer' as const),
  letGoAt: fc.integer({ min: 0, max: 12 }),
  shutdownAfter: fc.integer({ min: 0, max: 6 }),
});

interface Record_ {
  readonly type: 'acquired' | 'release-start' | 'release-end' | 'release-end-after-stop';
  readonly index: number;
  readonly at: number;
  readonly seq: number;
}

function run(plan: Plan): void {
  const scheduler = newScheduler();
  const log: Record_[] = [];
  const raised: unknown[] = [];
  const surfaced: unknown[] = [];
  const emitted: Record<string, unknown>[] = [];
  let events: LifecycleEvent[] = [];
  let seq = 0;
  const note = (type: Record_['type'], index: number) => log.push({ type, index, at: scheduler.now(), seq: (seq += 1) });
  const fail = (what: string) => {
    const error = new Error(what);
    raised.push(error);
    return error;
  };
  const surface = (error: unknown) => {
    if (error instanceof AggregateError) surfaced.push(...(error.errors as unknown[]));
    else surfaced.push(error);
  };

  scheduler.run(() => {
    const record: Record<string, Observable<unknown>> = {};
    plan.resources.forEach((r, index) => {
      const produce = () => {
        if (r.acquireFails) throw fail(`acquire ${index}`);
        note('acquired', index);
        return index;
      };
      const acquire = () => (r.acquireDelay < 0 ? of(0).pipe(map(produce)) : timer(r.acquireDelay).pipe(map(produce)));
      const release = (value: unknown) => {
        expect(value).toBe(index);
        note('release-start', index);
        return new Observable<never>((subscriber) =>
          scheduler.schedule(() => {
            note('release-end', index);
            if (events.some((e) => e.type === 'stopped')) note('release-end-after-stop', index);
            if (r.releaseFails) subscriber.error(fail(`release ${index}`));
            else subscriber.complete();
          }, r.releaseDelay),
        );
      };
      record[`r${index}`] = resource$(acquire, release, { onError: surface });
    });
    const all$ = resources$(record);
    if (plan.mode === 'plain') {
      all$.pipe(takeUntil(timer(plan.letGoAt))).subscribe({ next: (v) => emitted.push(v), error: surface });
      return;
    }
    const app = runTestApp(
      (ctx) => {
        if (plan.mode === 'app-shutdown') return all$.pipe(map((v) => emitted.push(v)));
        if (plan.mode === 'app-unsubscribe') return [NEVER, all$.pipe(takeUntil(timer(plan.letGoAt)), map((v) => emitted.push(v)))];
        ctx.defer(() => all$.pipe(takeUntil(timer(plan.letGoAt)), map((v) => emitted.push(v))), { name: 'holder' });
        return NEVER;
      },
      { onTaskError: 'isolate' },
    );
    events = collect(app.events$);
    app.port.signal('SIGTERM', plan.mode === 'app-unsubscribe' ? plan.letGoAt + plan.shutdownAfter : plan.mode === 'app-shutdown' ? plan.letGoAt : plan.shutdownAfter);
  });

  if (plan.mode !== 'plain') {
    const outcome = outcomeOf(events);
    expect(outcome.status).not.toBe('timeout'); // (6)
    expect(log.filter((e) => e.type === 'release-end-after-stop')).toEqual([]); // (7)
    for (const { error } of outcome.errors) surface(error);
  }

  const acquired = log.filter((e) => e.type === 'acquired');
  const starts = log.filter((e) => e.type === 'release-start');
  // (1)
  expect(starts.map((e) => e.index).sort()).toEqual(acquired.map((e) => e.index).sort());
  // (2)
  let open = 0;
  for (const entry of log) {
    if (entry.type === 'release-start') open += 1;
    if (entry.type === 'release-end') open -= 1;
    expect(open).toBeLessThanOrEqual(1);
  }
  // (3)
  const acquiredSeq = new Map(acquired.map((e) => [e.index, e.seq]));
  const startSeq = new Map(starts.map((e) => [e.index, e.seq]));
  for (const [i, acquiredI] of acquiredSeq) {
    for (const [j, acquiredJ] of acquiredSeq) {
      const startI = startSeq.get(i) as number;
      if (acquiredI < acquiredJ && acquiredJ < startI) expect(startSeq.get(j) as number).toBeLessThan(startI);
    }
  }
  // (4)
  expect(surfaced.length).toBe(raised.length);
  for (const error of raised) expect(surfaced.filter((e) => e === error)).toHaveLength(1);
  // (5)
  expect(emitted.length).toBeLessThanOrEqual(1);
  if (emitted.length === 1) expect(acquired).toHaveLength(plan.resources.length);
}

describe('resources$ (property)', () => {
  const numRuns = Math.max(500, Number(process.env['RXRUN_PROPERTY_RUNS'] ?? 0) || 0);

  it(`releases every acquired resource exactly once, newest first, never two at a time (${numRuns} runs)`, () => {
    fc.assert(
      fc.property(planArb, (plan) => run(plan)),
      { numRuns },
    );
  });

  it('a fixed case: failure with a late value and a failing release, inside an app', () => {
    run({
      resources: [
        { acquireDelay: 0, acquireFails: false, releaseDelay: 2, releaseFails: true },
        { acquireDelay: 2, acquireFails: true, releaseDelay: 1, releaseFails: false },
        { acquireDelay: 5, acquireFails: false, releaseDelay: 1, releaseFails: false },
      ],
      mode: 'app-unsubscribe',
      letGoAt: 10,
      shutdownAfter: 0,
    });
  });
});
