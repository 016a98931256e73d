import { NEVER, Observable, catchError, map, of, throwError, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { TaskGroupClosedError, taskGroup, type TaskGroupEvent } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
