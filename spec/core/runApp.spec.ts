import { NEVER, throwError, timer, map, of } from 'rxjs';
import { ProcessAlreadyOwnedError, runApp, type AppMain, type AppOutcome, type RunAppOptions } from 'rxrun';
import { createTestProcess, type TestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

interface Run {
  port: TestProcess;
  outcome: Promise<AppOutcome>;
}

/** Runs `runApp` on a test port inside a fresh TestScheduler; `drive` sends signals. */
function runOnTestPort(main: AppMain, options: RunAppOptions = {}, drive: (port: TestProcess) => void = () => undefined): Run {
  const port = createTestProcess();
  let outcome: Promise<AppOutcome> | undefined;
  newScheduler().run(() => {
    outcome = runApp(main, { logger: false, ...options, process: port });
    drive(port);
  });
  return { port, outcome: outcome as Promise<AppOutcome> };
}

const slowHook: AppMain = (app) => {
  app.onShutdown(() => timer(1000));
  return NEVER;
};

describe('runApp (the process form) with the test port', () => {
  it('re-raises the signal after a graceful signal stop (status 128 + n)', async () => {
    const term = runOnTestPort(NEVER, {}, (port) => port.signal('SIGTERM', 5));
    expect([term.port.exitCode, term.port.raisedSignal]).toEqual([143, 'SIGTERM']);
    await expect(term.outcome).resolves.toMatchObject({ status: 'ok', reason: { kind: 'signal', signal: 'SIGTERM' } });
    const int = runOnTestPort(NEVER, {}, (port) => port.signal('SIGINT', 5));
    expect([int.port.exitCode, int.port.raisedSignal]).toEqual([130, 'SIGINT']);
  });

  it('exits 1 after an error, even when a signal started the shutdown', async () => {
    const failing = runOnTestPort([NEVER, throwError(() => new Error('boom'))]);
    expect([failing.port.exitCode, failing.port.raisedSignal]).toEqual([1, undefined]);
    await expect(failing.outcome).resolves.toMatchObject({ status: 'error' });
    const hookFails: AppMain = (app) => {
      app.onShutdown(() => throwError(() => new Error('hook')));
      return NEVER;
    };
    const signalled = runOnTestPort(hookFails, {}, (port) => port.signal('SIGTERM', 1));
    expect([signalled.port.exitCode, signalled.port.raisedSignal]).toEqual([1, undefined]);
  });

  it('exits 0 after app.stop()', async () => {
    const run = runOnTestPort((app) => timer(3).pipe(map(() => app.stop())));
    expect(run.port.exitCode).toBe(0);
    await expect(run.outcome).resolves.toMatchObject({ status: 'ok', reason: { kind: 'stop' } });
  });

  it('applies the exit status at the stopped frame, not before', () => {
    const port = createTestProcess();
    const seen: (number | undefined)[] = [];
    newScheduler().run(({ cold }) => {
      void runApp(NEVER, { logger: false, process: port });
      port.signal('SIGTERM', 4);
      cold('---a').subscribe(() => seen.push(port.exitCode));
      cold('-----a').subscribe(() => seen.push(port.exitCode));
    });
    expect(seen).toEqual([undefined, 143]);
  });

  it.each(['conventional', 'zero-on-graceful'] as const)("never exits 0 after a timeout or a forced stop ('%s')", (exitCode) => {
    const timedOut = runOnTestPort(slowHook, { exitCode, shutdownTimeout: 10 }, (port) => port.signal('SIGTERM', 1));
    const forced = runOnTestPort(slowHook, { exitCode }, (port) => {
      port.signal('SIGTERM', 1);
      port.signal('SIGINT', 500);
    });
    const timedOutAfterStop = runOnTestPort(
      (app) => {
        app.onShutdown(() => timer(1000));
        return timer(1).pipe(map(() => app.stop()));
      },
      { exitCode, shutdownTimeout: 10 },
    );
    expect(timedOut.port.exitCode).toBe(143);
    expect(forced.port.exitCode).toBe(143);
    expect(timedOutAfterStop.port.exitCode).toBe(1);
  });

  it("'zero-on-graceful' exits 0 only for a graceful signal stop", () => {
    expect(runOnTestPort(NEVER, { exitCode: 'zero-on-graceful' }, (port) => port.signal('SIGTERM', 1)).port).toMatchObject({
      exitCode: 0,
      raisedSignal: undefined,
    });
    expect(runOnTestPort([NEVER, throwError(() => 'x')], { exitCode: 'zero-on-graceful' }).port.exitCode).toBe(1);
  });

  it('lets a custom function decide; a throwing one or a non-integer result gives 1', async () => {
    const custom = runOnTestPort(NEVER, { exitCode: (outcome) => (outcome.reason?.kind === 'signal' ? 7 : 9) }, (port) => port.signal('SIGTERM', 1));
    expect([custom.port.exitCode, custom.port.raisedSignal]).toEqual([7, undefined]);
    const zeroAfterError = runOnTestPort([NEVER, throwError(() => 'x')], { exitCode: () => 0 });
    expect(zeroAfterError.port.exitCode).toBe(0);
    const throwing = runOnTestPort(NEVER, {
      exitCode: () => {
        throw new Error('bad mapper');
      },
    }, (port) => port.signal('SIGTERM', 1));
    expect(throwing.port.exitCode).toBe(1);
    for (const bad of [1.5, NaN, -1, 256, '0' as unknown as number]) {
      expect(runOnTestPort(NEVER, { exitCode: () => bad }, (port) => port.signal('SIGTERM', 1)).port.exitCode).toBe(1);
    }
    await expect(custom.outcome).resolves.toMatchObject({ status: 'ok' });
  });
});

describe('runApp owns its process', () => {
  it('refuses a second runApp on the same process while the first runs, and allows one after it stopped', async () => {
    const port = createTestProcess();
    const first = runApp(NEVER, { process: port, logger: false });
    expect(() => runApp(NEVER, { process: port, logger: false })).toThrow(ProcessAlreadyOwnedError);
    expect(() => runApp(NEVER, { process: port, logger: false })).toThrow(/already owns this process/);
    port.signal('SIGTERM');
    await first;
    const second = runApp(of(1), { process: port, logger: false, until: 'main-complete' });
    await expect(second).resolves.toMatchObject({ status: 'ok' });
  });

  it('lets apps on different processes (ports) run side by side', async () => {
    const [a, b] = [createTestProcess(), createTestProcess()];
    const outcomes = Promise.all([runApp(NEVER, { process: a, logger: false }), runApp(NEVER, { process: b, logger: false })]);
    a.signal('SIGINT');
    b.signal('SIGTERM');
    await expect(outcomes).resolves.toMatchObject([{ status: 'ok' }, { status: 'ok' }]);
  });
});
