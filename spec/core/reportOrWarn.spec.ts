import { NEVER, firstValueFrom, toArray } from 'rxjs';
import { runApp$ } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { resolveApp, reportOrWarn, type AppInternals } from '../../lib/core/appRegistry';
import type { ProcessPort } from '../../lib/process/ProcessPort';

// The one fallback of serve$, fork$ and worker$ for an error no app can take: a process warning,
// through the app's process port when it has `warning`, else through the real process's.
describe('reportOrWarn', () => {
  // Runs an app on `port` to its end and hands back its internals (phase 'stopped') and outcome.
  async function stoppedApp(port: ProcessPort) {
    let internals: AppInternals | undefined;
    const events = firstValueFrom(
      runApp$(
        (app) => {
          internals = resolveApp(app, 'spec');
          app.stop();
          return NEVER;
        },
        { process: port, logger: false },
      ).pipe(toArray()),
    );
    const all = await events;
    const stopped = all[all.length - 1];
    if (stopped?.type !== 'stopped' || internals === undefined) throw new Error('the app did not stop');
    return { internals, outcome: stopped.outcome };
  }

  it('sends a report after the app stopped to its port as a warning (not to the real process)', async () => {
    const warning = jest.fn();
    const port: ProcessPort = { ...createTestProcess(), warning };
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { internals, outcome } = await stoppedApp(port);
      reportOrWarn(internals, 'server', 'late', new RangeError('drained too late'), 'ServeError');
      reportOrWarn(internals, 'server', 'late', 'not an Error', 'ServeError');
      expect(warning.mock.calls).toEqual([
        ['drained too late', 'RangeError'],
        ['not an Error', 'ServeError'],
      ]);
      expect(emitWarning).not.toHaveBeenCalled();
      expect(outcome.errors).toEqual([]);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('falls back to the real process warning when the port has none, or there is no app', async () => {
    const calls: unknown[][] = [];
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(((...args: unknown[]) => void calls.push(args)) as never);
    try {
      const { internals } = await stoppedApp(createTestProcess());
      reportOrWarn(internals, 'child', 'worker', new Error('exited late'), 'ChildError');
      reportOrWarn(undefined, 'server', 'lonely', new TypeError('no app'), 'ServeError');
      expect(calls).toEqual([
        ['exited late', { type: 'Error' }],
        ['no app', { type: 'TypeError' }],
      ]);
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('reports to the app while it runs: the error is in the outcome, no warning', async () => {
    const warning = jest.fn();
    const port: ProcessPort = { ...createTestProcess(), warning };
    const events = await firstValueFrom(
      runApp$(
        (app) => {
          reportOrWarn(resolveApp(app, 'spec'), 'server', 'api', new Error('listen failed'), 'ServeError');
          app.stop(); // a server error does not stop the app by itself
          return NEVER;
        },
        { process: port, logger: false },
      ).pipe(toArray()),
    );
    const stopped = events[events.length - 1];
    expect(stopped?.type === 'stopped' ? stopped.outcome.errors.map((record) => [record.source, record.name]) : stopped).toEqual([['server', 'api']]);
    expect(warning).not.toHaveBeenCalled();
  });
});
