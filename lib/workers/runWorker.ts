import { ReplaySubject, from, merge, take, type ObservableInput, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import type { ShutdownReason } from '../core/types.js';
import { describe } from '../core/validate.js';
import { holdReadyForChecks } from '../net/holdReadyForChecks.js';
import { joinReadySignal } from '../net/joinReadySignal.js';
import { realProcessPort } from '../process/realProcessPort.js';
import { ENV_GENERATION, ENV_INDEX, WORKER_UP } from './forkWorker.js';
import type { WorkersSettings } from './readWorkersConfig.js';
import type { WorkerContext, WorkerMain, WorkerPool, WorkerStopReason } from './workersTypes.js';

/**
 * The worker side of `workers$`: runs `workerMain` in this worker's app, tells the primary it is up
 * (its app listens for the IPC stop by then), and joins the app's `'ready'` message: sent once every
 * `serve$` listens, the `ready` option passed, and every readiness check of its `probes` passed (internal).
 */
export function runWorker(
  internals: AppInternals,
  workerMain: WorkerMain,
  settings: WorkersSettings,
  subscriber: Subscriber<WorkerPool>,
): TeardownLogic {
  const app = internals.context;
  const stopping$ = new ReplaySubject<WorkerStopReason>(1);
  // The real process's environment, where the primary's fork put them (whatever port the app has).
  const env = (name: string) => realProcessPort().env?.(name);
  const worker: WorkerContext = {
    index: Number(env(ENV_INDEX)),
    generation: Number(env(ENV_GENERATION)),
    stopping$: stopping$.asObservable(),
  };
  const offShutdown = app.shutdown$.pipe(take(1)).subscribe((reason) => {
    stopping$.next(stopReasonOf(reason));
    stopping$.complete();
  });
  internals.sendToParent({ type: WORKER_UP });

  let main: Subscription | undefined;
  let gate: Subscription | undefined;
  // Ready only once the readiness checks of its probes pass too, not merely listening.
  const releaseChecks = holdReadyForChecks(internals);
  const member = joinReadySignal(internals);
  try {
    const produced = workerMain(app, worker);
    const list = (Array.isArray(produced) ? produced : [produced]) as ObservableInput<unknown>[];
    const tasks = list.map((task, index) => {
      try {
        return from(task);
      } catch {
        throw new TypeError(`workers$: workerMain returned ${describe(task)}${list.length > 1 ? ` as element ${index}` : ''}, which is not an ObservableInput`);
      }
    });
    main = merge(...tasks).subscribe({ error: (error: unknown) => subscriber.error(error), complete: () => subscriber.complete() });
    // Joined after the main's servers: ready once they all listen (and `ready` passed, if given).
    if (settings.ready === undefined) member.listening();
    else gate = from(settings.ready(app, worker)).pipe(take(1)).subscribe({ next: () => member.listening(), complete: () => member.listening(), error: (error: unknown) => subscriber.error(error) });
  } catch (error) {
    subscriber.error(error);
  }
  return () => {
    gate?.unsubscribe();
    releaseChecks();
    main?.unsubscribe();
    member.leave();
    offShutdown.unsubscribe();
  };
}

function stopReasonOf(reason: ShutdownReason): WorkerStopReason {
  if (reason.kind !== 'message') return 'local';
  const sent = (reason.message as { reason?: unknown } | undefined)?.reason;
  return sent === 'reload' || sent === 'shutdown' || sent === 'ready-timeout' ? sent : 'local';
}
