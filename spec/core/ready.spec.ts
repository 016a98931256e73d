/**
 * PM2 `wait_ready` for every app: ready = running + every serve$ listening (an app with none, such as
 * a queue worker, has none to wait for) + the `ready` option's signal when given. Then `'ready'` goes
 * to the parent once (the test port records it in `sent`) and `ready-sent` is emitted.
 */
import * as http from 'node:http';
import { EMPTY, NEVER, Subject, firstValueFrom, filter, shareReplay, throwError, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runApp, runApp$, serve$, type AppContext, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { createReadySignal, type ReadyHost } from '../../lib/core/readySignal';
import { collect, newScheduler, timeline } from '../support/lifecycle';

describe('readiness (PM2 wait_ready)', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it("an app without serve$ is ready once running: 'ready' to the parent, then ready-sent", () => {
    let events: LifecycleEvent[] = [];
    let app: ReturnType<typeof runTestApp> | undefined;
    testScheduler.run(() => {
      app = runTestApp(() => NEVER);
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
    });
    expect(timeline(events).slice(0, 4)).toEqual(['0 phase:starting', '0 phase:running', '0 ready-sent', '5 shutdown-requested:SIGTERM']);
    expect(app?.port.sent).toEqual(['ready']);
  });

  it('sends nothing and emits no ready-sent without an IPC channel', () => {
    let events: LifecycleEvent[] = [];
    const port = createTestProcess({ ipc: false });
    testScheduler.run(() => {
      events = collect(runTestApp(() => NEVER, { process: port }).events$);
      port.signal('SIGTERM', 5);
    });
    expect(events.map((event) => event.type)).not.toContain('ready-sent');
    expect(port.sent).toEqual([]);
  });

  it("with the 'ready' option, waits for the signal's first value; the signal is then unsubscribed", () => {
    let events: LifecycleEvent[] = [];
    let app: ReturnType<typeof runTestApp> | undefined;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const connected = cold('---x--y');
      app = runTestApp(() => NEVER, { ready: connected });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 10);
      expectSubscriptions(connected.subscriptions).toBe('^--!');
    });
    expect(timeline(events).slice(1, 4)).toEqual(['0 phase:running', '3 ready-sent', '10 shutdown-requested:SIGTERM']);
    expect(app?.port.sent).toEqual(['ready']);
  });

  it('a signal that completes without a value counts as ready', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp(() => NEVER, { ready: cold('--|') });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 5);
    });
    expect(timeline(events).filter((line) => line.endsWith('ready-sent'))).toEqual(['2 ready-sent']);
  });

  it('a function is called once, with the app, once it is running (after main)', () => {
    const calls: string[] = [];
    let seen: AppContext | undefined;
    let given: AppContext | undefined;
    testScheduler.run(({ cold }) => {
      const app = runTestApp(
        (ctx) => {
          calls.push(`main in ${ctx.phase}`);
          given = ctx;
          return NEVER;
        },
        {
          ready: (ctx) => {
            calls.push(`ready in ${ctx.phase}`);
            seen = ctx;
            return cold('-x');
          },
        },
      );
      app.port.signal('SIGTERM', 5);
    });
    expect(calls).toEqual(['main in starting', 'ready in running']);
    expect(seen).toBe(given);
  });

  it('never ready when shutdown begins first; the signal is unsubscribed then', () => {
    let events: LifecycleEvent[] = [];
    let app: ReturnType<typeof runTestApp> | undefined;
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const slow = cold('-----x');
      app = runTestApp(() => NEVER, { ready: slow });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 2);
      expectSubscriptions(slow.subscriptions).toBe('^-!');
    });
    expect(events.map((event) => event.type)).not.toContain('ready-sent');
    expect(app?.port.sent).toEqual([]);
  });

  it('never ready when main asked to stop while starting', () => {
    const port = createTestProcess();
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      events = collect(
        runTestApp((ctx) => {
          ctx.stop('at once');
          return NEVER;
        }, { process: port }).events$,
      );
    });
    expect(events.map((event) => event.type)).not.toContain('ready-sent');
    expect(port.sent).toEqual([]);
  });

  it("the signal's error is a task error named 'ready' (the default policy stops the app); never ready", () => {
    const boom = new Error('broker unreachable');
    let events: LifecycleEvent[] = [];
    let app: ReturnType<typeof runTestApp> | undefined;
    testScheduler.run(({ cold }) => {
      app = runTestApp(() => NEVER, { ready: cold('--#', undefined, boom) });
      events = collect(app.events$);
    });
    expect(timeline(events).slice(2, 4)).toEqual(['2 error:task:ready', '2 shutdown-requested:error']);
    expect(events.map((event) => event.type)).not.toContain('ready-sent');
    expect(app?.port.sent).toEqual([]);
    const stopped = events[events.length - 1] as Extract<LifecycleEvent, { type: 'stopped' }>;
    expect(stopped.outcome).toMatchObject({ status: 'error', error: boom, errors: [{ source: 'task', name: 'ready', error: boom }] });
  });

  it("a 'ready' function that throws is reported the same way", () => {
    const boom = new Error('no config');
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      events = collect(runTestApp(() => NEVER, { ready: () => { throw boom; } }).events$);
    });
    const stopped = events[events.length - 1] as Extract<LifecycleEvent, { type: 'stopped' }>;
    expect(stopped.outcome.errors).toEqual([{ source: 'task', name: 'ready', error: boom }]);
    expect(events.map((event) => event.type)).not.toContain('ready-sent');
  });

  it('takes a promise (real time)', async () => {
    let resolveReady: () => void = () => undefined;
    const port = createTestProcess();
    // Shared: each subscription to runApp$ would run an app of its own.
    const events$ = runApp$(() => NEVER, { process: port, logger: false, ready: new Promise<void>((resolve) => (resolveReady = resolve)) }).pipe(shareReplay());
    const sent = firstValueFrom(events$.pipe(filter((event) => event.type === 'ready-sent')));
    const stopped = firstValueFrom(events$.pipe(filter((event) => event.type === 'stopped')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(port.sent).toEqual([]);
    resolveReady();
    await sent;
    expect(port.sent).toEqual(['ready']);
    port.signal('SIGTERM');
    await stopped;
  });

  it.each([
    ['fails later (its callback)', (onError?: (error: unknown) => void) => {
      onError?.(new Error('channel closed'));
      return true;
    }],
    ['throws', () => {
      throw new Error('channel closed');
    }],
  ])("an IPC send that %s is an error of source 'ipc' (no shutdown by itself)", (label, send) => {
    const base = createTestProcess();
    const port = { ...base, send: (_message: unknown, onError?: (error: unknown) => void) => send(onError) };
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      events = collect(runApp$(() => NEVER, { process: port, logger: false }));
      base.signal('SIGTERM', 3);
    });
    expect(timeline(events).filter((line) => line.includes('ipc') || line.includes('ready-sent') || line.includes('shutdown-requested'))).toEqual([
      // Handed to the channel: sent, even if the write fails afterwards.
      ...(label === 'throws' ? ['0 error:ipc:process.send'] : ['0 error:ipc:process.send', '0 ready-sent']),
      '3 shutdown-requested:SIGTERM',
    ]);
  });
});

describe('readiness with serve$ (real sockets on 127.0.0.1)', () => {
  it('waits for both: every serve$ listening and the ready signal, whichever comes last', async () => {
    const port = createTestProcess();
    const signal = new Subject<void>();
    const events: LifecycleEvent[] = [];
    const server = http.createServer((_req, res) => res.end('ok'));
    const events$ = runApp$((app) => serve$(server, { port: 0, host: '127.0.0.1' }, { app }), { process: port, logger: false, ready: signal }).pipe(
      shareReplay(),
    );
    const listening = firstValueFrom(events$.pipe(filter((event) => event.type === 'server-listening')));
    events$.subscribe((event) => events.push(event));
    await listening;
    expect(events.map((event) => event.type)).not.toContain('ready-sent');
    expect(port.sent).toEqual([]);
    signal.next();
    expect(events.map((event) => event.type).filter((type) => type === 'server-listening' || type === 'ready-sent')).toEqual(['server-listening', 'ready-sent']);
    expect(port.sent).toEqual(['ready']);
    const stopped = firstValueFrom(events$.pipe(filter((event) => event.type === 'stopped')));
    port.signal('SIGTERM');
    await stopped;
  });
});

describe('createReadySignal (the rule for servers)', () => {
  function host(overrides: Partial<ReadyHost> = {}): ReadyHost & { sends: number } {
    const state = {
      sends: 0,
      context: {} as AppContext,
      source: undefined,
      isRunning: () => true,
      send: () => {
        state.sends += 1;
        return true;
      },
      sent: () => undefined,
      failed: () => undefined,
      ...overrides,
    };
    return state;
  }

  it('a server that left before listening (the only one) is no ready app; ready once another listens', () => {
    const h = host();
    const ready = createReadySignal(h);
    const failed = ready.join();
    failed.leave();
    ready.running();
    expect(h.sends).toBe(0);
    const second = ready.join();
    second.listening();
    expect(h.sends).toBe(1);
  });

  it('ready once every joined server listens; once only', () => {
    const h = host();
    const ready = createReadySignal(h);
    const a = ready.join();
    const b = ready.join();
    ready.running();
    a.listening();
    expect(h.sends).toBe(0);
    b.listening();
    b.leave();
    const c = ready.join();
    c.listening();
    expect(h.sends).toBe(1);
  });

  it('nothing is sent after close', () => {
    const h = host();
    const ready = createReadySignal(h);
    ready.close();
    ready.running();
    expect(h.sends).toBe(0);
  });

  it('ready-sent only when the send was handed to a channel', () => {
    let sent = 0;
    const h = host({ send: () => false, sent: () => void (sent += 1) });
    createReadySignal(h).running();
    expect(sent).toBe(0);
  });
});

describe("the 'ready' option is validated", () => {
  it.each([
    ['a string', 'yes'],
    ['a number', 42],
    ['null', null],
    ['a plain object', {}],
    ['true', true],
  ])("throws a TypeError naming 'ready' for %s", (_label, value) => {
    expect(() => runApp$(NEVER, { ready: value as never })).toThrow(TypeError);
    expect(() => runApp$(NEVER, { ready: value as never })).toThrow(/option 'ready'/);
  });

  it.each([
    ['an Observable', EMPTY as Observable<unknown>],
    ['a promise', Promise.resolve()],
    ['a function', () => EMPTY],
    ['an array', [1]],
  ])('accepts %s', (_label, value) => {
    expect(() => runApp$(NEVER, { ready: value as never })).not.toThrow();
  });

  it('rejects a wrong value in runApp too, before touching the process', () => {
    expect(() => runApp(NEVER, { ready: 'running' as never, process: createTestProcess() })).toThrow(/option 'ready'/);
  });

  it('an error thrown by the signal source synchronously is no validation error', () => {
    expect(() => runApp$(NEVER, { ready: throwError(() => new Error('later')) })).not.toThrow();
  });
});
