import { NEVER, filter, map, of, switchMap, takeUntil, throwError, timer, Observable, firstValueFrom } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { resource$, resources$, shutdownWaitsFor, type LifecycleEvent, type HeldResources } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf, timeline } from '../support/lifecycle';
import fc from 'fast-check';

describe('resources$', () => {
  let testScheduler: TestScheduler;
  let log: string[];

  beforeEach(() => {
    testScheduler = newScheduler();
    log = [];
  });

  const note = (entry: string) => log.push(`${entry}@${testScheduler.now()}`);

  describe('plain use (no app)', () => {
    it('acquires concurrently, emits the record once all are held, releases newest first, one after another', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const dbAcquire = cold('   ----d|');
        const cacheAcquire = cold('--c|');
        const dbRelease = cold('         --|');
        const cacheRelease = cold('        ---|');
        const all$ = resources$({
          db: resource$(() => dbAcquire, (db) => (note(`release ${db}`), dbRelease)),
          cache: resource$(() => cacheAcquire, (cache) => (note(`release ${cache}`), cacheRelease)),
        });
        expectObservable(all$, '^-----!').toBe('----x--', { x: { db: 'd', cache: 'c' } });
        expectSubscriptions(dbAcquire.subscriptions).toBe('^---!');
        expectSubscriptions(cacheAcquire.subscriptions).toBe('^-!');
        // db was acquired last (4): released first, 6 → 8; cache only after, 8 → 11.
        expectSubscriptions(dbRelease.subscriptions).toBe('------^-!');
        expectSubscriptions(cacheRelease.subscriptions).toBe('--------^--!');
      });
      expect(log).toEqual(['release d@6', 'release c@8']);
    });

    it('an empty record emits {} at once', () => {
      testScheduler.run(({ expectObservable }) => {
        expectObservable(resources$({})).toBe('x', { x: {} });
      });
    });

    it('when one acquire fails: releases the held ones newest first, then errors; a late value is released once', () => {
      const boom = new Error('cache down');
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const slowAcquire = cold('------s|');
        const all$ = resources$({
          a: resource$(() => cold<string>('-a|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          b: resource$(() => cold<string>('--b|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          cache: resource$(() => cold<string>('---#', undefined, boom), () => void note("never")),
          slow: resource$(() => slowAcquire, (v: string) => (note(`release ${v}`), cold('-|'))),
        });
        // cache fails at 3: b (acquired at 2) released 3 → 5, a 5 → 7, then the error.
        expectObservable(all$).toBe('-------#', undefined, boom);
        // slow is not unsubscribed; its value (6) goes on top of the release stack: released next, after a.
        expectSubscriptions(slowAcquire.subscriptions).toBe('^-----!');
      });
      expect(log).toEqual(['release b@3', 'release a@5', 'release s@7']);
    });

    it('several acquires failed by the time the held ones are released: AggregateError with all of them', () => {
      const first = new Error('first');
      const second = new Error('second');
      let caught: unknown;
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          held: resource$(() => cold<string>('h|'), () => cold('---|')),
          one: resource$(() => cold<string>('--#', undefined, first), jest.fn()),
          two: resource$(() => cold<string>('---#', undefined, second), jest.fn()),
        });
        expectObservable(all$).toBe('-----#', undefined, expect.any(AggregateError));
        all$.subscribe({ error: (error: unknown) => (caught = error) });
      });
      expect((caught as AggregateError).errors).toEqual([first, second]);
      expect((caught as AggregateError).message).toContain('2 acquires failed: one, two');
    });

    it('a failure after the error was delivered goes to onError, never lost', () => {
      const first = new Error('first');
      const late = new Error('late');
      const onError = jest.fn();
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          one: resource$(() => cold<string>('-#', undefined, first), jest.fn()),
          two: resource$(() => cold<string>('---#', undefined, late), jest.fn(), { name: 'second', onError }),
        });
        expectObservable(all$).toBe('-#', undefined, first);
      });
      expect(onError.mock.calls).toEqual([[late, 'second']]);
    });

    it('a synchronous acquire failure stops the remaining acquires from starting', () => {
      const boom = new Error('sync');
      const later = jest.fn(() => of(1));
      const released: string[] = [];
      let caught: unknown;
      resources$({
        first: resource$(() => of('first'), (v) => void released.push(v)),
        broken: resource$(() => throwError(() => boom), jest.fn()),
        later: resource$(later, jest.fn()),
      }).subscribe({ error: (error: unknown) => (caught = error) });
      expect(caught).toBe(boom);
      expect(later).not.toHaveBeenCalled();
      expect(released).toEqual(['first']);
    });

    it('unsubscribed with acquires in flight: newest first; a late value goes on top of the release stack', () => {
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          a: resource$(() => cold<string>('a|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          b: resource$(() => cold<string>('-b|'), (v: string) => (note(`release ${v}`), cold('--|'))),
          c: resource$(() => cold<string>('-----c|'), (v: string) => (note(`release ${v}`), cold('--|'))),
        });
        expectObservable(all$, '^--!').toBe('----');
      });
      // b (acquired at 1) 3 → 5; c arrives at 5 and is released before a (acquired at 0).
      expect(log).toEqual(['release b@3', 'release c@5', 'release a@7']);
    });

    it('each resource keeps its own config (timeout, onError), and name defaults to the key', () => {
      const onError = jest.fn();
      testScheduler.run(({ cold, expectObservable }) => {
        const all$ = resources$({
          db: resource$(() => cold<string>('d|'), () => cold('------|'), { timeout: 2, onError }),
        });
        expectObservable(all$, '^!').toBe('x', { x: { db: 'd' } });
      });
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ name: 'ResourceTimeoutError', resourceName: 'db' }), 'db');
    });
  });

  describe('in an app', () => {
    it('on shutdown the finalizers release in reverse order of acquisition, after protected work', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const work = cold('---|');
        const app = runTestApp((ctx) =>
          resources$({
            first: resource$(() => cold<string>('---f|'), () => (note('release first'), cold('-|'))),
            second: resource$(() => cold<string>('-s|'), () => (note('release second'), cold('--|'))),
          }).pipe(switchMap(() => work.pipe(shutdownWaitsFor(ctx, { name: 'job' })))),
        );
        events = collect(app.events$.pipe(filter((e) => e.type === 'finalizer-start' || e.type === 'finalizer-end' || e.type === 'protected-drained')));
        app.port.signal('SIGTERM', 4);
      });
      // acquired: second at 1, first at 3 → first released first.
      expect(timeline(events)).toEqual([
        '6 protected-drained',
        '6 finalizer-start:first',
        '7 finalizer-end:first',
        '7 finalizer-start:second',
        '9 finalizer-end:second',
      ]);
      expect(log).toEqual(['release first@6', 'release second@7']);
    });

    it('an ordinary unsubscribe releases at once, newest first, and a shutdown meanwhile awaits the chain', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const app = runTestApp((ctx) => [
          NEVER,
          resources$({
            a: resource$(() => cold<string>('a|'), () => (note('release a'), cold('---|'))),
            b: resource$(() => cold<string>('-b|'), () => (note('release b'), cold('---|'))),
          }).pipe(takeUntil(timer(2, ctx.scheduler))),
        ]);
        events = collect(app.events$.pipe(filter((e) => e.type === 'protected-pending' || e.type === 'protected-drained' || e.type === 'finalizer-start')));
        app.port.signal('SIGTERM', 3);
      });
      expect(log).toEqual(['release b@2', 'release a@5']);
      expect(timeline(events)).toEqual(['3 protected-pending:a (releasing),b (releasing)', '8 protected-drained']);
    });

    it("on a partial failure the acquire error reaches the task, release errors are reported as 'resource'", () => {
      const boom = new Error('acquire failed');
      const closeFailed = new Error('close failed');
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const app = runTestApp(() =>
          resources$({
            a: resource$(() => cold<string>('a|'), () => cold('-#', undefined, closeFailed)),
            b: resource$(() => cold<string>('--#', undefined, boom), jest.fn()),
          }),
        );
        events = collect(app.events$);
      });
      expect(outcomeOf(events).errors).toEqual([
        { source: 'resource', name: 'a', error: closeFailed },
        { source: 'task', name: 'main', error: boom },
      ]);
      expect(timeline(events).filter((line) => line.includes('error:'))).toEqual(['3 error:resource:a', '3 error:task:main']);
    });
  });

  it('the outcome status stays ok when every release succeeds', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => resources$({ a: resource$(() => cold<string>('a|'), () => cold('-|')) }));
      events = collect(app.events$);
      app.port.signal('SIGINT', 1);
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('--(o|)', { o: 'ok' });
    });
    expect(outcomeOf(events).errors).toEqual([]);
  });
});

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

// Compile-time checks (tsc runs over spec/): each key of the record keeps its own resource type.

describe('resources$ types', () => {
  it('infers each key from its resource$ and rejects wrong uses at compile time', async () => {
    const db = resource$(async () => ({ query: (sql: string) => sql.length }), () => undefined);
    const port = resource$(() => of(5432), () => undefined);
    const same = resources$({ db, port, again: port });
    const held = await firstValueFrom(same);
    const length: number = held.db.query('select 1');
    const number: number = held.port + held.again;
    // @ts-expect-error port is a number, not a string
    const wrong: string = held.port;
    // @ts-expect-error no such key
    void held.cache;
    const typed: Observable<HeldResources<{ db: typeof db; port: typeof port }>> = resources$({ db, port });
    const single = await firstValueFrom(resources$({ only: port }));
    expect([length, number, wrong, single.only, typeof typed.subscribe]).toEqual([8, 10864, 5432, 5432, 'function']);
  });
});
