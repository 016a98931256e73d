import type { AppOutcome, ErrorRecord, PendingReport, ShutdownReason } from './types.js';

/** An outcome still being completed: a logger failing on the final lines adds its error (internal). */
export type OutcomeDraft = { -readonly [K in keyof AppOutcome]: AppOutcome[K] };

/**
 * The outcome of an app that reached `stopped` (internal). `status`: the cut-off's cause (`timeout`,
 * `forced`), else `error` when any error was reported, else `ok`.
 */
export function createOutcome(state: {
  readonly reason: ShutdownReason;
  readonly laterReasons: readonly ShutdownReason[];
  readonly errors: readonly ErrorRecord[];
  readonly report: PendingReport | undefined;
  readonly openHandles: readonly string[];
  readonly shutdownMs: number;
}): OutcomeDraft {
  const { errors, report } = state;
  return {
    status: report?.cause ?? (errors.length > 0 ? 'error' : 'ok'),
    reason: state.reason,
    laterReasons: [...state.laterReasons],
    error: errors[0]?.error,
    errors: [...errors],
    report,
    openHandles: state.openHandles,
    shutdownMs: state.shutdownMs,
  };
}

/** Adds an error reported after the outcome was built, before it was delivered (internal). */
export function recordInOutcome(outcome: OutcomeDraft, record: ErrorRecord): void {
  outcome.errors = [...outcome.errors, record];
  if (outcome.status === 'ok') {
    outcome.status = 'error';
    outcome.error = record.error;
  }
}
