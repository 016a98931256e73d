import { NEVER, filter, map, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { shutdownWaitsFor, type LifecycleEvent, runApp$ } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { collect, label, newScheduler, outcomeOf, timeline } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };

describe('signals through the process port', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('starts a graceful shutdown on SIGTERM and on SIGINT', () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      newScheduler().run(({ expectObservable }) => {
        const app = runTestApp(NEVER);
        app.port.signal(signal, 7);
        expectObservable(app.phases$).toBe('(sr) 3ms (qdfx|)', PHASES);
        expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason]))).toBe('7ms (o|)', { o: ['ok', { kind: 'signal', signal }] });
      });
    }
  });

  it('coalesces the same signal repeated within signalCoalesceWindow (default 250)', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('1000ms |'));
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGINT', 10);
      app.port.signal('SIGINT', 259); // 249 ms later: a double
    });
    const outcome = outcomeOf(events);
    expect(timeline(events)).toContain('259 signal-coalesced:SIGINT');
    expect(outcome).toMatchObject({ status: 'ok', laterReasons: [] });
  });

  it('forces on a later SIGINT: status forced, pending work reported, finalizers skipped and named', () => {
    let events: LifecycleEvent[] = [];
    let finalizerRan = false;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const hook = cold('1000ms |');
      const app = runTestApp((ctx) => {
        ctx.defer(() => void (finalizerRan = true), { name: 'close-db' });
        ctx.onShutdown(() => hook, { name: 'drain-http' });
        ctx.spawn(NEVER, { name: 'http' });
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 10);
      app.port.signal('SIGINT', 300);
      expectSubscriptions(hook.subscriptions).toBe('10ms ^ 289ms !');
    });
    expect(finalizerRan).toBe(false);
    const outcome = outcomeOf(events);
    expect(outcome.status).toBe('forced');
    expect(outcome.reason).toEqual({ kind: 'signal', signal: 'SIGTERM' });
    expect(outcome.laterReasons).toEqual([{ kind: 'signal', signal: 'SIGINT' }]);
    expect(outcome.report).toEqual({
      cause: 'forced',
      phase: 'stopping',
      budgetMs: 25_000,
      pending: [
        { kind: 'task', name: 'http', state: 'running' },
        { kind: 'task', name: 'main', state: 'running' },
        { kind: 'hook', name: 'drain-http', state: 'running' },
        { kind: 'finalizer', name: 'close-db', state: 'skipped' },
      ],
      activeHandles: [],
    });
    expect(timeline(events).slice(-4)).toEqual(['300 shutdown-requested:SIGINT:later', '300 forced:stopping', '300 phase:stopped', '300 stopped:forced']);
  });

  it('forces on a second SIGINT once the coalescing window has passed (250 ms later, not 249)', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('1000ms |'), { name: 'slow' });
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGINT', 10);
      app.port.signal('SIGINT', 259);
      app.port.signal('SIGINT', 509);
    });
    expect(timeline(events).filter((line) => /SIGINT|forced/.test(line))).toEqual([
      '10 shutdown-requested:SIGINT',
      '259 signal-coalesced:SIGINT',
      '509 shutdown-requested:SIGINT:later',
      '509 forced:stopping',
      '509 stopped:forced',
    ]);
  });

  it('forces while draining: protected work is cut off (unsubscribed) and named, finalizers skipped', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const work = cold('-------------|');
      const app = runTestApp((ctx) => {
        ctx.defer(() => undefined, { name: 'close-db' });
        return [NEVER, work.pipe(shutdownWaitsFor(ctx, { name: 'write' }))];
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
      app.port.signal('SIGINT', 5);
      expectSubscriptions(work.subscriptions).toBe('^----!');
    });
    expect(timeline(events).slice(-4)).toEqual(['5 shutdown-requested:SIGINT:later', '5 forced:draining', '5 phase:stopped', '5 stopped:forced']);
    expect(outcomeOf(events).report?.pending).toEqual([
      { kind: 'finalizer', name: 'close-db', state: 'skipped' },
      { kind: 'protected', name: 'write', state: 'running' },
    ]);
  });

  it('keeps a repeated SIGTERM graceful and records it in laterReasons', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('1000ms |'));
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 10);
      app.port.signal('SIGTERM', 500);
    });
    expect(outcomeOf(events)).toMatchObject({
      status: 'ok',
      reason: { kind: 'signal', signal: 'SIGTERM' },
      laterReasons: [{ kind: 'signal', signal: 'SIGTERM' }],
      shutdownMs: 1000,
    });
  });

  it('honours forceSignals and signalCoalesceWindow', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(
        (ctx) => {
          ctx.onShutdown(() => cold('1000ms |'));
          return NEVER;
        },
        { forceSignals: ['SIGTERM'], signalCoalesceWindow: 50 },
      );
      events = collect(app.events$);
      app.port.signal('SIGTERM', 10);
      app.port.signal('SIGINT', 20); // not a force signal here: stays graceful
      app.port.signal('SIGTERM', 59); // within 50 ms: coalesced
      app.port.signal('SIGTERM', 60); // 50 ms later: forces
    });
    expect(timeline(events).filter((line) => /signal|forced|shutdown-requested/.test(line))).toEqual([
      '10 shutdown-requested:SIGTERM',
      '20 shutdown-requested:SIGINT:later',
      '59 signal-coalesced:SIGTERM',
      '60 shutdown-requested:SIGTERM:later',
      '60 forced:stopping',
      '60 stopped:forced',
    ]);
    expect(outcomeOf(events).status).toBe('forced');
  });

  it("listens to SIGBREAK by default only on 'win32'", () => {
    testScheduler.run(({ expectObservable }) => {
      const windows = runTestApp(NEVER, { process: createTestProcess({ platform: 'win32' }) });
      const linux = runTestApp(NEVER, { process: createTestProcess({ platform: 'linux' }) });
      collect(linux.events$);
      expect(linux.port.listenerCount('SIGBREAK')).toBe(0);
      windows.port.signal('SIGBREAK', 4);
      linux.port.signal('SIGBREAK', 4);
      linux.port.signal('SIGTERM', 6);
      expectObservable(windows.outcome$.pipe(map((o) => o.reason))).toBe('4ms (o|)', { o: { kind: 'signal', signal: 'SIGBREAK' } });
      expectObservable(linux.outcome$.pipe(map((o) => o.reason))).toBe('6ms (o|)', { o: { kind: 'signal', signal: 'SIGTERM' } });
    });
  });

  it("listens only to the signals given in 'signals'", () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(NEVER, { signals: ['SIGHUP'] });
      app.port.signal('SIGTERM', 2);
      app.port.signal('SIGINT', 3);
      app.port.signal('SIGHUP', 5);
      expectObservable(app.outcome$.pipe(map((o) => o.reason))).toBe('5ms (o|)', { o: { kind: 'signal', signal: 'SIGHUP' } });
    });
  });

  it("starts shutdown on the IPC messages 'shutdown' and {type:'shutdown'}, not on others", () => {
    for (const message of ['shutdown', { type: 'shutdown', extra: 1 }]) {
      newScheduler().run(({ expectObservable }) => {
        const app = runTestApp(NEVER);
        app.port.message('hello', 1);
        app.port.message({ type: 'other' }, 2);
        app.port.message(null, 3);
        app.port.message(message, 5);
        expectObservable(app.outcome$.pipe(map((o) => o.reason))).toBe('5ms (o|)', { o: { kind: 'message', message } });
      });
    }
  });

  it('ignores IPC messages with ipcShutdown: false', () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp(NEVER, { ipcShutdown: false });
      app.port.message('shutdown', 1);
      app.port.signal('SIGTERM', 5);
      expectObservable(app.outcome$.pipe(map((o) => o.reason?.kind))).toBe('5ms (o|)', { o: 'signal' });
    });
  });

  it('removes every port listener and releases the keep-alive at stopped', () => {
    const counts: string[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const port = createTestProcess();
      const app = runTestApp(
        (ctx) => {
          ctx.defer(() => void counts.push(`finalizing: ${port.listenerCount()} listeners, ${port.keepAlives} keep-alive`));
          return NEVER;
        },
        { process: port },
      );
      expectObservable(app.events$.pipe(filter((e) => e.type === 'stopped'), map(label))).toBe('3ms (x|)', { x: 'stopped:ok' });
      cold('-a').subscribe(() => counts.push(`running: ${port.listenerCount()} listeners, ${port.keepAlives} keep-alive`));
      cold('---a').subscribe(() => port.signal('SIGTERM'));
      cold('----a').subscribe(() => counts.push(`stopped: ${port.listenerCount()} listeners, ${port.keepAlives} keep-alive`));
    });
    expect(counts).toEqual([
      'running: 5 listeners, 1 keep-alive',
      'finalizing: 5 listeners, 1 keep-alive',
      'stopped: 0 listeners, 0 keep-alive',
    ]);
  });

  it('installs no process-error listeners with handleProcessErrors: false', () => {
    let listeners = -1;
    testScheduler.run(() => {
      const app = runTestApp(NEVER, { handleProcessErrors: false, ipcShutdown: false });
      collect(app.events$);
      listeners = app.port.listenerCount();
      app.port.signal('SIGTERM', 1);
    });
    expect(listeners).toBe(2);
  });
});

describe('option \'forceSignals\'', () => {
  // Regression (found in review), the defect it guards against: only `signals` get listeners, so a `forceSignals` entry that is not also in `signals` is
  // silently inert: `forceSignals: ['SIGQUIT']` never forces anything. Either refuse it at call time
  // (RangeError naming the option, as for other bad values) or listen for it during shutdown.
  it('forceSignals: [\'SIGQUIT\'] either throws at call time or forces on SIGQUIT during shutdown', () => {
    const port = createTestProcess();
    let app$: Observable<LifecycleEvent> | undefined;
    try {
      app$ = runApp$((app) => [NEVER, timer(100).pipe(shutdownWaitsFor(app, { name: 'upload' }))], {
        process: port,
        logger: false,
        forceSignals: ['SIGQUIT'],
      });
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError); // acceptable: refused at call time
      return;
    }
    let events: LifecycleEvent[] = [];
    newScheduler().run(() => {
      port.signal('SIGTERM', 1);
      port.signal('SIGQUIT', 5);
      events = collect(app$ as Observable<LifecycleEvent>);
    });
    expect(outcomeOf(events).status).toBe('forced'); // before the fix: 'ok' at frame 100 — SIGQUIT was never heard
  });
});
