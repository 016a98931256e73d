import { createRuntime } from './createRuntime.js';
import { exitStatusFor } from './exitStatusFor.js';
import { checkMain, resolveSettings } from './resolveSettings.js';
import type { AppMain, AppOutcome, RunAppOptions } from './types.js';

/**
 * The process form (aiorun's `run()`): runs the app, logs its phases, and ends the process with a
 * status that tells the truth (see {@link exitStatusFor}) — even if user code left a handle open,
 * which it names. The promise resolves with the outcome just before the process exits.
 *
 * ```
 * process: ----------SIGTERM
 * app:     s-r-------q-d-f-x          then exit: re-raise SIGTERM (143), or 0 / 1
 * ```
 *
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
  return new Promise<AppOutcome>((resolve) => {
    const runtime = createRuntime(checkedMain, settings, {
      next(event) {
        if (event.type !== 'stopped') return;
        resolve(event.outcome);
        const decision = exitStatusFor(event.outcome, settings.exitCode);
        // The port ends the process after the current microtasks, so the promise's handlers still see the outcome.
        if (decision.signal === undefined) port.exit(decision.code);
        else port.raise(decision.signal);
      },
      complete: () => undefined,
    });
    runtime.start();
  });
}
