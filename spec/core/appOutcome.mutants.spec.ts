// The outcome builder on its own (internal): status, primary error, copies, late errors (issue 9).
import { createOutcome, recordInOutcome } from '../../lib/core/appOutcome';
import type { ErrorRecord, PendingReport, ShutdownReason } from '../../lib/core/types';

const reason: ShutdownReason = { kind: 'signal', signal: 'SIGTERM' };
const report = { cause: 'timeout', phase: 'draining', budgetMs: 100, pending: [], activeHandles: [] } as unknown as PendingReport;

function state(overrides: { errors?: ErrorRecord[]; report?: PendingReport; laterReasons?: ShutdownReason[] } = {}) {
  return {
    reason,
    laterReasons: overrides.laterReasons ?? [],
    errors: overrides.errors ?? [],
    report: overrides.report,
    openHandles: ['TCPWRAP'],
    shutdownMs: 42,
  };
}

describe('appOutcome', () => {
  it('is ok with no error and no report, and copies every field', () => {
    const later: ShutdownReason[] = [{ kind: 'signal', signal: 'SIGINT' }];
    const input = state({ laterReasons: later });
    const outcome = createOutcome(input);
    expect(outcome).toEqual({
      status: 'ok',
      reason,
      laterReasons: [{ kind: 'signal', signal: 'SIGINT' }],
      error: undefined,
      errors: [],
      report: undefined,
      openHandles: ['TCPWRAP'],
      shutdownMs: 42,
    });
    expect(outcome.laterReasons).not.toBe(later);
  });

  it('is error with errors, the first one primary; the list is a copy', () => {
    const errors: ErrorRecord[] = [
      { source: 'task', error: new Error('first') },
      { source: 'main', error: new Error('second') },
    ];
    const outcome = createOutcome(state({ errors }));
    expect(outcome.status).toBe('error');
    expect(outcome.error).toBe(errors[0]?.error);
    expect(outcome.errors).toEqual(errors);
    expect(outcome.errors).not.toBe(errors);
  });

  it("takes the report's cause as status, errors or not", () => {
    expect(createOutcome(state({ report })).status).toBe('timeout');
    const forced = { ...report, cause: 'forced' } as PendingReport;
    const outcome = createOutcome(state({ report: forced, errors: [{ source: 'task', error: 'x' }] }));
    expect(outcome.status).toBe('forced');
    expect(outcome.report).toBe(forced);
    expect(outcome.error).toBe('x');
  });

  it('a late error turns ok into error and becomes primary; the errors array is replaced', () => {
    const outcome = createOutcome(state());
    const before = outcome.errors;
    const late: ErrorRecord = { source: 'logger', error: new Error('log failed') };
    recordInOutcome(outcome, late);
    expect(outcome.status).toBe('error');
    expect(outcome.error).toBe(late.error);
    expect(outcome.errors).toEqual([late]);
    expect(before).toEqual([]);
  });

  it('a late error after others keeps the status and the primary error', () => {
    const first: ErrorRecord = { source: 'task', error: new Error('first') };
    const outcome = createOutcome(state({ errors: [first] }));
    const late: ErrorRecord = { source: 'logger', error: new Error('log failed') };
    recordInOutcome(outcome, late);
    expect(outcome.status).toBe('error');
    expect(outcome.error).toBe(first.error);
    expect(outcome.errors).toEqual([first, late]);

    const timedOut = createOutcome(state({ report }));
    recordInOutcome(timedOut, late);
    expect(timedOut.status).toBe('timeout');
    expect(timedOut.error).toBeUndefined();
    expect(timedOut.errors).toEqual([late]);
  });
});
