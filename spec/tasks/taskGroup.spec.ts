import { NEVER, Observable, catchError, map, of, throwError, toArray, filter, defer, EMPTY } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TaskGroupClosedError, taskGroup, type TaskGroupEvent, shutdownWaitsFor, type TaskGroup } from 'rxrun';
import { newScheduler } from '../support/lifecycle';
import { runTestApp } from 'rxrun/testing';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const tag = (e: TaskGroupEvent) => `${e.type}:${e.name}`;
/** Every event as `"<at> <type>:<name>"`, in one array emitted when the stream completes. */
const gather = (events$: Observable<TaskGroupEvent>) => events$.pipe(map((e) => `${e.at} ${e.type}:${e.name}`), toArray());
const errorsOf = (error: unknown) => of((error as AggregateError).errors);

describe('taskGroup (fail-fast)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('cancels the siblings on the first error and fails done$ with an AggregateError', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('--a--a--a--a--');
      const b = cold('------#', undefined, boom);
      const c = cold('-----------|');
      const group = taskGroup({ name: 'g' });
      group.spawn(a, { name: 'a' });
      group.spawn(b, { name: 'b' });
      group.spawn(c, { name: 'c' });
      expectObservable(group.events$.pipe(map(tag))).toBe('(xyz)-(fpq|)', {
        x: 'started:a', y: 'started:b', z: 'started:c', f: 'failed:b', p: 'cancelled:a', q: 'cancelled:c',
      });
      expectObservable(group.done$.pipe(catchError((error: unknown) => of(error)))).toBe('------(e|)', {
        e: expect.objectContaining({ name: 'AggregateError', errors: [boom], message: expect.stringContaining("taskGroup 'g'") }) as unknown,
      });
      expectSubscriptions(a.subscriptions).toBe('^-----!');
      expectSubscriptions(b.subscriptions).toBe('^-----!');
      expectSubscriptions(c.subscriptions).toBe('^-----!');
    });
  });

  it('includes errors thrown by siblings while they are cancelled', () => {
    const boom = new Error('boom');
    const cleanup = new Error('cleanup failed');
    testScheduler.run(({ cold, expectObservable }) => {
      const throwingTeardown = new Observable<never>(() => () => {
        throw cleanup;
      });
      const group = taskGroup();
      group.spawn(throwingTeardown);
      group.spawn(cold('---#', undefined, boom));
      expectObservable(group.done$.pipe(catchError(errorsOf))).toBe('---(e|)', { e: [boom, cleanup] });
    });
  });

  it("lists a failing child's own error before the error its teardown threw (the first error is the cause)", () => {
    const boom = new Error('boom');
    const cleanup = new Error('cleanup failed');
    testScheduler.run(({ expectObservable }) => {
      const group = taskGroup({ name: 'g' });
      group.spawn(new Observable<never>((subscriber) => {
        const due = testScheduler.schedule(() => subscriber.error(boom), 2);
        return () => {
          due.unsubscribe();
          throw cleanup;
        };
      }), { name: 'x' });
      expectObservable(group.done$.pipe(catchError((error: unknown) => of([(error as AggregateError).errors, (error as Error).message])))).toBe('--(e|)', {
        e: [[boom, cleanup], "taskGroup 'g': 2 error(s); first: Error: boom"],
      });
    });
  });

  it('a child whose teardown throws as it completes gets its completed event (not cancelled) and fails the group with that error', () => {
    const cleanup = new Error('cleanup failed');
    testScheduler.run(({ expectObservable }) => {
      const group = taskGroup({ name: 'g' });
      group.spawn(new Observable<never>((subscriber) => {
        const due = testScheduler.schedule(() => subscriber.complete(), 2);
        return () => {
          due.unsubscribe();
          throw cleanup;
        };
      }), { name: 'x' });
      expectObservable(group.events$.pipe(map(tag))).toBe('s-(c|)', { s: 'started:x', c: 'completed:x' });
      expectObservable(group.done$.pipe(catchError(errorsOf))).toBe('--(e|)', { e: [cleanup] });
    });
  });

  it('collects errors of siblings that fail while the group is cancelling', () => {
    const first = new Error('first');
    const second = new Error('second');
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup();
      // Cancelling `a` makes `b` fail (they share state, as a connection and its users would).
      let failB: (() => void) | undefined;
      group.spawn(new Observable<never>(() => () => failB?.()), { name: 'a' });
      group.spawn(new Observable<never>((subscriber) => { failB = () => subscriber.error(second); }), { name: 'b' });
      group.spawn(cold('--#', undefined, first), { name: 'c' });
      expectObservable(group.done$.pipe(catchError(errorsOf))).toBe('--(e|)', { e: [first, second] });
    });
  });

  it('completes once every child ended, then refuses spawns (the group ended)', () => {
    testScheduler.run(({ cold, expectObservable, flush }) => {
      const group = taskGroup({ name: 'g' });
      group.spawn(cold('--|'));
      group.spawn(cold('-----|'));
      expectObservable(group.done$).toBe('-----|');
      flush();
      expect(group.state).toBe('ended');
      expect(() => group.spawn(cold('-|'), { name: 'late' })).toThrow(
        new TaskGroupClosedError('g', 'late', 'ended'),
      );
    });
  });

  it('with no child yet waits: a spawn after done$ is subscribed starts at once', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const group = taskGroup();
      const late = cold('--|');
      expectObservable(group.done$).toBe('----|');
      testScheduler.schedule(() => group.spawn(late), 2);
      expectSubscriptions(late.subscriptions).toBe('--^-!');
    });
  });

  it('close() with no child completes done$ at once', () => {
    testScheduler.run(({ expectObservable }) => {
      const group = taskGroup();
      testScheduler.schedule(() => group.close(), 3);
      expectObservable(group.done$).toBe('---|');
    });
  });

  it('refuses spawns after the first error, naming the group and the task', () => {
    testScheduler.run(({ cold, flush }) => {
      const group = taskGroup({ name: 'jobs' });
      group.spawn(cold('-#'));
      group.done$.subscribe({ error: () => undefined });
      flush();
      expect(() => group.spawn(NEVER, { name: 'next' })).toThrow(TaskGroupClosedError);
      expect(() => group.spawn(NEVER, { name: 'next' })).toThrow(/taskGroup 'jobs' failed .*cannot spawn 'next'/);
    });
  });

  it('a child failing synchronously at start cancels the queued ones before they start', () => {
    const boom = new Error('sync');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const group = taskGroup();
      const queuedLater = cold('--|');
      group.spawn(throwError(() => boom), { name: 'x' });
      group.spawn(queuedLater, { name: 'y' });
      const events: string[] = [];
      group.events$.subscribe((e) => events.push(tag(e)));
      expectObservable(group.done$.pipe(catchError(errorsOf))).toBe('(e|)', { e: [boom] });
      expectSubscriptions(queuedLater.subscriptions).toBe([]);
      testScheduler.schedule(() => expect(events).toEqual(['started:x', 'failed:x', 'cancelled:y']), 1);
    });
  });

  it('a queued child that completes synchronously does not end the group before its siblings start', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup();
      group.spawn(of(1));
      group.spawn(cold('---|'));
      expectObservable(group.done$).toBe('---|');
    });
  });

  it('cancelling one child through its handle is not an error', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const group = taskGroup();
      const a = cold('--------|');
      const handle = group.spawn(a, { name: 'a' });
      group.spawn(cold('----|'), { name: 'b' });
      testScheduler.schedule(() => handle.unsubscribe(), 2);
      expectObservable(gather(group.events$)).toBe('----(a|)', { a: ['0 started:a', '0 started:b', '2 cancelled:a', '4 completed:b'] });
      expectObservable(group.done$).toBe('----|');
      expectSubscriptions(a.subscriptions).toBe('^-!');
    });
  });

  it('tags results with the child name and completes results$ and events$ when the group ends', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup<string>();
      group.spawn(cold('-x--|'), { name: 'one' });
      group.spawn(cold('--y|'));
      expectObservable(group.results$).toBe('-ab-|', { a: { name: 'one', value: 'x' }, b: { name: 'task#2', value: 'y' } });
      expectObservable(gather(group.events$)).toBe('----(a|)', {
        a: ['0 started:one', '0 started:task#2', '3 completed:task#2', '4 completed:one'],
      });
      expectObservable(group.done$).toBe('----|');
    });
  });

  it('is torn down when every done$ subscriber leaves: children cancelled, streams completed, no restart', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const group = taskGroup({ name: 'g' });
      const a = cold('-a-a-a-a-a-a-');
      group.spawn(a, { name: 'a' });
      expectObservable(group.events$.pipe(map(tag))).toBe('s----(c|)', { s: 'started:a', c: 'cancelled:a' });
      expectObservable(group.done$, '^--!').toBe('');
      expectObservable(group.done$, '^----!').toBe('');
      expectSubscriptions(a.subscriptions).toBe('^----!');
      flush();
      expect(() => group.spawn(NEVER, { name: 'b' })).toThrow(new TaskGroupClosedError('g', 'b', 'torn-down'));
      let late: unknown;
      group.done$.subscribe({ error: (error: unknown) => (late = error) });
      expect(late).toEqual(new TaskGroupClosedError('g', undefined, 'torn-down'));
    });
  });

  it('gives a late done$ subscriber the same end', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup();
      group.spawn(cold('-#', undefined, boom));
      expectObservable(group.done$.pipe(catchError(errorsOf))).toBe('-(e|)', { e: [boom] });
      testScheduler.schedule(() => {
        let errors: unknown;
        group.done$.subscribe({ error: (error: unknown) => (errors = (error as AggregateError).errors) });
        expect(errors).toEqual([boom]);
      }, 3);
    });
  });

  it('cancel() cancels every child and completes done$', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const group = taskGroup({ name: 'g' });
      const a = cold('-a-a-a-a-');
      group.spawn(a);
      testScheduler.schedule(() => group.cancel(), 4);
      expectObservable(group.done$).toBe('----|');
      expectSubscriptions(a.subscriptions).toBe('^---!');
      flush();
      expect(() => group.spawn(NEVER, { name: 'z' })).toThrow(/taskGroup 'g' was cancelled.*cannot spawn 'z'/);
    });
  });

  it('cancel() before done$ is subscribed drops the queued children', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const group = taskGroup();
      const a = cold('-|');
      group.spawn(a, { name: 'a' });
      const events: string[] = [];
      group.events$.subscribe((e) => events.push(tag(e)));
      group.cancel();
      expect(events).toEqual(['cancelled:a']);
      expectObservable(group.done$).toBe('|');
      expectSubscriptions(a.subscriptions).toBe([]);
    });
  });
});

describe('taskGroup (persistent)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('hands each error to onError and keeps the siblings running; done$ completes after close() once they ended', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const seen: unknown[] = [];
      const group = taskGroup({ name: 'g', mode: 'persistent', onError: (error, task) => seen.push([task, error, testScheduler.now()]) });
      const a = cold('--a--a--a--a--a--|');
      const b = cold('------#', undefined, boom);
      group.spawn(a, { name: 'a' });
      group.spawn(b, { name: 'b' });
      testScheduler.schedule(() => group.close(), 9);
      expectObservable(group.done$).toBe('-----------------|');
      expectSubscriptions(a.subscriptions).toBe('^----------------!');
      expectSubscriptions(b.subscriptions).toBe('^-----!');
      testScheduler.schedule(() => expect(seen).toEqual([['b', boom, 6]]), 7);
    });
  });

  it('does not end when every child ended, only after close()', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup({ mode: 'persistent' });
      group.spawn(cold('-|'));
      testScheduler.schedule(() => group.spawn(cold('--|')), 5);
      testScheduler.schedule(() => group.close(), 10);
      expectObservable(group.done$).toBe('----------|');
    });
  });

  it('refuses spawns once closed (closing), naming the group and the task', () => {
    testScheduler.run(({ cold }) => {
      const group = taskGroup({ name: 'pool', mode: 'persistent' });
      group.spawn(cold('-----|'));
      group.done$.subscribe();
      group.close();
      expect(group.state).toBe('closing');
      expect(() => group.spawn(NEVER, { name: 'x' })).toThrow(/taskGroup 'pool' is closed.*cannot spawn 'x'/);
    });
  });

  it('without onError, reports child errors to the app (source "group") and the app keeps running', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const sibling = cold('-s-s-s-s-s-s-s-s-');
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g', mode: 'persistent' });
        group.spawn(cold('---#', undefined, boom), { name: 'flaky' });
        group.spawn(sibling, { name: 'steady' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 10);
      expectSubscriptions(sibling.subscriptions).toBe('^---------!');
      expectObservable(app.phases$.pipe(map((phase) => phase[0]))).toBe('(sr)------(sdfs|)');
      expectObservable(app.outcome$.pipe(map((o) => o.errors))).toBe('10ms (e|)', { e: [{ source: 'group', name: 'g/flaky', error: boom }] });
    });
  });

  it('without onError and without an app, logs child errors with console.error', () => {
    const boom = new Error('boom');
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      testScheduler.run(({ cold }) => {
        const group = taskGroup({ name: 'g', mode: 'persistent' });
        group.spawn(cold('-#', undefined, boom), { name: 'x' });
        group.done$.subscribe();
      });
      expect(spy).toHaveBeenCalledWith("rxrun: taskGroup 'g': task 'x' failed:", boom);
    } finally {
      spy.mockRestore();
    }
  });

  it('reports an error thrown by onError to the app', () => {
    const boom = new Error('boom');
    const broken = new Error('onError broke');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g', mode: 'persistent', onError: () => { throw broken; } });
        group.spawn(cold('-#', undefined, boom), { name: 'x' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 3);
      expectObservable(app.outcome$.pipe(map((o) => o.errors))).toBe('3ms (e|)', { e: [{ source: 'group', name: 'g/x', error: broken }] });
    });
  });
});

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe('taskGroup inside an app', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("is torn down by the app's shutdown; a child protected with shutdownWaitsFor detaches and is awaited", () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const plain = cold('-a-a-a-a-a-a-a-a-a-a-');
      const save = cold('  ------------|');
      let group: TaskGroup | undefined;
      const app = runTestApp((ctx) => {
        group = taskGroup({ name: 'g' });
        group.spawn(plain, { name: 'plain' });
        group.spawn(save.pipe(shutdownWaitsFor(ctx, { name: 'save' })), { name: 'save' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(plain.subscriptions).toBe('^---!');
      expectSubscriptions(save.subscriptions).toBe('^-----------!');
      // finalizing waits for the protected save (12), not for the group's cancellation (4).
      expectObservable(app.phases$).toBe('(sr)(qd) 4ms (fx|)', PHASES);
      expectObservable(app.eventsOf$('protected-pending').pipe(map((e) => e.names))).toBe('4ms a 7ms |', { a: ['save'] });
      testScheduler.schedule(() => {
        expect(group?.state).toBe('ended');
        expect(() => group?.spawn(NEVER, { name: 'late' })).toThrow(TaskGroupClosedError);
      }, 5);
    });
  });

  it('works the same when done$ is spawned with app.spawn (the protected child is awaited)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('------------|');
      const app = runTestApp((ctx) => {
        const group = taskGroup({ name: 'g' });
        ctx.spawn(group.done$, { name: 'group' });
        group.spawn(save.pipe(shutdownWaitsFor(ctx, { name: 'save' })), { name: 'save' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(save.subscriptions).toBe('^-----------!');
      expectObservable(app.phases$).toBe('(sr)(qd) 4ms (fx|)', PHASES);
    });
  });

  it('without shutdownWaitsFor, the same child is cancelled at the shutdown', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('------------|');
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g' });
        group.spawn(save, { name: 'save' });
        return group.done$;
      });
      app.port.signal('SIGTERM', 4);
      expectSubscriptions(save.subscriptions).toBe('^---!');
      expectObservable(app.phases$).toBe('(sr)(qdfx|)', PHASES);
    });
  });

  it('refuses spawns while the app is stopping (app-stopping)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      let refused: unknown;
      const app = runTestApp((ctx) => {
        const group = taskGroup({ name: 'g', app: ctx });
        group.spawn(NEVER, { name: 'forever' });
        ctx.onShutdown(() => {
          try {
            group.spawn(NEVER, { name: 'too-late' });
          } catch (error) {
            refused = error;
          }
          return cold('-|');
        });
        return group.done$;
      });
      app.port.signal('SIGTERM', 2);
      expectObservable(app.outcome$.pipe(map(() => refused))).toBe('3ms (e|)', {
        e: new TaskGroupClosedError('g', 'too-late', 'app-stopping'),
      });
      testScheduler.schedule(() => expect((refused as Error).message).toMatch(/taskGroup 'g' belongs to an app that is stopping; cannot spawn 'too-late'/), 4);
    });
  });

  it('a failed fail-fast group spawned into the app escalates through the task error policy', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(() => {
        const group = taskGroup({ name: 'g' });
        group.spawn(NEVER);
        group.spawn(cold('--#', undefined, boom));
        return group.done$;
      });
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.errors[0]?.source, (o.errors[0]?.error as AggregateError).errors]))).toBe('--(o|)', {
        o: ['error', 'task', [boom]],
      });
      expectObservable(app.exitCode$).toBe('--(c|)', { c: 1 });
    });
  });

  it('main may recover a failed group with catchError (the AggregateError lists every error)', () => {
    const boom = new Error('boom');
    testScheduler.run(({ cold, expectObservable }) => {
      const app = runTestApp(
        () => {
          const group = taskGroup();
          group.spawn(cold('-#', undefined, boom));
          return group.done$.pipe(catchError(() => of('recovered')));
        },
        { until: 'main-complete' },
      );
      expectObservable(app.outcome$.pipe(map((o) => o.status))).toBe('-(o|)', { o: 'ok' });
      expectObservable(app.phases$.pipe(filter((p) => p === 'stopped'))).toBe('-(x|)', { x: 'stopped' });
    });
  });
});

/** Emits 0, 1, 2, … up to `limit` synchronously on subscribe, stopping once its subscriber is closed; counts what it sent. */
function syncCounter(limit: number): { source: Observable<number>; sent: () => number } {
  let sent = 0;
  const source = new Observable<number>((subscriber) => {
    for (let i = 0; i < limit && !subscriber.closed; i += 1) {
      sent += 1;
      subscriber.next(i);
    }
  });
  return { source, sent: () => sent };
}

describe('taskGroup re-entrancy', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('group.cancel() from a results$ subscriber, during a synchronous emission, stops the child at once', () => {
    const group = taskGroup<number>();
    group.done$.subscribe();
    const counter = syncCounter(1000);
    const seen: number[] = [];
    group.results$.subscribe(({ value }) => {
      seen.push(value);
      if (value === 1) group.cancel();
    });
    group.spawn(counter.source, { name: 'counter' });
    expect(seen).toEqual([0, 1]);
    expect(counter.sent()).toBe(2);
    expect(group.state).toBe('ended');
  });

  it('a sibling failing during another child\'s synchronous emissions (fail-fast) stops that child at once', () => {
    const group = taskGroup<number>();
    let failNow: (() => void) | undefined;
    group.spawn(new Observable<never>((subscriber) => { failNow = () => subscriber.error(new Error('sibling')); }), { name: 'sibling' });
    const counter = syncCounter(1000);
    group.results$.subscribe(({ value }) => {
      if (value === 2) failNow?.();
    });
    let failed: unknown;
    group.done$.subscribe({ error: (error: unknown) => (failed = error) });
    group.spawn(counter.source, { name: 'counter' });
    expect(counter.sent()).toBe(3);
    expect((failed as AggregateError).errors).toEqual([new Error('sibling')]);
  });

  it('a child cancelled by a started-event listener is never subscribed', () => {
    const group = taskGroup();
    group.done$.subscribe();
    let subscribed = 0;
    group.events$.subscribe((e) => {
      if (e.type === 'started') group.cancel();
    });
    group.spawn(defer(() => {
      subscribed += 1;
      return NEVER;
    }), { name: 'x' });
    expect(subscribed).toBe(0);
    expect(group.state).toBe('ended');
  });

  it('a child that spawns into its own group synchronously: both run, the group ends when both ended', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const group = taskGroup<string>();
      const inner = cold('---i|');
      const outer = defer(() => {
        group.spawn(inner, { name: 'inner' });
        return cold('-o|');
      });
      group.spawn(outer, { name: 'outer' });
      expectObservable(group.done$).toBe('----|');
      expectObservable(group.results$).toBe('-o-i|', { o: { name: 'outer', value: 'o' }, i: { name: 'inner', value: 'i' } });
    });
  });

  it('a child erroring synchronously during spawn into a running fail-fast group cancels the running siblings', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const group = taskGroup();
      const sibling = cold('-a-a-a-a-a-');
      group.spawn(sibling, { name: 'sibling' });
      const boom = new Error('sync');
      testScheduler.schedule(() => group.spawn(throwError(() => boom), { name: 'bad' }), 3);
      expectObservable(group.done$.pipe(catchError((error: unknown) => of((error as AggregateError).errors)))).toBe('---(e|)', { e: [boom] });
      expectSubscriptions(sibling.subscriptions).toBe('^--!');
    });
  });
});

/** Node's `gc()`, made available without a command-line flag. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('taskGroup at scale', () => {
  it('10,000 spawn/complete cycles in a long-lived group leave no ended child reachable', async () => {
    const gc = exposeGc();
    const group = taskGroup({ mode: 'persistent', onError: () => undefined });
    group.done$.subscribe();
    const refs: WeakRef<object>[] = [];
    let results = 0;
    let events = 0;
    group.results$.subscribe(() => (results += 1));
    group.events$.subscribe(() => (events += 1));
    for (let i = 0; i < 10_000; i += 1) {
      // Every child is a fresh object: if the group kept it (or its subscription), its WeakRef would stay alive.
      const task = i % 2 === 0 ? defer(() => EMPTY) : defer(() => throwError(() => new Error(`#${i}`)));
      refs.push(new WeakRef(task));
      group.spawn(task);
    }
    expect(group.size).toBe(0);
    expect(events).toBe(20_000);
    await tick();
    gc();
    await tick();
    gc();
    expect(refs.filter((ref) => ref.deref() !== undefined).length).toBe(0);
    expect(group.state).toBe('running');
  });

  it('cancel() of 20,000 queued children cancels each once, in spawn order, and subscribes none', () => {
    const group = taskGroup();
    let subscribed = 0;
    const source = new Observable<never>(() => {
      subscribed += 1;
    });
    for (let i = 0; i < 20_000; i += 1) group.spawn(source, { name: `c${i}` });
    const cancelled: string[] = [];
    group.events$.subscribe((e) => cancelled.push(`${e.type}:${e.name}`));
    group.cancel();
    expect(subscribed).toBe(0);
    expect(cancelled).toHaveLength(20_000);
    expect(cancelled[0]).toBe('cancelled:c0');
    expect(cancelled[19_999]).toBe('cancelled:c19999');
  });

  it('a fail-fast group whose first queued child fails at start cancels 20,000 queued siblings before they start', () => {
    const group = taskGroup();
    let subscribed = 0;
    group.spawn(throwError(() => new Error('first')), { name: 'first' });
    for (let i = 0; i < 20_000; i += 1) group.spawn(defer(() => { subscribed += 1; return NEVER; }));
    let failed: unknown;
    group.done$.subscribe({ error: (error: unknown) => (failed = error) });
    expect(subscribed).toBe(0);
    expect((failed as AggregateError).errors).toHaveLength(1);
  });
});
