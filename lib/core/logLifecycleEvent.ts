import { describeError, describePending } from './errors.js';
import { describe } from './validate.js';
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
      logger.error?.(`rxrun: ${source}${name === undefined ? '' : ` '${name}'`} failed: ${describeError(error)}`);
      return;
    }
    case 'tasks-cancelled':
      logger.info?.(`rxrun: cancelling ${event.count} task${event.count === 1 ? '' : 's'}`);
      return;
    case 'hook-start':
      logger.debug?.(`rxrun: running shutdown hook '${event.name}'`);
      return;
    case 'protected-pending':
      logger.info?.(`rxrun: waiting for ${event.count} protected task${event.count === 1 ? '' : 's'}: ${event.names.join(', ')}`);
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
        logger.warn?.(`rxrun: handles left open by the app: ${outcome.openHandles.join(', ')}`);
      }
      logger.info?.(`rxrun: stopped (${outcome.status}, ${describeReason(outcome.reason)}) after ${outcome.shutdownMs} ms. Bye!`);
      return;
    }
    case 'task-restart':
      logger.warn?.(`rxrun: restarting '${event.name}' in ${event.delayMs} ms (restart ${event.attempt})${event.error === undefined ? '' : ` after: ${describeError(event.error)}`}`);
      return;
    case 'task-gave-up':
      logger.error?.(`rxrun: gave up restarting '${event.name}' after ${event.restarts} restart${event.restarts === 1 ? '' : 's'}: ${describeError(event.error)}`);
      return;
    case 'server-listening':
      logger.info?.(`rxrun: server '${event.name}' listening on ${event.address}`);
      return;
    case 'server-closed':
      if (event.error === undefined) logger.warn?.(`rxrun: server '${event.name}' closed outside the shutdown; its task ended`);
      else logger.warn?.(`rxrun: server '${event.name}' failed outside the shutdown (${event.error instanceof Error ? event.error.message : describe(event.error)}); its task ended with that error`);
      return;
    case 'server-drain':
      if (event.step === 'destroyed') logger.warn?.(`rxrun: server '${event.name}' destroyed ${event.count} connection${event.count === 1 ? '' : 's'} still open at the drain's end: ${event.names.join(', ')}`);
      else logger.debug?.(`rxrun: server '${event.name}' drain: ${event.step} (${event.count})${event.names.length > 0 ? `: ${event.names.join(', ')}` : ''}`);
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
