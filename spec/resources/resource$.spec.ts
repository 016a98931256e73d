import { EMPTY, Observable, defer, firstValueFrom, of, take, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ResourceEmptyError, ResourceTimeoutError, resource$ } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

// Plain use: no app runs in this file, so releases happen at once and failures go to `onError`.

describe('resource$ (plain use, no app)', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('emits the first value of acquire once, never completes, and releases it on unsubscribe', () => {
    const released: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const acquire = cold('--a-b|');
      const release = cold('        ---|');
      const db$ = resource$(() => acquire, (db) => (released.push(`${db}@${testScheduler.now()}`), release), { name: 'db' });
      expectObservable(db$, '^-------!').toBe('--a-----');
      expectSubscriptions(acquire.subscriptions).toBe('^-!');
      expectSubscriptions(release.subscriptions).toBe('--------^--!');
    });
    expect(released).toEqual(['a@8']);
  });

  it('releases exactly once when unsubscribed twice', () => {
    let releases = 0;
    const subscription = resource$(() => of('r'), () => void (releases += 1)).subscribe();
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(releases).toBe(1);
  });

  it('acquires anew for each subscriber and releases each resource once', () => {
    const released: number[] = [];
    let next = 0;
    const counter$ = resource$(() => of((next += 1)), (n) => void released.push(n));
    const first = counter$.subscribe();
    const second = counter$.subscribe();
    second.unsubscribe();
    first.unsubscribe();
    expect(released).toEqual([2, 1]);
  });

  it('keeps an acquire in flight when cancelled and releases its late value once, on arrival', () => {
    const released: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const acquire = cold('-----a|');
      const release = cold('     --|');
      const db$ = resource$(() => acquire, (db) => (released.push(`${db}@${testScheduler.now()}`), release));
      expectObservable(db$, '^-!').toBe('---');
      expectSubscriptions(acquire.subscriptions).toBe('^----!');
      expectSubscriptions(release.subscriptions).toBe('-----^-!');
    });
    expect(released).toEqual(['a@5']);
  });

  it('sends acquire errors to the subscriber and releases nothing', () => {
    const boom = new Error('connect refused');
    const release = jest.fn();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(resource$(() => cold('--#', undefined, boom), release)).toBe('--#', undefined, boom);
    });
    expect(release).not.toHaveBeenCalled();
  });

  it('an acquire that throws synchronously errors the subscriber', () => {
    const boom = new Error('bad config');
    testScheduler.run(({ expectObservable }) => {
      expectObservable(
        resource$(() => {
          throw boom;
        }, jest.fn()),
      ).toBe('#', undefined, boom);
    });
  });

  it('an acquire that completes without a value errors with ResourceEmptyError naming the resource', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(resource$(() => cold('---|'), jest.fn(), { name: 'db' })).toBe(
        '---#',
        undefined,
        expect.objectContaining({ name: 'ResourceEmptyError', resourceName: 'db' }),
      );
    });
    expect(new ResourceEmptyError('db')).toBeInstanceOf(Error);
  });

  it("a late acquire error (after unsubscribe) goes to onError, not lost", () => {
    const boom = new Error('late');
    const onError = jest.fn();
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(resource$(() => cold('----#', undefined, boom), jest.fn(), { name: 'db', onError }), '^-!').toBe('---');
    });
    expect(onError.mock.calls).toEqual([[boom, 'db']]);
  });

  it('reports a release failure to onError with the name', () => {
    const boom = new Error('close failed');
    const onError = jest.fn();
    testScheduler.run(({ cold, expectObservable }) => {
      const db$ = resource$(() => cold('a|'), () => cold('--#', undefined, boom), { name: 'db', onError });
      expectObservable(db$, '^--!').toBe('a---');
    });
    expect(onError.mock.calls).toEqual([[boom, 'db']]);
  });

  it('reports a release that throws synchronously, and falls back to console.error without onError', () => {
    const boom = new Error('close threw');
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      resource$(
        () => of(1),
        () => {
          throw boom;
        },
        { name: 'db' },
      )
        .subscribe()
        .unsubscribe();
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[0])).toContain("resource 'db' failed: Error: close threw");
    } finally {
      spy.mockRestore();
    }
  });

  it('cancels a release that exceeds timeout and reports a ResourceTimeoutError at that frame', () => {
    const onError = jest.fn();
    const reportedAt: number[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const release = cold('--------|');
      onError.mockImplementation(() => reportedAt.push(testScheduler.now()));
      const db$ = resource$(() => cold('a|'), () => release, { name: 'db', timeout: 3, scheduler: testScheduler, onError });
      expectObservable(db$, '^-!').toBe('a--');
      expectSubscriptions(release.subscriptions).toBe('--^--!');
    });
    expect(reportedAt).toEqual([5]);
    const [error, name] = onError.mock.calls[0] as [ResourceTimeoutError, string];
    expect(error).toBeInstanceOf(ResourceTimeoutError);
    expect(error).toMatchObject({ name: 'ResourceTimeoutError', resourceName: 'db', timeoutMs: 3 });
    expect(name).toBe('db');
  });

  it('when onError throws, both errors reach console.error', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const onError = () => {
        throw new Error('sink broke');
      };
      resource$(() => of(1), () => throwError(() => new Error('close failed')), { onError })
        .subscribe()
        .unsubscribe();
      expect(spy.mock.calls.map((call) => String(call[0]))).toEqual([
        expect.stringContaining('sink broke'),
        expect.stringContaining('close failed'),
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('works with promises (real time): acquire and release are awaited', async () => {
    const log: string[] = [];
    const db = await firstValueFrom(
      resource$(
        async () => (log.push('acquire'), 'db'),
        async (value) => void log.push(`release ${value}`),
      ),
    );
    expect(db).toBe('db');
    expect(log).toEqual(['acquire', 'release db']);
  });

  it('unsubscribing from inside the emission (take(1)) releases once', () => {
    let releases = 0;
    const values: string[] = [];
    resource$(() => of('r'), () => void (releases += 1))
      .pipe(take(1))
      .subscribe((value) => values.push(value));
    expect(values).toEqual(['r']);
    expect(releases).toBe(1);
  });

  it('a release returning EMPTY or an Observable that emits values still counts as released once', () => {
    const calls: string[] = [];
    resource$(() => of('a'), () => (calls.push('a'), EMPTY)).subscribe().unsubscribe();
    resource$(
      () => of('b'),
      () =>
        defer(() => {
          calls.push('b');
          return new Observable<number>((subscriber) => {
            subscriber.next(1);
            subscriber.next(2);
            subscriber.complete();
          });
        }),
    )
      .subscribe()
      .unsubscribe();
    expect(calls).toEqual(['a', 'b']);
  });

  it('infers the resource type from acquire (promise, observable, array) for release and subscribers', async () => {
    const closed: string[] = [];
    const client$ = resource$(
      async () => ({ url: 'pg://x', close: async () => void closed.push('pg') }),
      (client) => client.close(),
    );
    const numbers$ = resource$(() => of(1, 2), (n) => void closed.push(`n${n.toFixed(0)}`));
    const url: string = (await firstValueFrom(client$)).url;
    const n: number = await firstValueFrom(numbers$);
    expect([url, n]).toEqual(['pg://x', 1]);
    expect(closed).toEqual(['pg', 'n1']);
  });
});
