import { describeError, describePending } from './errors.js';
import { describe } from './validate.js';
import { listNames } from './listNames.js';
import { SupervisorGaveUpError } from '../tasks/errors.js';
import type { LifecycleEvent, Logger, ShutdownReason } from './types.js';

/** `"SIGTERM"`, `"app.stop()"`, `"error: Error: boom"`. */
export function describeReason(reason: ShutdownReason | undefined): string {
  if (reason === undefined) return 'no request';
  switch (reason.kind) {
    case 'signal':
      return reason.signal;
    case 'message':
      return 'IPC shutdown message';
    case 'disconnect':
      return 'IPC channel to the parent closed';
    case 'stop':
      return reason.detail === undefined ? 'app.stop()' : `app.stop(${formatDetail(reason.detail)})`;
    case 'error':
      return `error: ${reason.error instanceof Error ? `${reason.error.name}: ${reason.error.message}` : String(reason.error)}`;
    case 'main-complete':
      return 'main completed';
  }
}

function formatDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail;
  try {
    return JSON.stringify(detail) ?? typeof detail;
  } catch {
    return typeof detail;
  }
}

/** Writes the aiorun-like phase lines for one event (most events write nothing). */
export function logLifecycleEvent(logger: Logger, event: LifecycleEvent): void {
  switch (event.type) {
    case 'phase':
      logger.debug?.(`rxrun: phase ${event.phase}`);
      return;
    case 'shutdown-requested':
      if (event.first) logger.info?.(`rxrun: ${describeReason(event.reason)}; entering shutdown phase`);
      else logger.info?.(`rxrun: ${describeReason(event.reason)} during shutdown (already stopping)`);
      return;
    case 'signal-coalesced':
      logger.debug?.(`rxrun: ${event.signal} repeated within the coalescing window; ignored`);
      return;
    case 'task-refused':
      logger.warn?.(`rxrun: task '${event.name}' not started: shutdown under way`);
      return;
    case 'error': {
      const { source, name, error } = event.record;
      // A give-up's own stack is supervise's internals, and its last error's stack went to debug with the give-up.
      const gaveUp = error instanceof SupervisorGaveUpError;
      logger.error?.(`rxrun: ${source}${name === undefined ? '' : ` '${name}'`} failed: ${gaveUp ? errorLine(error) : describeError(error)}`);
      return;
    }
    case 'tasks-cancelled':
      logger.info?.(`rxrun: cancelling ${event.count} task${event.count === 1 ? '' : 's'}`);
      return;
    case 'hook-start':
      logger.debug?.(`rxrun: running shutdown hook '${event.name}'`);
      return;
    case 'protected-pending':
      logger.info?.(`rxrun: waiting for ${event.count} protected task${event.count === 1 ? '' : 's'}: ${listNames(event.names, { total: event.count })}`);
      return;
    case 'finalizers-start':
      if (event.count > 0) logger.info?.(`rxrun: running ${event.count} finalizer${event.count === 1 ? '' : 's'}`);
      return;
    case 'finalizer-start':
      if (event.kind === 'executor') logger.info?.(`rxrun: waiting for executor '${event.name}' to shut down`);
      return;
    case 'timeout':
      logger.warn?.(`rxrun: shutdown budget exceeded in phase ${event.report.phase}; cut off: ${describePending(event.report)}`);
      return;
    case 'forced':
      logger.warn?.(`rxrun: forced stop in phase ${event.report.phase}; cut off: ${describePending(event.report)}`);
      return;
    case 'stopped': {
      const { outcome } = event;
      if (outcome.openHandles.length > 0) {
        logger.warn?.(`rxrun: handles left open by the app: ${listNames(outcome.openHandles)}`);
      }
      logger.info?.(`rxrun: stopped (${outcome.status}, ${describeReason(outcome.reason)}) after ${outcome.shutdownMs} ms. Bye!`);
      return;
    }
    case 'task-restart':
      // One line per restart (a crash loop must not flood the log); the stack goes to debug.
      logger.warn?.(`rxrun: restarting '${event.name}' in ${event.delayMs} ms (restart ${event.attempt})${event.error === undefined ? '' : ` after: ${errorLine(event.error)}`}`);
      if (event.error !== undefined) logStack(logger, `'${event.name}' restart ${event.attempt}`, event.error);
      return;
    case 'task-gave-up':
      logger.error?.(`rxrun: gave up restarting '${event.name}' after ${event.restarts} restart${event.restarts === 1 ? '' : 's'}: ${errorLine(event.error)}`);
      logStack(logger, `'${event.name}' last run`, event.error);
      return;
    case 'ready-sent':
      logger.debug?.("rxrun: sent 'ready' to the parent process");
      return;
    case 'budget-exceeds-grace':
      logger.warn?.(
        `rxrun: shutdownTimeout ${event.budgetMs} ms exceeds PM2's kill_timeout ${event.graceMs} ms (${graceSetting(event.setting)}): ` +
          `PM2 kills the app (SIGKILL) ${event.graceMs} ms after asking it to stop; set kill_timeout above ${event.budgetMs} ms or lower shutdownTimeout`,
      );
      return;
    case 'server-listening':
      logger.info?.(`rxrun: server '${event.name}' listening on ${event.address}`);
      return;
    case 'server-closed':
      if (event.error === undefined) logger.warn?.(`rxrun: server '${event.name}' closed outside the shutdown; its task ended`);
      else logger.warn?.(`rxrun: server '${event.name}' failed outside the shutdown (${event.error instanceof Error ? event.error.message : describe(event.error)}); its task ended with that error`);
      return;
    case 'server-drain':
      if (event.step === 'destroyed') logger.warn?.(`rxrun: server '${event.name}' destroyed ${event.count} connection${event.count === 1 ? '' : 's'} still open at the drain's end: ${listNames(event.names, { total: event.count })}`);
      else logger.debug?.(`rxrun: server '${event.name}' drain: ${event.step} (${event.count})${event.names.length > 0 ? `: ${listNames(event.names, { total: event.count })}` : ''}`);
      return;
    case 'child-started':
      logger.info?.(`rxrun: child ${event.kind} '${event.name}' started (${event.kind === 'process' ? 'pid' : 'thread'} ${event.id})`);
      return;
    case 'child-stopping':
      if (event.step === 'SIGKILL' || event.step === 'terminate') logger.warn?.(`rxrun: child ${event.kind} '${event.name}' (${event.id}) did not stop in time: ${event.step === 'SIGKILL' ? 'SIGKILL' : 'terminate()'}`);
      else logger.info?.(`rxrun: stopping child ${event.kind} '${event.name}' (${event.id}): ${event.step === 'message' ? 'stop message' : event.step}`);
      return;
    case 'child-exited':
      logger.info?.(`rxrun: child ${event.kind} '${event.name}' (${event.id}) exited (${event.signal ?? `code ${event.code}`})`);
      return;
    case 'worker-started':
      logger.info?.(`rxrun: worker ${event.index} started (pid ${event.pid}, generation ${event.generation})`);
      return;
    case 'worker-ready':
      logger.info?.(`rxrun: worker ${event.index} ready (pid ${event.pid}) ${event.startMs} ms after its start`);
      return;
    case 'workers-ready':
      logger.info?.(`rxrun: all ${event.count} worker${event.count === 1 ? '' : 's'} ready (pids ${event.pids.join(', ')})`);
      return;
    case 'worker-stopping':
      logger.info?.(`rxrun: stopping worker ${event.index} (pid ${event.pid}): ${event.reason}`);
      return;
    case 'worker-killed':
      logger.warn?.(`rxrun: killed worker ${event.index} (pid ${event.pid}) with SIGKILL: ${event.reason === 'deadline' ? 'still running at the shutdown budget' : 'still running at stopTimeout'}`);
      return;
    case 'worker-exit': {
      const how = event.signal ?? `code ${event.code}`;
      const line = `rxrun: worker ${event.index} (pid ${event.pid}) exited (${how}): ${event.cause}`;
      if (event.cause === 'stopped') logger.info?.(line);
      else logger.warn?.(line);
      return;
    }
    case 'reload-start':
      logger.info?.(`rxrun: rolling restart of ${event.count} worker${event.count === 1 ? '' : 's'} (${event.trigger})`);
      return;
    case 'reload-done':
      logger.info?.(`rxrun: rolling restart done in ${event.durationMs} ms`);
      return;
    case 'reload-queued':
      logger.info?.(`rxrun: reload requested during a rolling restart: ${event.coalesced ? 'coalesced with the one already queued' : 'queued, runs once this one is done'}`);
      return;
    case 'reload-cancelled':
      logger.warn?.(`rxrun: rolling restart cancelled by the shutdown after ${event.replaced} of ${event.count} workers`);
      return;
    default:
      return;
  }
}

function graceSetting(setting: 'kill_timeout' | 'PM2_KILL_TIMEOUT' | 'default'): string {
  if (setting === 'default') return "PM2's default";
  return setting === 'kill_timeout' ? "the app's kill_timeout" : "the daemon's PM2_KILL_TIMEOUT";
}

/** `Error: db down` on one line: the error's name and message, without its stack (non-Errors as `describeError` says them). */
function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return describeError(error).replace(/\s*\n\s*/g, ' ');
  return `${error.name}: ${error.message}`.replace(/\s*\n\s*/g, ' ');
}

/** The stack behind a one-line error, for `logger.debug` (a logger without debug gets nothing). */
function logStack(logger: Logger, what: string, error: unknown): void {
  if (error instanceof Error && error.stack !== undefined) logger.debug?.(`rxrun: ${what} error stack: ${error.stack}`);
}
