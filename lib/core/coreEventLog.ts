import { describeError, describePending, errorLine, isLoggedWithoutStack } from './errors.js';
import type { EventLog } from './eventLog.js';
import { listNames } from './listNames.js';
import type { CoreLifecycleEvent, Logger, ShutdownReason } from './types.js';
import { logError } from '../logging/lifecycleLogRecord.js';

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

/**
 * How the core's own events are logged (internal): the aiorun-like phase lines (most events write
 * nothing), and the fields of their JSON records. Extensions bring their own (`serverEventLog`, …).
 */
export const coreEventLog: EventLog<CoreLifecycleEvent> = { lines: logCoreEvent, fields: coreEventFields };

function logCoreEvent(logger: Logger, event: CoreLifecycleEvent): void {
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
      // An error whose stack is a library's internals (a supervisor's give-up) is one line; see logWithoutStack.
      const line = isLoggedWithoutStack(error) ? errorLine(error) : describeError(error);
      logger.error?.(`rxrun: ${source}${name === undefined ? '' : ` '${name}'`} failed: ${line}`);
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
  }
}

function coreEventFields(event: CoreLifecycleEvent): Record<string, unknown> {
  switch (event.type) {
    case 'phase':
    case 'protected-drained':
      return {};
    case 'shutdown-requested':
      return { reason: describeReason(event.reason), first: event.first };
    case 'signal-coalesced':
      return { signal: event.signal };
    case 'task-refused':
      return { task: event.name };
    case 'error': {
      const { source, name, error } = event.record;
      return name === undefined ? { source, error: logError(error) } : { source, [source]: name, error: logError(error) };
    }
    case 'tasks-cancelled':
    case 'protected-pending':
      return { count: event.count, names: [...event.names] };
    case 'hook-start':
    case 'hook-end':
    case 'finalizer-start':
    case 'finalizer-end':
      return { kind: event.kind, [event.kind]: event.name };
    case 'hook-failed':
    case 'finalizer-failed':
      return { kind: event.kind, [event.kind]: event.name, error: logError(event.error) };
    case 'finalizers-start':
      return { count: event.count };
    case 'timeout':
    case 'forced': {
      const { cause, budgetMs, pending, activeHandles } = event.report;
      return { cause, budgetMs, pending: pending.map(({ kind, name, state }) => ({ kind, name, state })), activeHandles: [...activeHandles] };
    }
    case 'stopped': {
      const { outcome } = event;
      return {
        status: outcome.status,
        reason: describeReason(outcome.reason),
        shutdownMs: outcome.shutdownMs,
        errorCount: outcome.errors.length,
        openHandles: [...outcome.openHandles],
      };
    }
  }
}
