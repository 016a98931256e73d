import { createRuntime } from './createRuntime.js';
import { exitStatusFor } from './exitStatusFor.js';
import { checkMain, resolveSettings } from './resolveSettings.js';
import type { AppMain, AppOutcome, RunAppOptions } from './types.js';
import { ProcessAlreadyOwnedError } from './errors.js';
import type { ProcessPort } from '../process/ProcessPort.js';

// The ports (processes) an app started with runApp owns until it stopped.
const portsInUse = new WeakSet<ProcessPort>();

/**
 * The process form (aiorun's `run()`): runs the app, logs its phases, and ends the process with a
 * status that tells the truth (see {@link exitStatusFor}) — even if user code left a handle open,
 * which it names. The promise resolves with the outcome just before the process exits. One
 * `runApp` app owns the process at a time: a second call while it runs throws a
 * `ProcessAlreadyOwnedError` (spawn more tasks into the app, or use `runApp$`).
 *
 * ```
 * process: ----------SIGTERM
 * app:     (sr)------q-d-f-x          then exit: re-raise SIGTERM (143), or 0 / 1
 * ```
 *
 * @param main The app's tasks: an Observable, an array of Observables, or a function `(app) => tasks` called once
 * with the {@link AppContext} (see {@link AppMain}).
 * @param options See {@link RunAppOptions}; `process` defaults to {@link realProcessPort}.
 * @returns A promise of the {@link AppOutcome}, resolved at `stopped`, just before the process exits: the app's
 * errors are in the outcome, not a rejection. It rejects only when the custom `process` port throws
 * while the app binds to it (its bindings are undone, and the port is free for the next `runApp`).
 * @throws TypeError for a `main` that is not an Observable, an array of Observables or a function, an unknown
 * option, or an option of the wrong type; RangeError for an out-of-range `shutdownTimeout` or
 * `signalCoalesceWindow`, an unknown `until` / `onTaskError` / `exitCode` string, an unknown or uncatchable
 * signal in `signals` / `forceSignals`, a `forceSignals` entry not in `signals`, an empty `name`, or (with no
 * `logger` given) an `RXRUN_LOG` other than `json` / `text`.
 * @throws {@link ProcessAlreadyOwnedError} while another `runApp` app owns the same process port.
 * @see {@link runApp$} (several apps, or one that must not end the process), {@link exitStatusFor},
 * [Shutdown phases and exit status](../../docs/shutdown-phases-and-exit-status.md).
 * @example
 * ```ts
 * import { interval, tap } from 'rxjs';
 * import { runApp } from 'rxrun';
 * runApp(() => interval(1000).pipe(tap((n) => console.log('tick', n))));
 * ```
 */
export function runApp(main: AppMain, options?: RunAppOptions): Promise<AppOutcome> {
  const checkedMain = checkMain('runApp', main);
  const settings = resolveSettings('runApp', options);
  const { port } = settings;
  if (portsInUse.has(port)) {
    // The first app to stop would end the process under the other one, mid-shutdown.
    throw new ProcessAlreadyOwnedError(
      `runApp: an app started with runApp already owns this process; spawn more tasks into it, or use runApp$ for several apps`,
    );
  }
  portsInUse.add(port);
  return new Promise<AppOutcome>((resolve) => {
    const runtime = createRuntime(checkedMain, settings, {
      next(event) {
        if (event.type !== 'stopped') return;
        portsInUse.delete(port);
        resolve(event.outcome);
        const decision = exitStatusFor(event.outcome, settings.exitCode);
        // The port ends the process after the current microtasks, so the promise's handlers still see the outcome.
        if (decision.signal === undefined) port.exit(decision.code);
        else port.raise(decision.signal);
      },
      complete: () => undefined,
    });
    try {
      runtime.start();
    } catch (error) {
      // The port threw while binding: nothing runs, so the port is free for the next app.
      portsInUse.delete(port);
      throw error;
    }
  });
}
