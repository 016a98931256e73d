// The runtime's own wiring (createRuntime.ts), each test named after what a surviving mutant broke
// (issue 9): what happens after the app stopped or was abandoned, the logger's failures, the ready
// signal's window, the extension face (`AppInternals`) by phase.
import { EMPTY, NEVER, Subject, filter, lastValueFrom, map, of, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { NoCurrentAppError, runApp$, shutdownWaitsFor, untilShutdown, type AppContext, type LifecycleEvent, type Logger } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { resolveApp } from '../../lib/core/appRegistry';
import { coreEventLog } from '../../lib/core/coreEventLog';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';
import { withOwnTimers } from '../support/ownTimers';

const linesOf = (lines: string[]): Logger => ({
  info: (line) => lines.push(line),
  warn: (line) => lines.push(line),
  error: (line) => lines.push(line),
});

describe('createRuntime', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  describe('after the app stopped', () => {
    function stoppedApp(logger: Logger | false = false) {
      let app: AppContext | undefined;
      let events: LifecycleEvent[] = [];
      const port = createTestProcess();
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          app = ctx;
          return NEVER;
        }, { logger, process: port });
        events = collect(test.events$);
        port.signal('SIGTERM', 3);
      });
      return { app: app as AppContext, internals: resolveApp(app, 'spec'), events, port };
    }

    it('a stop request writes no line and adds no event', () => {
      const lines: string[] = [];
      const { app, events } = stoppedApp(linesOf(lines));
      const written = lines.length;
      const count = events.length;
      app.stop('late');
      expect(lines.slice(written)).toEqual([]);
      expect(events).toHaveLength(count);
      expect(outcomeOf(events).laterReasons).toEqual([]);
    });

    it("an extension's event is dropped, unlogged", () => {
      const lines: string[] = [];
      const { internals } = stoppedApp(linesOf(lines));
      expect(lines.some((line) => line.includes('entering shutdown phase'))).toBe(true);
      const written = lines.length;
      internals.emit({ type: 'shutdown-requested', reason: { kind: 'stop' }, first: true, at: 0 }, coreEventLog);
      expect(lines.slice(written)).toEqual([]);
    });

    it('a finalizer is refused (undefined), and protected work is not registered', () => {
      const { internals } = stoppedApp();
      expect(internals.addFinalizer('late', () => EMPTY)).toBeUndefined();
      expect(internals.protect('late', () => undefined)).toBeUndefined();
      expect(internals.phase).toBe('stopped');
    });

    it('the parent sender refuses', () => {
      const { internals, port } = stoppedApp();
      const before = [...port.sent];
      expect(internals.sendToParent('late')).toBe(false);
      expect(port.sent).toEqual(before);
    });
  });

  describe('the extension face while running', () => {
    it('addFinalizer while running returns a handle and the finalizer runs at finalizing', () => {
      const ran: string[] = [];
      let handle: unknown;
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          handle = resolveApp(ctx, 'spec').addFinalizer('db', () => {
            ran.push(`db@${ctx.phase}`);
            return EMPTY;
          });
          return NEVER;
        });
        test.port.signal('SIGTERM', 2);
      });
      expect(handle).toBeDefined();
      expect(ran).toEqual(['db@finalizing']);
    });

    it("an extension's finalizer cut off by the budget is reported as a finalizer", () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          resolveApp(ctx, 'spec').addFinalizer('db', () => NEVER);
          return NEVER;
        }, { shutdownTimeout: 10 });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
      });
      expect(outcomeOf(events).report?.pending).toEqual([{ kind: 'finalizer', name: 'db', state: 'running' }]);
    });

    it('protect is refused while finalizing, accepted before', () => {
      const tickets: Record<string, unknown> = {};
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          const internals = resolveApp(ctx, 'spec');
          const early = internals.protect('early', () => undefined);
          tickets['running'] = early;
          early?.done();
          ctx.defer(() => {
            tickets['finalizing'] = internals.protect('late', () => undefined);
          });
          return NEVER;
        });
        test.port.signal('SIGTERM', 2);
      });
      expect(tickets['running']).toBeDefined();
      expect(tickets['finalizing']).toBeUndefined();
    });

    it('remainingBudget: Infinity while running without a request and while starting with one; counted from the request after', () => {
      const seen: Record<string, number> = {};
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          const internals = resolveApp(ctx, 'spec');
          seen['starting, no request'] = internals.remainingBudget();
          ctx.stop();
          seen['starting, requested'] = internals.remainingBudget();
          ctx.onShutdown(() => {
            seen['stopping'] = internals.remainingBudget();
            return new Subject<never>();
          });
          return NEVER;
        }, { shutdownTimeout: 100 });
        collect(test.events$);
      });
      expect(seen).toEqual({ 'starting, no request': Infinity, 'starting, requested': Infinity, stopping: 100 });
    });

    it('remainingBudget while running: Infinity, then the budget less the time since the request', () => {
      const seen: number[] = [];
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          const internals = resolveApp(ctx, 'spec');
          testScheduler.schedule(() => seen.push(internals.remainingBudget()), 1);
          testScheduler.schedule(() => seen.push(internals.remainingBudget()), 10);
          ctx.onShutdown(() => NEVER);
          return NEVER;
        }, { shutdownTimeout: 100 });
        test.port.signal('SIGTERM', 4);
      });
      expect(seen).toEqual([Infinity, 94]);
    });
  });

  describe('app.stop', () => {
    it('without a detail the reason has no detail key; with one it carries it', () => {
      const reasons: unknown[] = [];
      for (const detail of [undefined, 'deploy']) {
        let events: LifecycleEvent[] = [];
        testScheduler = newScheduler();
        testScheduler.run(() => {
          events = collect(runTestApp((ctx) => {
            ctx.stop(detail);
            return NEVER;
          }).events$);
        });
        reasons.push(outcomeOf(events).reason);
      }
      expect(reasons[0]).toStrictEqual({ kind: 'stop' });
      expect(reasons[1]).toStrictEqual({ kind: 'stop', detail: 'deploy' });
    });
  });

  describe('spawn', () => {
    it('is refused once the shutdown was requested: task-refused, never subscribed', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold, expectSubscriptions }) => {
        const late = cold('--a--|');
        const test = runTestApp((ctx) => {
          ctx.onShutdown(() => {
            ctx.spawn(late, { name: 'late' });
          });
          return NEVER;
        });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
        expectSubscriptions(late.subscriptions).toBe([]);
      });
      expect(events).toContainEqual({ type: 'task-refused', name: 'late', at: 2 });
    });
  });

  describe('spawn refused in the other windows', () => {
    it('after a stop requested while starting', () => {
      testScheduler.run(({ cold, expectSubscriptions }) => {
        const late = cold('--a--|');
        collect(runTestApp((ctx) => {
          ctx.stop();
          ctx.spawn(late, { name: 'late' });
          return NEVER;
        }).events$);
        expectSubscriptions(late.subscriptions).toBe([]);
      });
    });

    it('after the app was abandoned', () => {
      testScheduler.run(({ cold, expectSubscriptions }) => {
        const late = cold('--a--|');
        let app: AppContext | undefined;
        const subscription = runApp$((ctx) => ((app = ctx), NEVER), { process: createTestProcess(), logger: false }).subscribe();
        testScheduler.schedule(() => {
          subscription.unsubscribe();
          app?.spawn(late, { name: 'late' });
        }, 2);
        expectSubscriptions(late.subscriptions).toBe([]);
      });
    });
  });

  describe('the ending, seen from the app', () => {
    it('after a normal stop: phase stopped, events$ complete, no app left running, no timer left scheduled', () => {
      const scheduler = newScheduler();
      const port = createTestProcess({ scheduler });
      let app: AppContext | undefined;
      let completed = false;
      runApp$((ctx) => {
        app = ctx;
        ctx.events$.subscribe({ complete: () => (completed = true) });
        return NEVER;
      }, { process: port, scheduler, logger: false, shutdownTimeout: 1000 }).subscribe();
      port.signal('SIGTERM', 5);
      scheduler.flush();
      expect(app?.phase).toBe('stopped');
      expect(completed).toBe(true);
      expect(scheduler.actions).toEqual([]);
      const refused: unknown[] = [];
      of(1).pipe(untilShutdown()).subscribe({ error: (error) => refused.push(error) });
      expect(refused).toEqual([expect.any(NoCurrentAppError)]);
      expect(String(refused[0])).toContain('no app is running');
    });

    it('after abandon: phase stopped, no app left running', () => {
      let app: AppContext | undefined;
      testScheduler.run(() => {
        const subscription = runApp$((ctx) => ((app = ctx), NEVER), { process: createTestProcess(), logger: false }).subscribe();
        testScheduler.schedule(() => subscription.unsubscribe(), 2);
      });
      expect(app?.phase).toBe('stopped');
      const refused: unknown[] = [];
      of(1).pipe(untilShutdown()).subscribe({ error: (error) => refused.push(error) });
      expect(refused).toEqual([expect.any(NoCurrentAppError)]);
      expect(String(refused[0])).toContain('no app is running');
    });

    it('an error reported after the stop is a logged line, not an event', () => {
      const lines: string[] = [];
      let events: LifecycleEvent[] = [];
      let app: AppContext | undefined;
      testScheduler.run(() => {
        const test = runTestApp((ctx) => ((app = ctx), NEVER), { logger: linesOf(lines) });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
      });
      const count = events.length;
      resolveApp(app, 'spec').reportError('task', 'late', new Error('too late'));
      expect(lines[lines.length - 1]).toContain('task error while the app stopped');
      expect(events).toHaveLength(count);
    });
  });

  describe('until', () => {
    it("'shutdown' (the default): main completing and no task left keeps the app running", () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(() => {
        const test = runTestApp(() => EMPTY);
        events = collect(test.events$);
        test.port.signal('SIGTERM', 5);
      });
      expect(outcomeOf(events).reason).toEqual({ kind: 'signal', signal: 'SIGTERM' });
    });

    it("'main-complete': a task that ends after running stops the app", () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        events = collect(runTestApp(() => cold('---|'), { until: 'main-complete' }).events$);
      });
      expect(outcomeOf(events)).toMatchObject({ reason: { kind: 'main-complete' } });
      expect(events.find((event) => event.type === 'shutdown-requested')?.at).toBe(3);
    });
  });

  describe('until: main-complete during the shutdown', () => {
    it('the last task ending while stopping requests nothing more', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        const test = runTestApp((ctx) => {
          ctx.onShutdown(() => cold('--------|'));
          return cold('------|');
        }, { until: 'main-complete' });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
      });
      expect(outcomeOf(events)).toMatchObject({ reason: { kind: 'signal', signal: 'SIGTERM' }, laterReasons: [] });
    });
  });

  describe('start', () => {
    it('a listener of the running event that stops the app begins the shutdown once', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(({ cold }) => {
        events = collect(runTestApp((ctx) => {
          ctx.onShutdown(() => cold('--|'));
          ctx.events$.subscribe((event) => {
            if (event.type === 'phase' && event.phase === 'running') ctx.stop();
          });
          return NEVER;
        }).events$);
      });
      const phases = events.flatMap((event) => (event.type === 'phase' ? [event.phase] : []));
      expect(phases).toEqual(['starting', 'running', 'stopping', 'draining', 'finalizing', 'stopped']);
    });

    it('a forced stop while main runs: the app stays stopped (no running phase, no second shutdown)', () => {
      let events: LifecycleEvent[] = [];
      const lines: string[] = [];
      let linesAtStopped = -1;
      const port = createTestProcess();
      testScheduler.run(() => {
        events = collect(runTestApp((ctx) => {
          ctx.events$.subscribe((event) => {
            if (event.type === 'stopped') linesAtStopped = lines.length;
          });
          port.signal('SIGTERM');
          port.signal('SIGINT');
          return NEVER;
        }, { process: port, forceSignals: ['SIGINT'], logger: linesOf(lines) }).events$);
      });
      expect(linesAtStopped).toBeGreaterThan(0);
      expect(lines).toHaveLength(linesAtStopped);
      const phases = events.flatMap((event) => (event.type === 'phase' ? [event.phase] : []));
      expect(phases).toEqual(['starting', 'stopped']);
      expect(outcomeOf(events).status).toBe('forced');
    });

    it('an app stopped from inside main does not tell its parent it is ready', () => {
      const port = createTestProcess();
      testScheduler.run(() => {
        collect(runTestApp((ctx) => {
          ctx.stop();
          return NEVER;
        }, { process: port, ready: of(true) }).events$);
      });
      expect(port.sent).toEqual([]);
    });

    it('under PM2, a budget longer than its kill timeout is published as budget-exceeds-grace', () => {
      let events: LifecycleEvent[] = [];
      const port = createTestProcess({ env: { pm_id: '0', exec_mode: 'fork_mode', kill_timeout: '100' } });
      testScheduler.run(() => {
        const test = runTestApp(() => NEVER, { process: port, shutdownTimeout: 5000 });
        events = collect(test.events$);
        port.signal('SIGTERM', 2);
      });
      expect(events.map((event) => event.type)).toContain('budget-exceeds-grace');
    });
  });

  describe('the cut-off report with real timers', () => {
    it("names none of the app's own timers (the budget's, a hook's timeout)", async () => {
      const outcome = await withOwnTimers((port) =>
        lastValueFrom(
          runApp$((app) => {
            app.onShutdown(() => NEVER, { name: 'stuck', timeout: 60_000 });
            return [NEVER, timer(0).pipe(tap(() => app.stop()))];
          }, { process: port, logger: false, signals: [], ipcShutdown: false, shutdownTimeout: 20 }).pipe(
            filter((event): event is Extract<LifecycleEvent, { type: 'stopped' }> => event.type === 'stopped'),
            map((event) => event.outcome),
          ),
        ),
      );
      expect(outcome.status).toBe('timeout');
      expect(outcome.report?.pending).toContainEqual({ kind: 'hook', name: 'stuck', state: 'running' });
      expect(outcome.report?.activeHandles).toEqual([]);
    });
  });

  describe('a port that throws while binding', () => {
    it('leaves no app registered as running: an operator without an app finds none', () => {
      const port = createTestProcess();
      const flaky = { ...port, onSignal: () => { throw new Error('no signals here'); } };
      const errors: unknown[] = [];
      runApp$(() => NEVER, { process: flaky, logger: false }).subscribe({ error: (error) => errors.push(error) });
      expect(errors).toEqual([new Error('no signals here')]);
      const refused: unknown[] = [];
      of(1).pipe(untilShutdown()).subscribe({ error: (error) => refused.push(error) });
      expect(refused).toEqual([expect.any(NoCurrentAppError)]);
      expect(String(refused[0])).toContain('no app is running');
    });
  });

  describe('the cut-off report', () => {
    it('a budget running out while draining names the protected work, not the torn-down tasks', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(() => {
        const test = runTestApp((ctx) => [NEVER, NEVER.pipe(shutdownWaitsFor(ctx, { name: 'save' }))], { shutdownTimeout: 10 });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
      });
      expect(outcomeOf(events).report).toMatchObject({ cause: 'timeout', phase: 'draining', pending: [{ kind: 'protected', name: 'save', state: 'running' }] });
    });

    it('a budget running out while stopping names the running tasks', () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(() => {
        const test = runTestApp((ctx) => {
          ctx.onShutdown(() => NEVER, { name: 'flush' });
          ctx.spawn(NEVER, { name: 'poller' });
          return NEVER;
        }, { shutdownTimeout: 10 });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
      });
      const pending = outcomeOf(events).report?.pending ?? [];
      expect(pending.filter((item) => item.kind === 'task').map((item) => item.name)).toContain('poller');
    });
  });

  describe('the ready signal', () => {
    it("a server that listens while the app is starting: 'ready' only once running", () => {
      let events: LifecycleEvent[] = [];
      testScheduler.run(() => {
        events = collect(runTestApp((ctx) => {
          resolveApp(ctx, 'spec').joinReady().listening();
          return NEVER;
        }).events$);
      });
      const order = events.flatMap((event) => (event.type === 'phase' ? [event.phase] : event.type === 'ready-sent' ? ['ready-sent'] : []));
      expect(order.slice(0, 3)).toEqual(['starting', 'running', 'ready-sent']);
    });

    it("a server that listens after the shutdown was requested (a listener of shutdown-requested): no 'ready'", () => {
      const port = createTestProcess();
      testScheduler.run(() => {
        collect(runTestApp((ctx) => {
          const member = resolveApp(ctx, 'spec').joinReady();
          ctx.events$.subscribe((event) => {
            if (event.type === 'shutdown-requested') member.listening();
          });
          return NEVER;
        }, { process: port }).events$);
        port.signal('SIGTERM', 3);
      });
      expect(port.sent).toEqual([]);
    });

    it("the user's signal is unsubscribed when the shutdown begins", () => {
      testScheduler.run(({ cold, expectSubscriptions }) => {
        const connected = cold('-----------x');
        // A hook keeps the app stopping until 12: the signal must be let go at 4, not at the end.
        const test = runTestApp((ctx) => (ctx.onShutdown(() => cold('--------|')), NEVER), { ready: connected });
        test.port.signal('SIGTERM', 4);
        test.eventsOf$('stopped').subscribe();
        expectSubscriptions(connected.subscriptions).toBe('^---!');
      });
    });

    it("the user's signal is unsubscribed when the app is abandoned", () => {
      testScheduler.run(({ cold, expectSubscriptions }) => {
        const connected = cold('-----------x');
        const subscription = runApp$(() => NEVER, { process: createTestProcess(), logger: false, ready: connected }).subscribe();
        testScheduler.schedule(() => subscription.unsubscribe(), 3);
        expectSubscriptions(connected.subscriptions).toBe('^--!');
      });
    });
  });

  describe('abandon (the subscriber left)', () => {
    it("aborts the app's signal with an 'abandoned' stop and completes events$", () => {
      let app: AppContext | undefined;
      let completed = false;
      testScheduler.run(() => {
        const subscription = runApp$((ctx) => {
          app = ctx;
          ctx.events$.subscribe({ complete: () => (completed = true) });
          return NEVER;
        }, { process: createTestProcess(), logger: false }).subscribe();
        testScheduler.schedule(() => subscription.unsubscribe(), 2);
      });
      expect(app?.signal.aborted).toBe(true);
      expect(app?.signal.reason).toStrictEqual({ kind: 'stop', detail: 'abandoned' });
      expect(completed).toBe(true);
    });
  });

  describe("the logger's own failures", () => {
    it('a line that throws while running: kept in the outcome, published once as an unlogged error event', () => {
      const boom = new Error('disk full');
      let events: LifecycleEvent[] = [];
      let errorCalls = 0;
      const logger: Logger = {
        info: (line) => {
          if (line.includes('entering shutdown phase')) throw boom;
        },
        warn: () => undefined,
        error: () => {
          errorCalls += 1;
          throw new Error('error line');
        },
      };
      testScheduler.run(() => {
        const test = runTestApp(() => NEVER, { logger });
        events = collect(test.events$);
        test.port.signal('SIGTERM', 2);
      });
      const loggerErrors = events.filter((event) => event.type === 'error' && event.record.source === 'logger');
      expect(loggerErrors).toHaveLength(1);
      expect(loggerErrors[0]).toMatchObject({ type: 'error', record: { source: 'logger', error: boom }, at: 2 });
      expect(outcomeOf(events).errors).toContainEqual({ source: 'logger', error: boom });
      expect(errorCalls).toBe(0);
    });
  });
});
