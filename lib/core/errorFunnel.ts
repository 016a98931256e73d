import { describeError } from './errors.js';
import { teardownErrors } from './guardTeardown.js';
import type { CoreLifecycleEvent, ErrorRecord, ErrorSource, Logger, ShutdownReason } from './types.js';

/** What the error funnel needs from its app (internal). */
export interface ErrorFunnelHost {
  /** The app stopped: no event can carry an error any more. */
  isStopped(): boolean;
  now(): number;
  publish(event: CoreLifecycleEvent): void;
  /** Writes a line that belongs to no event. */
  log(write: (logger: Logger) => void): void;
  requestShutdown(reason: ShutdownReason): void;
  /** The app's `onTaskError` policy. */
  readonly onTaskError: 'shutdown' | 'isolate';
}

/**
 * Where every error of an app goes (internal): kept in order (the first is primary), published as an
 * `error` event while the app runs (logged after it stopped), and, for main's errors and, under the
 * `'shutdown'` policy, work errors, a shutdown request.
 */
export interface ErrorFunnel {
  /** Every error so far, in order. */
  readonly errors: readonly ErrorRecord[];
  readonly report: (source: ErrorSource, name: string | undefined, error: unknown) => void;
  /** What a teardown threw (each error of an `UnsubscriptionError` on its own). */
  readonly reportTeardown: (error: unknown) => void;
  /** Completes a subject whose subscribers' teardown may throw. */
  readonly complete: (subject: { complete(): void }) => void;
  /** Keeps an error that no event carries (the logger's own failure). */
  readonly keep: (record: ErrorRecord) => void;
}

export function createErrorFunnel(host: ErrorFunnelHost): ErrorFunnel {
  const errors: ErrorRecord[] = [];

  function report(source: ErrorSource, name: string | undefined, error: unknown): void {
    const record: ErrorRecord = name === undefined ? { source, error } : { source, name, error };
    errors.push(record);
    if (host.isStopped()) {
      // No event can carry it any more (while `finish` builds the outcome it still lands there).
      host.log((logger) => logger.error?.(`rxrun: ${source} error while the app stopped: ${describeError(error)}`));
      return;
    }
    host.publish({ type: 'error', record, at: host.now() });
    const startsShutdown = source === 'main' || (host.onTaskError === 'shutdown' && isWorkError(source));
    if (startsShutdown) host.requestShutdown({ kind: 'error', error });
  }

  function reportTeardown(error: unknown): void {
    for (const each of teardownErrors(error)) report('teardown', undefined, each);
  }

  return {
    errors,
    report,
    reportTeardown,
    complete: (subject) => {
      try {
        subject.complete();
      } catch (error) {
        reportTeardown(error);
      }
    },
    keep: (record) => void errors.push(record),
  };
}

function isWorkError(source: ErrorSource): boolean {
  return source === 'task' || source === 'protected' || source === 'uncaughtException' || source === 'unhandledRejection';
}
