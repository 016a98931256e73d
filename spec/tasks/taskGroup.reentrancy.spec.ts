import { NEVER, Observable, catchError, defer, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { taskGroup } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

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
