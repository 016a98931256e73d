// runApp's own argument checks and its hold on the process when binding fails (issue 9).
import { NEVER, of } from 'rxjs';
import { ProcessAlreadyOwnedError, runApp } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

describe('runApp (mutants)', () => {
  it("a bad main or option is a TypeError naming runApp (and nothing owns the port afterwards)", async () => {
    const port = createTestProcess();
    expect(() => runApp('main' as never, { process: port, logger: false })).toThrow(
      new TypeError(`runApp: 'main' must be an Observable, an array of Observables or a function (app) => tasks, got "main"`),
    );
    expect(() => runApp(NEVER, { process: port, logger: false, bogus: true } as never)).toThrow(/^runApp: unknown option 'bogus' \(known: name, /);
    await expect(runApp(of(1), { process: port, logger: false, until: 'main-complete' })).resolves.toMatchObject({ status: 'ok' });
  });

  it('a port that throws while the app binds: the promise rejects with its error, and the port is free for the next runApp', async () => {
    const port = createTestProcess();
    const onSignal = port.onSignal.bind(port);
    const boom = new Error('cannot listen for signals');
    let fail = true;
    port.onSignal = (signal, listener) => {
      if (fail) throw boom;
      return onSignal(signal, listener);
    };
    await expect(runApp(NEVER, { process: port, logger: false })).rejects.toBe(boom);
    expect(port.exitCode).toBeUndefined();
    fail = false;
    const second = runApp(NEVER, { process: port, logger: false });
    // The second app owns the port now, as any running one does.
    expect(() => runApp(NEVER, { process: port, logger: false })).toThrow(ProcessAlreadyOwnedError);
    port.signal('SIGTERM');
    await expect(second).resolves.toMatchObject({ status: 'ok', reason: { kind: 'signal', signal: 'SIGTERM' } });
    expect(port.exitCode).toBe(143);
  });
});
