import { NEVER } from 'rxjs';
import { shutdownWaitsFor, type AppMain, type Logger } from 'rxrun';
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
