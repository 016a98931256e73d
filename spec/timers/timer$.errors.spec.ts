import { Observable, map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type TickErrorInfo, type TimerPolicy } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

const POLICIES: TimerPolicy[] = ['accumulate', 'cancel', 'skip', 'queue'];

describe('timer$ tick errors', () => {
  let testScheduler: TestScheduler;
  let errorSpy: jest.SpyInstance;

  beforeEach(() => {
    testScheduler = newScheduler();
    errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => errorSpy.mockRestore());

  const consoleLines = () => errorSpy.mock.calls.map((call) => String(call[0]).split('\n')[0]);

  describe.each(POLICIES)("policy '%s'", (policy) => {
    it("'continue' (default): a failing tick is reported and ticking goes on", () => {
      const boom = new Error('boom');
      testScheduler.run(({ cold, expectObservable }) => {
        const out$ = timer$(4, (n) => (n === 1 ? cold('-#', undefined, boom) : cold('-a|')), { policy });
        expectObservable(out$, '^ 14ms !').toBe('-a-------a---a-');
      });
      expect(consoleLines()).toEqual(["rxrun: timer$ 'timer$' tick 1 failed: Error: boom"]);
    });

    it('an onTickError function receives the error and the tick instead of console.error', () => {
      const boom = new Error('boom');
      const reported: [unknown, TickErrorInfo][] = [];
      testScheduler.run(({ cold, expectObservable }) => {
        const out$ = timer$(4, (n) => (n === 2 ? cold('-#', undefined, boom) : cold('-a|')), {
          policy, name: 'poll', onTickError: (error, info) => reported.push([error, info]),
        });
        expectObservable(out$, '^ 14ms !').toBe('-a---a-------a-');
      });
      expect(reported).toEqual([[boom, { name: 'poll', n: 2, scheduledAt: 8, state: 'running' }]]);
      expect(errorSpy).not.toHaveBeenCalled();
    });

    it("'stop': the first tick error errors the timer, and running ticks are torn down", () => {
      const boom = new Error('boom');
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('a-------b|');
        const out$ = timer$(4, (n) => (n === 1 ? cold('-#', undefined, boom) : slow), { policy, onTickError: 'stop' });
        // accumulate: tick 1 runs beside tick 0 and fails at 5: tick 0 is torn down; cancel: tick 0 was cancelled at 4;
        // queue: tick 1 waits for tick 0 (until 9) and fails at 10; skip: tick 1 is skipped, so no error comes.
        if (policy === 'accumulate') {
          expectObservable(out$).toBe('a----#', undefined, boom);
          expectSubscriptions(slow.subscriptions).toBe(['^----!']);
        } else if (policy === 'cancel') {
          expectObservable(out$).toBe('a----#', undefined, boom);
          expectSubscriptions(slow.subscriptions).toBe(['^---!']);
        } else if (policy === 'queue') {
          expectObservable(out$).toBe('a-------b-#', undefined, boom);
          expectSubscriptions(slow.subscriptions).toBe(['^--------!']);
        } else {
          expectObservable(out$, '^ 13ms !').toBe('a-------b---a-');
        }
      });
      expect(errorSpy).not.toHaveBeenCalled();
    });

    it('a tick function that throws, or returns something that is not an ObservableInput, is a tick error', () => {
      testScheduler.run(({ cold, expectObservable }) => {
        const out$ = timer$(
          4,
          (n) => {
            if (n === 1) throw new Error('sync throw');
            if (n === 2) return 42 as unknown as Observable<string>;
            return cold<string>('-a|');
          },
          { policy },
        );
        expectObservable(out$, '^ 14ms !').toBe('-a-----------a-');
      });
      expect(consoleLines()).toEqual([
        "rxrun: timer$ 'timer$' tick 1 failed: Error: sync throw",
        expect.stringMatching(/^rxrun: timer\$ 'timer\$' tick 2 failed: TypeError: You provided/),
      ]);
    });

    it('an error thrown by a tick\'s teardown — on its end or on the stop — is reported, never thrown into the scheduler or the unsubscriber', () => {
      testScheduler.run(() => {
        const out$ = timer$(
          4,
          (n) =>
            new Observable<number>((subscriber) => {
              if (n === 0) testScheduler.schedule(() => subscriber.complete(), 1);
              return () => {
                throw new Error(`teardown ${n}`);
              };
            }),
          { policy },
        );
        const subscription = out$.subscribe();
        testScheduler.schedule(() => expect(() => subscription.unsubscribe()).not.toThrow(), 6);
      });
      // tick 0 ends at 1 (its teardown throws); tick 1 runs from 4 and is torn down by the stop at 6
      expect(consoleLines()).toEqual(["rxrun: timer$ 'timer$' tick 0 failed: Error: teardown 0", "rxrun: timer$ 'timer$' tick 1 failed: Error: teardown 1"]);
    });
  });

  it("'cancel' policy: an error thrown while the running tick is cancelled is reported and ticking goes on, even under onTickError 'stop' (aiotools' CANCEL bug)", () => {
    testScheduler.run(({ expectObservable }) => {
      const out$ = timer$(
        4,
        (n) =>
          new Observable<string>((subscriber) => {
            subscriber.next(`t${n}`);
            return () => {
              throw new Error(`cleanup ${n} failed`);
            };
          }),
        { policy: 'cancel', onTickError: 'stop' },
      );
      expectObservable(out$, '^ 9ms !').toBe('a---b---c-', { a: 't0', b: 't1', c: 't2' });
    });
    expect(consoleLines()).toEqual([
      "rxrun: timer$ 'timer$' tick 0 failed: Error: cleanup 0 failed",
      "rxrun: timer$ 'timer$' tick 1 failed: Error: cleanup 1 failed",
      "rxrun: timer$ 'timer$' tick 2 failed: Error: cleanup 2 failed",
    ]);
  });

  it("the teardown error of a cancelled tick reaches an onTickError function with state 'cancelled'", () => {
    const states: string[] = [];
    testScheduler.run(() => {
      const subscription = timer$(
        4,
        () =>
          new Observable<never>(() => () => {
            throw new Error('cleanup');
          }),
        { policy: 'cancel', onTickError: (_error, info) => states.push(`${info.n}:${info.state}`) },
      ).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 5);
    });
    expect(states).toEqual(['0:cancelled', '1:cancelled']);
  });

  it('an onTickError function that throws: its own error goes the default way (console.error without an app)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const out$ = timer$(4, (n) => (n === 0 ? cold('#') : cold('a|')), {
        onTickError: () => {
          throw new Error('handler broke');
        },
      });
      expectObservable(out$, '^ 5ms !').toBe('----a-');
    });
    expect(consoleLines()).toEqual(["rxrun: timer$ 'timer$' tick 0 failed: Error: handler broke"]);
  });

  it('an onMissed callback that throws is reported and ticking goes on', () => {
    const reported: TickErrorInfo[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const out$ = timer$(4, (n) => cold('a-----b|').pipe(map((v) => `${v}${n}`)), {
        policy: 'skip',
        onMissed: () => {
          throw new Error('metrics down');
        },
        onTickError: (_error, info) => reported.push(info),
      });
      expectObservable(out$, '^ 8ms !').toBe('a-----b-c', { a: 'a0', b: 'b0', c: 'a2' });
    });
    expect(reported).toEqual([{ name: 'timer$', n: 1, scheduledAt: 4, state: 'missed' }]);
  });

  it('a promise tick that rejects is a tick error like any other (reported, ticking goes on)', async () => {
    const reported: unknown[] = [];
    const values: number[] = [];
    const subscription = timer$(1, (n) => (n === 0 ? Promise.reject(new Error('rejected')) : Promise.resolve(n)), {
      onTickError: (error, info) => reported.push((error as Error).message, info.n),
      scheduler: testScheduler,
    }).subscribe((value) => values.push(value));
    testScheduler.flush(); // ticks 0..750 (the TestScheduler's frame limit outside run mode) are started
    await Promise.resolve();
    await Promise.resolve();
    subscription.unsubscribe();
    expect(reported).toEqual(['rejected', 0]);
    expect(values.slice(0, 3)).toEqual([1, 2, 3]);
  });
});
