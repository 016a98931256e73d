import { describeError, describePending } from './errors.js';
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
    case 'server-listening':
      logger.info?.(`rxrun: server '${event.name}' listening on ${event.address}`);
      return;
    case 'server-drain':
      if (event.step === 'destroyed') logger.warn?.(`rxrun: server '${event.name}' destroyed ${event.count} connection${event.count === 1 ? '' : 's'} still open at the drain's end: ${listNames(event.names, { total: event.count })}`);
      else logger.debug?.(`rxrun: server '${event.name}' drain: ${event.step} (${event.count})`);
      return;
    default:
      return;
  }
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
