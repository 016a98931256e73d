import { Observable, map, NEVER, asyncScheduler, of, queueScheduler, take, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$, type TickErrorInfo, type TimerPolicy, type LifecycleEvent, type TimerMiss } from 'rxrun';
import { newScheduler, collect, timeline, virtualPromise } from '../support/lifecycle';
import { runTestApp } from 'rxrun/testing';

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


/** A scheduler on the test clock whose `now()` can be moved by `offset` (a wall clock that jumps). */
function jumpyClock(base: TestScheduler): SchedulerLike & { offset: number } {
  const clock = {
    offset: 0,
    now: () => base.now() + clock.offset,
    schedule: base.schedule.bind(base) as SchedulerLike['schedule'],
  };
  return clock;
}

/** A tick that only records that it ran (an empty array: no values). */
function record(run: () => unknown): never[] {
  run();
  return [];
}

describe('timer$ hardening', () => {
  let testScheduler: TestScheduler;
  let errorSpy: jest.SpyInstance;

  beforeEach(() => {
    testScheduler = newScheduler();
    errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => errorSpy.mockRestore());

  describe.each(POLICIES)("policy '%s'", (policy) => {
    it('synchronous ticks with take(n) downstream: n values, then nothing left scheduled', () => {
      const seen: number[] = [];
      testScheduler.run(() => {
        timer$(1, (n) => of(n), { policy, scheduler: testScheduler }).pipe(take(3)).subscribe((v) => seen.push(v));
      });
      expect(seen).toEqual([0, 1, 2]);
      expect(testScheduler.actions).toHaveLength(0);
    });

    it('a consumer unsubscribing inside next (synchronous tick value) stops the timer and tears the tick down', () => {
      const log: string[] = [];
      testScheduler.run(() => {
        const subscription = timer$(
          1,
          (n) =>
            new Observable<number>((s) => {
              s.next(n);
              return () => log.push(`teardown ${n}`);
            }),
          { policy, scheduler: testScheduler },
        ).subscribe(() => subscription?.unsubscribe());
        testScheduler.schedule(() => log.push(`closed ${subscription.closed}`), 5);
      });
      // tick 0 emits while its observable is being subscribed: it is torn down right after, and no tick 1 starts
      expect(log).toEqual(['teardown 0', 'closed true']);
      expect(testScheduler.actions).toHaveLength(0);
    });

    it('unsubscribing from inside the running tick() call: the tick never starts late, nothing is left scheduled', () => {
      const subscribed: number[] = [];
      let stopIt = () => undefined as void;
      testScheduler.run(() => {
        const subscription = timer$(
          2,
          (n) => {
            if (n === 1) stopIt();
            return new Observable<never>((s) => {
              subscribed.push(n);
              if (n === 0) s.complete();
            });
          },
          { policy, scheduler: testScheduler },
        ).subscribe();
        stopIt = () => subscription.unsubscribe();
      });
      expect(subscribed).toEqual([0]); // tick 1 was cancelled before its observable was subscribed
      expect(testScheduler.actions).toHaveLength(0);
    });

    it('nothing is left scheduled on the TestScheduler after an unsubscription', () => {
      testScheduler.run(({ cold }) => {
        const subscription = timer$(3, () => cold('a-----b|'), { policy, firstDelay: 1, scheduler: testScheduler }).subscribe();
        testScheduler.schedule(() => subscription.unsubscribe(), 10);
      });
      expect(testScheduler.actions).toHaveLength(0);
    });
  });

  it('a promise tick cancelled while its own tick() call still runs: its signal is aborted and the app awaits it', () => {
    let events: LifecycleEvent[] = [];
    const abortedInside: boolean[] = [];
    testScheduler.run(() => {
      const app = runTestApp((ctx) => {
        const subscription = timer$(
          4,
          (n, _at, signal) => {
            if (n === 1) subscription.unsubscribe(); // the tick stops its own timer from inside tick()
            abortedInside.push(signal.aborted);
            return virtualPromise(ctx.scheduler, 5);
          },
          { name: 'self' },
        ).subscribe();
        return NEVER;
      });
      app.port.signal('SIGTERM', 6);
      events = collect(app.events$);
    });
    expect(abortedInside).toEqual([false, true]);
    // tick 1 (started at 4) settles at 9: the app waits for it, as for any cancelled promise tick
    expect(timeline(events).filter((line) => /protected|stopped/.test(line))).toEqual([
      '6 protected-pending:self tick 1 (cancelled)', '9 protected-drained', '9 phase:stopped', '9 stopped:ok',
    ]);
  });

  it('no active timer handle is left on the real asyncScheduler after an unsubscription', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const subscription = timer$(50, () => of(1), { scheduler: asyncScheduler, firstDelay: 10 }).subscribe();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before + 1);
    subscription.unsubscribe();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });

  it("missedTicks 'burst' after a huge clock jump fires a bounded burst and counts the rest as late", () => {
    const fired: number[] = [];
    const misses: TimerMiss[] = [];
    testScheduler.run(() => {
      const clock = jumpyClock(testScheduler);
      const subscription = timer$(1, (n) => record(() => fired.push(n)), {
        scheduler: clock, missedTicks: 'burst', onMissed: (m) => misses.push(m),
      }).subscribe();
      testScheduler.schedule(() => (clock.offset = 1e12), 2);
      testScheduler.schedule(() => subscription.unsubscribe(), 3);
    });
    expect(fired.length).toBeLessThan(2000);
    expect(fired.slice(0, 2)).toEqual([0, 1]);
    expect(fired[fired.length - 1]).toBe(1e12 + 2);
    const late = misses.filter((m) => m.reason === 'late').reduce((sum, m) => sum + m.count, 0);
    expect(late + fired.length).toBe(1e12 + 3); // every due tick is either fired or counted
  });

  it('a clock that goes backwards does not stall the timer: ticks go on one period apart', () => {
    const firedAt: number[] = [];
    testScheduler.run(() => {
      const clock = jumpyClock(testScheduler);
      const subscription = timer$(10, () => record(() => firedAt.push(testScheduler.now())), { scheduler: clock }).subscribe();
      testScheduler.schedule(() => (clock.offset = -3_600_000), 15); // the wall clock is set back an hour
      testScheduler.schedule(() => subscription.unsubscribe(), 45);
    });
    expect(firedAt).toEqual([0, 10, 20, 30, 40]);
  });

  it('a tiny period with a large elapsed time does not hang (float precision of n·period)', () => {
    const misses: TimerMiss[] = [];
    let fired = 0;
    testScheduler.run(() => {
      const clock = jumpyClock(testScheduler);
      testScheduler.schedule(() => (clock.offset = 1e12), 0);
      const subscription = timer$(1e-6, () => record(() => (fired += 1)), { scheduler: clock, firstDelay: 1, onMissed: (m) => misses.push(m) }).subscribe();
      testScheduler.schedule(() => subscription.unsubscribe(), 1);
    });
    expect(fired).toBeLessThanOrEqual(2); // the grid restarted at the jump
    expect(misses.every((m) => m.reason === 'late')).toBe(true);
    expect(misses[0]?.count).toBeGreaterThan(1e17);
  });

  it("onStop 'finish' with onTickError 'stop': a tick error stops the timer but lets the other running ticks finish", () => {
    const boom = new Error('boom');
    let error: unknown;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold('a-------b|');
      timer$(4, (n) => (n === 1 ? cold('-#', undefined, boom) : slow), { onTickError: 'stop', onStop: 'finish' }).subscribe({
        error: (e: unknown) => (error = e),
      });
      expectSubscriptions(slow.subscriptions).toBe(['^--------!']);
    });
    expect(error).toBe(boom);
  });

  it('a timer that outlives the app it picked reports later tick errors to console.error, not into the stopped app', async () => {
    const boom = new Error('late boom');
    const phases: string[] = [];
    let fail = false;
    testScheduler.run(() => {
      let subscription: { unsubscribe(): void } | undefined;
      const app = runTestApp(() => {
        subscription = timer$(4, () => (fail ? Promise.reject(boom) : of(1)), { scheduler: testScheduler }).subscribe();
        return NEVER;
      });
      app.port.signal('SIGTERM', 3); // the app stops at 3; the timer, subscribed by hand, runs on
      app.events$.subscribe((e) => void (e.type === 'phase' && phases.push(e.phase)));
      testScheduler.schedule(() => (fail = true), 5);
      testScheduler.schedule(() => subscription?.unsubscribe(), 10);
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(phases[phases.length - 1]).toBe('stopped');
    expect(errorSpy.mock.calls.map((c) => String(c[0]).split('\n')[0])).toEqual(["rxrun: timer$ 'timer$' tick 2 failed: Error: late boom"]);
  });

  it("policy 'queue' equals 'accumulate' with concurrency 1", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const work = cold('a-----b|');
      const expected = 'a-----ba-----ba-----ba';
      expectObservable(timer$(4, () => work, { policy: 'queue' }), '^ 21ms !').toBe(expected);
      expectObservable(timer$(4, () => work, { concurrency: 1 }), '^ 21ms !').toBe(expected);
    });
  });

  it('100,000 synchronous queued ticks all run, in order of due time, and leave nothing scheduled', () => {
    let count = 0;
    let inOrder = true;
    testScheduler.run(() => {
      timer$(1, (n) => [n], { policy: 'queue', scheduler: testScheduler }).pipe(take(100_000)).subscribe((n) => {
        inOrder &&= n === count;
        count += 1;
      });
    });
    expect(count).toBe(100_000);
    expect(inOrder).toBe(true);
    expect(testScheduler.actions).toHaveLength(0);
  });
});

describe('timer$ on a scheduler that runs a due action synchronously (queueScheduler)', () => {
  it('take(1) on a synchronous first tick leaves no timer handle armed', () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const seen: number[] = [];
    timer$(60_000, (n) => of(n), { scheduler: queueScheduler }).pipe(take(1)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0]);
    expect(timeouts()).toBe(before);
  });

  it('an unsubscription disarms the pending tick, not the one that already ran', () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const seen: number[] = [];
    const subscription = timer$(60_000, (n) => of(n), { scheduler: queueScheduler }).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0]);
    expect(timeouts()).toBe(before + 1);
    subscription.unsubscribe();
    expect(timeouts()).toBe(before);
  });
});
