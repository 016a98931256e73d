import { NEVER } from 'rxjs';
import { shutdownWaitsFor, supervise, type AppMain, type Logger, runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp, type TestProcess } from 'rxrun/testing';
import { collect, newScheduler } from '../support/lifecycle';

// A full shutdown: two tasks (one of them protected), two finalizers and one executor.
// runTestApp silences logging unless `logger` is given; an explicit `undefined` asks for the default logger.
function runBusyApp(logger: Logger | false | undefined, port: TestProcess = createTestProcess()): TestProcess {
  newScheduler().run(({ cold }) => {
    const main: AppMain = (app) => {
      app.defer(() => undefined, { name: 'close-db' });
      app.defer(() => undefined, { name: 'flush-log' });
      return [NEVER, cold('----|').pipe(shutdownWaitsFor(app, { name: 'save' }))];
    };
    const pool = { name: 'pool', close: () => undefined };
    const app = runTestApp(main, { process: port, executors: [pool], logger });
    collect(app.events$);
    port.signal('SIGTERM', 2);
  });
  return port;
}

describe('logging', () => {
  it('writes aiorun-like phase lines through the port by default', () => {
    expect(runBusyApp(undefined).lines).toEqual([
      'rxrun: SIGTERM; entering shutdown phase',
      'rxrun: cancelling 2 tasks',
      'rxrun: waiting for 1 protected task: save',
      'rxrun: running 3 finalizers',
      "rxrun: waiting for executor 'pool' to shut down",
      'rxrun: stopped (ok, SIGTERM) after 2 ms. Bye!',
    ]);
  });

  it('writes failures, budget overruns and open handles too', () => {
    const port = createTestProcess();
    newScheduler().run(({ cold }) => {
      const app = runTestApp(
        (ctx) => {
          ctx.onShutdown(() => cold('-'), { name: 'stuck' });
          return [NEVER, cold('-#', undefined, new Error('boom'))];
        },
        { process: port, logger: undefined, shutdownTimeout: 5, onTaskError: 'isolate' },
      );
      collect(app.events$);
      port.resources.push('TCPServerWrap');
      port.signal('SIGTERM', 2);
    });
    expect(port.lines[0]).toMatch(/^rxrun: task 'main\[1\]' failed: Error: boom/);
    expect(port.lines.slice(1)).toEqual([
      'rxrun: SIGTERM; entering shutdown phase',
      "rxrun: shutdown budget exceeded in phase stopping; cut off: task 'main[0]' (running), hook 'stuck' (running); open handles: TCPServerWrap",
      'rxrun: handles left open by the app: TCPServerWrap',
      'rxrun: stopped (timeout, SIGTERM) after 5 ms. Bye!',
    ]);
  });

  it('writes nothing with logger: false', () => {
    expect(runBusyApp(false).lines).toEqual([]);
  });

  it('sends the lines to a custom logger, by level, and not to the port', () => {
    const calls: string[] = [];
    const logger = {
      debug: (line: string) => calls.push(`debug ${line}`),
      info: (line: string) => calls.push(`info ${line}`),
      warn: (line: string) => calls.push(`warn ${line}`),
      error: (line: string) => calls.push(`error ${line}`),
    };
    const port = runBusyApp(logger);
    expect(port.lines).toEqual([]);
    expect(calls).toEqual(
      expect.arrayContaining([
        'debug rxrun: phase starting',
        'info rxrun: SIGTERM; entering shutdown phase',
        'info rxrun: cancelling 2 tasks',
        'info rxrun: waiting for 1 protected task: save',
        'info rxrun: running 3 finalizers',
        "info rxrun: waiting for executor 'pool' to shut down",
        'info rxrun: stopped (ok, SIGTERM) after 2 ms. Bye!',
      ]),
    );
  });

  it('tolerates a logger with missing methods', () => {
    const infos: string[] = [];
    runBusyApp({ info: (line) => infos.push(line) });
    expect(infos).toContain('rxrun: cancelling 2 tasks');
  });
});

describe('log lines a person reads', () => {
  /** A crash loop: each run fails with an Error whose stack has many frames; two restarts, then the give-up. */
  function crashLoop(logger: Logger | undefined): TestProcess {
    const port = createTestProcess();
    newScheduler().run(({ cold }) => {
      const app = runTestApp(
        () => [NEVER, supervise(cold('-#', undefined, new Error('db down')), { name: 'consumer', backoff: { initial: 1 }, maxRestarts: 2 })],
        { process: port, logger },
      );
      collect(app.events$);
    });
    return port;
  }

  it('writes one line per supervise restart and give-up: the error, not its stack', () => {
    const lines = crashLoop(undefined).lines;
    expect(lines.slice(0, 4)).toEqual([
      "rxrun: restarting 'consumer' in 1 ms (restart 1) after: Error: db down",
      "rxrun: restarting 'consumer' in 2 ms (restart 2) after: Error: db down",
      "rxrun: gave up restarting 'consumer' after 2 restarts: Error: db down",
      "rxrun: task 'main[1]' failed: SupervisorGaveUpError: supervise 'consumer': gave up after 2 restart(s) within 60000 ms; last run failed: db down",
    ]);
    // The whole give-up, to the process's exit: no stack frame anywhere.
    for (const line of lines) expect(line).not.toContain('\n');
  });

  it('sends the stack of each restart and give-up to logger.debug', () => {
    const calls: { level: string; line: string }[] = [];
    const logger: Logger = {
      debug: (line) => calls.push({ level: 'debug', line }),
      warn: (line) => calls.push({ level: 'warn', line }),
      error: (line) => calls.push({ level: 'error', line }),
    };
    crashLoop(logger);
    const restartLines = calls.filter((c) => /^rxrun: (restarting|gave up|'consumer')/.test(c.line));
    expect(restartLines.map((c) => `${c.level} ${c.line.split('\n')[0]}`)).toEqual([
      "warn rxrun: restarting 'consumer' in 1 ms (restart 1) after: Error: db down",
      "debug rxrun: 'consumer' restart 1 error stack: Error: db down",
      "warn rxrun: restarting 'consumer' in 2 ms (restart 2) after: Error: db down",
      "debug rxrun: 'consumer' restart 2 error stack: Error: db down",
      "error rxrun: gave up restarting 'consumer' after 2 restarts: Error: db down",
      "debug rxrun: 'consumer' last run error stack: Error: db down",
    ]);
    for (const c of restartLines) {
      if (c.level === 'debug') expect(c.line).toMatch(/\n\s+at /);
      else expect(c.line).not.toContain('\n');
    }
  });

  it('counts repeated names instead of listing each: protected tasks, cut-off reports and open handles', () => {
    const port = createTestProcess();
    newScheduler().run(({ cold }) => {
      const main: AppMain = (app) => [
        NEVER,
        ...Array.from({ length: 20 }, () => cold('-').pipe(shutdownWaitsFor(app, { name: 'save' }))),
        cold('-').pipe(shutdownWaitsFor(app, { name: 'serve$ api' })),
      ];
      const app = runTestApp(main, { process: port, logger: undefined, shutdownTimeout: 5 });
      collect(app.events$);
      port.resources.push('TCPSocketWrap', 'TCPSocketWrap', 'TCPSocketWrap', 'Timeout');
      port.signal('SIGTERM', 2);
    });
    expect(port.lines).toEqual([
      'rxrun: SIGTERM; entering shutdown phase',
      'rxrun: cancelling 22 tasks',
      'rxrun: waiting for 21 protected tasks: save ×20, serve$ api',
      "rxrun: shutdown budget exceeded in phase draining; cut off: protected 'save' (running) ×20, protected 'serve$ api' (running); open handles: TCPSocketWrap ×3, Timeout",
      'rxrun: handles left open by the app: TCPSocketWrap ×3, Timeout',
      'rxrun: stopped (timeout, SIGTERM) after 5 ms. Bye!',
    ]);
  });

  it('lists a thousand protected tasks in one short line (the event names the first 50; the rest are counted)', () => {
    const port = createTestProcess();
    newScheduler().run(({ cold }) => {
      const main: AppMain = (app) => [
        NEVER,
        ...Array.from({ length: 1000 }, (_, i) => cold('--|').pipe(shutdownWaitsFor(app, { name: i % 2 === 0 ? 'save' : `job ${i}` }))),
      ];
      const app = runTestApp(main, { process: port, logger: undefined });
      collect(app.events$);
      port.signal('SIGTERM', 1);
    });
    const waiting = port.lines.find((line) => line.startsWith('rxrun: waiting for'));
    expect(waiting).toBe(
      'rxrun: waiting for 1000 protected tasks: save ×25, job 1, job 3, job 5, job 7, job 9, job 11, job 13, job 15, job 17, … 966 more',
    );
  });
});

describe('a logger that throws', () => {
  // Regression (found in review), the defect it guards against: the user's logger is called unguarded inside emit() (DESIGN §1: "Wrap every user callback").
  // A logger method that throws aborts requestShutdown() after the reason is latched and before
  // beginShutdown(): the app never shuts down (keep-alive held forever), and every later request is only
  // recorded as a "later reason".
  it('a throwing logger does not stop the shutdown from completing', () => {
    const testScheduler = newScheduler();
    const events: LifecycleEvent[] = [];
    const logger = {
      info(line: string) {
        if (line.includes('entering shutdown')) throw new Error('log sink closed');
      },
    };
    const port = createTestProcess({ scheduler: testScheduler });
    runApp$(NEVER, { process: port, logger, shutdownTimeout: 100, signalCoalesceWindow: 0, scheduler: testScheduler }).subscribe((e) => events.push(e));
    const escaped: unknown[] = [];
    const deliver = () => {
      try {
        port.signal('SIGTERM');
      } catch (error) {
        escaped.push(error); // thrown into the process's signal listener: an uncaughtException in production
      }
    };
    deliver();
    testScheduler.maxFrames = 10_000;
    testScheduler.flush();
    deliver(); // a second request (outside the coalescing window) does not help either
    testScheduler.flush();
    // before the fix: last events are 'shutdown-requested' (first) and 'shutdown-requested' (later) — never 'stopping', never 'stopped'
    expect(events.map((e) => e.type)).toContain('stopped');
    expect(port.keepAlives).toBe(0);
    expect(escaped).toEqual([]);
  });
});
