import { NEVER, map, take, takeUntil, timer, takeWhile, interval, Observable, filter } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runApp$, shutdownWaitsFor, type LifecycleEvent, type AppContext, type Phase, fromAbortSignal, untilShutdown, type AppMain, type RunAppOptions } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, label, newScheduler, timeline } from '../support/lifecycle';

describe('runApp$', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('is cold: nothing runs until subscribed, and each subscription runs its own app', () => {
    let started = 0;
    testScheduler.run(({ expectObservable }) => {
      const port = createTestProcess();
      const app$ = runApp$(
        (app) => {
          started += 1;
          // 5, not 4: the marble group (abr) spans frames 0-4
          return timer(5).pipe(map(() => app.stop()));
        },
        { process: port, logger: false },
      );
      expect(started).toBe(0);
      expectObservable(app$.pipe(map(label))).toBe('(abr)(cdeifghx|)', {
        a: 'phase:starting',
        b: 'phase:running',
        r: 'ready-sent', // no serve$ to wait for: ready once running (the test port has an IPC channel)
        c: 'shutdown-requested:stop',
        d: 'phase:stopping',
        e: 'phase:draining',
        i: 'tasks-cancelled:1',
        f: 'phase:finalizing',
        g: 'finalizers-start:0',
        h: 'phase:stopped',
        x: 'stopped:ok',
      });
      expectObservable(app$.pipe(map(label), take(1)), '--^').toBe('--(a|)', { a: 'phase:starting' });
    });
    expect(started).toBe(2);
  });

  it('main$.pipe(runApp$(options)) emits the same as runApp$(main$, options)', () => {
    let piped: LifecycleEvent[] = [];
    let direct: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const main$ = cold('--a--b--|');
      const options = (process: ReturnType<typeof createTestProcess>) => ({ process, logger: false as const, until: 'main-complete' as const });
      piped = collect(main$.pipe(runApp$(options(createTestProcess()))));
      direct = collect(runApp$(main$, options(createTestProcess())));
    });
    expect(piped).toEqual(direct);
    expect(timeline(piped)).toEqual([
      '0 phase:starting',
      '0 phase:running',
      '0 ready-sent',
      '8 shutdown-requested:main-complete',
      '8 phase:stopping',
      '8 phase:draining',
      '8 tasks-cancelled:0',
      '8 phase:finalizing',
      '8 finalizers-start:0',
      '8 phase:stopped',
      '8 stopped:ok',
    ]);
  });

  it('also works as an operator with no options', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const operator = runApp$();
      expect(typeof operator).toBe('function');
      const events$ = cold('-|').pipe(runApp$({ until: 'main-complete', logger: false, process: createTestProcess() }));
      expectObservable(events$.pipe(map(label), take(2))).toBe('(ab|)', { a: 'phase:starting', b: 'phase:running' });
    });
  });

  it('abandons the app when unsubscribed early: tasks and protected work torn down, listeners removed, no finalizer runs', () => {
    let finalized = false;
    let hooked = false;
    const port = createTestProcess();
    testScheduler.run(({ cold, hot, expectSubscriptions, expectObservable }) => {
      const task = hot('-a-b-c-d-e-');
      const work = cold('-----------------|');
      const app$ = runApp$(
        (app) => {
          app.defer(() => void (finalized = true));
          app.onShutdown(() => void (hooked = true));
          return [task, work.pipe(shutdownWaitsFor(app, { shield: true }))];
        },
        { process: port, logger: false },
      );
      const unsubscribeAt = cold('-----x|'); // at 5: the marble group (abr) spans frames 0-4
      expectObservable(app$.pipe(map(label), takeUntil(unsubscribeAt))).toBe('(abr)|', { a: 'phase:starting', b: 'phase:running', r: 'ready-sent' });
      expectSubscriptions(task.subscriptions).toBe('^----!');
      expectSubscriptions(work.subscriptions).toBe('^----!');
    });
    expect(finalized).toBe(false);
    expect(hooked).toBe(false);
    expect(port.listenerCount()).toBe(0);
    expect(port.keepAlives).toBe(0);
  });

  it('never touches the exit status of the process', () => {
    const port = createTestProcess();
    const types: string[] = [];
    testScheduler.run(() => {
      port.signal('SIGTERM', 2);
      runApp$(NEVER, { process: port, logger: false }).subscribe((e) => types.push(e.type));
    });
    expect(types[types.length - 1]).toBe('stopped');
    expect(port.exitCode).toBeUndefined();
    expect(port.raisedSignal).toBeUndefined();
  });
});

describe('abandoning (unsubscribing runApp$ before stopped)', () => {
  // Regression (found in review), the defect it guards against: unsubscribing from runApp$ inside a lifecycle-event handler during the synchronous part of the
  // shutdown flow (the common `takeWhile` / `take` / `first` pattern) does not stop the flow: `flow` is not yet
  // assigned and drain()/finalizeAll() never check for `stopped`.
  const untilPhase = (phase: Phase) => takeWhile((e: LifecycleEvent) => !(e.type === 'phase' && e.phase === phase));

  describe('abandoning from an event handler', () => {
    it('no finalizer runs and the phase stays `stopped` after abandoning at `draining`', () => {
      const testScheduler = newScheduler();
      const ran: string[] = [];
      let app: AppContext | undefined;
      testScheduler.run(() => {
        const port = createTestProcess();
        port.signal('SIGTERM', 1);
        runApp$(
          (ctx) => {
            ctx.defer(() => void ran.push(`finalizer ran in phase ${ctx.phase}`), { name: 'db' });
            app = ctx;
            return NEVER;
          },
          { process: port, logger: false },
        )
          .pipe(untilPhase('draining'))
          .subscribe();
      });
      // runApp$ TSDoc/README: "Unsubscribing before stopped abandons the app: … no hook or finalizer runs".
      expect(ran).toEqual([]); // before the fix: ['finalizer ran in phase finalizing']
      expect(app?.phase).toBe('stopped');
    });

    it('abandoning at the `stopping` phase event leaves no scheduled budget timer behind', () => {
      const testScheduler = newScheduler();
      const port = createTestProcess({ scheduler: testScheduler });
      runApp$(NEVER, { process: port, logger: false, scheduler: testScheduler })
        .pipe(untilPhase('stopping'))
        .subscribe();
      port.signal('SIGTERM');
      expect(port.listenerCount()).toBe(0);
      // before the fix: 1 — the 25 s budget action is scheduled after abandon() ran (with asyncScheduler, a live
      // setInterval that holds the process open for 25 s after the app was abandoned).
      expect(testScheduler.actions.length).toBe(0);
    });
  });

  describe('abandoning ends the side work bounded by the app', () => {
    // Regression (found in review), the defect it guards against: abandoning an app (unsubscribing runApp$ before `stopped`) completes shutdown$ without a
    // value and never aborts app.signal. Work the app started outside its task root and bounded with
    // `untilShutdown(app)` / `fromAbortSignal(app.signal)` (the README's own patterns) then runs forever.
    it('after abandon, untilShutdown(app) and app.signal end the app\'s side work', () => {
      const testScheduler = newScheduler();
      let app: AppContext | undefined;
      const ended: string[] = [];
      testScheduler.run(() => {
        const subscription = runApp$(
          (ctx) => {
            app = ctx;
            // take(50) only bounds the test; the work should end at the abandon (frame 3)
            interval(1).pipe(take(50), untilShutdown(ctx)).subscribe({ complete: () => ended.push(`untilShutdown @${testScheduler.now()}`) });
            interval(1).pipe(take(50), takeUntil(fromAbortSignal(ctx.signal))).subscribe({ complete: () => ended.push(`signal @${testScheduler.now()}`) });
            return NEVER;
          },
          { process: createTestProcess(), logger: false },
        ).subscribe();
        testScheduler.schedule(() => subscription.unsubscribe(), 3);
      });
      expect(app?.phase).toBe('stopped');
      expect(app?.signal.aborted).toBe(true); // before the fix: false
      expect(ended.sort()).toEqual(['signal @3', 'untilShutdown @3']); // before the fix: both run on to frame 50
    });
  });

  describe('abandoning when a teardown and the logger throw', () => {
    // Regression (found in review), the defect it guards against: during abandon (phase already 'stopped') reportError() calls logger.error unguarded. If the
    // logger throws while a task's teardown error is reported, the throw escapes Task.unsubscribe and cuts
    // TaskRoot.tearDown short: later tasks are never torn down (the defect fixed for teardowns comes back
    // through the logger), and abandon() throws to the unsubscriber.
    it('abandon tears down every task even when a teardown and the logger both throw', () => {
      const testScheduler = newScheduler();
      const tornDown: string[] = [];
      let escaped: unknown;
      testScheduler.run(() => {
        const subscription = runApp$(
          () => [
            new Observable(() => () => {
              tornDown.push('a');
              throw new Error('a: close failed');
            }),
            new Observable(() => () => void tornDown.push('b')),
          ],
          { process: createTestProcess(), logger: { error: () => { throw new Error('log sink down'); } } },
        ).subscribe();
        testScheduler.schedule(() => {
          try {
            subscription.unsubscribe();
          } catch (error) {
            escaped = error;
          }
        }, 2);
      });
      expect(tornDown).toEqual(['a', 'b']); // before the fix: ['a'] — task b leaks
      expect(escaped).toBeUndefined(); // before the fix: UnsubscriptionError('log sink down')
    });
  });

  describe('abandoning with a throwing teardown', () => {
    // A teardown error while the app is abandoned has no outcome to land in: it is logged, exactly once.
    it('logs a teardown error raised while abandoning exactly once', () => {
      const lines: string[] = [];
      const subscription = runApp$(
        () =>
          new Observable(() => () => {
            throw new Error('socket close failed');
          }),
        { process: createTestProcess(), logger: { error: (line) => lines.push(line) } },
      ).subscribe();
      subscription.unsubscribe();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^rxrun: teardown error while the app stopped: Error: socket close failed/);
    });
  });
});

describe('event order', () => {
  // Regression (found in review), the defect it guards against: an `app.events$` listener that reacts synchronously (here: stops the app once it is running,
  // a "run once" job) re-enters emit(): the nested events reach the runApp$ subscriber before the event
  // that triggered them, and an event emitted just before a synchronous run to `stopped` is lost.
  function runWith(main: AppMain, options: RunAppOptions = {}): string[] {
    const events: LifecycleEvent[] = [];
    newScheduler().run(() => {
      runApp$(main, { process: createTestProcess(), logger: false, ...options }).subscribe((event) => events.push(event));
    });
    return events.map(label);
  }

  describe('runApp$ event order when an app.events$ listener reacts synchronously', () => {
    it('`phase:running` reaches the runApp$ subscriber before the shutdown it caused', () => {
      const labels = runWith((app) => {
        app.events$.pipe(filter((e) => e.type === 'phase' && e.phase === 'running')).subscribe(() => app.stop());
        app.onShutdown(() => timer(2), { name: 'flush' });
        return NEVER;
      });
      // before the fix: starting, shutdown-requested, stopping, hook-start, running, hook-end, …
      expect(labels.slice(0, 5)).toEqual([
        'phase:starting', 'phase:running', 'shutdown-requested:stop', 'phase:stopping', 'hook-start:flush',
      ]);
    });

    it('an `error` event is not lost when a listener of it stops the app (isolate policy)', () => {
      const labels = runWith(
        (app) => {
          app.events$.pipe(filter((e) => e.type === 'error')).subscribe(() => app.stop('fatal error seen'));
          return [NEVER, timer(3, app.scheduler).pipe(filter(() => { throw new Error('job failed'); }))];
        },
        { onTaskError: 'isolate' },
      );
      // before the fix: the 'error:task:main[1]' event never reaches runApp$ (it arrives after `stopped`/complete).
      expect(labels).toContain('error:task:main[1]');
      expect(labels.indexOf('error:task:main[1]')).toBeLessThan(labels.indexOf('shutdown-requested:stop'));
    });
  });
});
