// outcomeError's details (issue 9): the forcing signal it names, the AggregateError's message.
import { ForcedShutdownError, outcomeError, type AppOutcome, type PendingReport, type ShutdownReason } from 'rxrun';

const forcedReport = { cause: 'forced', phase: 'draining', budgetMs: 1000, pending: [], activeHandles: [] } as unknown as PendingReport;

function forced(reason: ShutdownReason | undefined, laterReasons: ShutdownReason[]): AppOutcome {
  return {
    status: 'forced',
    reason,
    laterReasons,
    error: undefined,
    errors: [],
    report: forcedReport,
    openHandles: [],
    shutdownMs: 5,
  } as AppOutcome;
}

const signalOf = (outcome: AppOutcome) => {
  const error = outcomeError(outcome);
  expect(error).toBeInstanceOf(ForcedShutdownError);
  return (error as ForcedShutdownError).signal;
};

describe('outcomeError (mutants)', () => {
  it('names the last signal among the later reasons', () => {
    const reasons: ShutdownReason[] = [
      { kind: 'signal', signal: 'SIGTERM' },
      { kind: 'signal', signal: 'SIGQUIT' },
      { kind: 'stop' },
    ];
    expect(signalOf(forced({ kind: 'signal', signal: 'SIGHUP' }, reasons))).toBe('SIGQUIT');
  });

  it('names the first reason when it was a signal and no later reason is one', () => {
    expect(signalOf(forced({ kind: 'signal', signal: 'SIGTERM' }, []))).toBe('SIGTERM');
    expect(signalOf(forced({ kind: 'signal', signal: 'SIGTERM' }, [{ kind: 'error', error: 'x' }]))).toBe('SIGTERM');
  });

  it('names SIGINT when no reason was a signal, or there is no reason', () => {
    expect(signalOf(forced({ kind: 'stop' }, [{ kind: 'disconnect' }]))).toBe('SIGINT');
    expect(signalOf(forced(undefined, []))).toBe('SIGINT');
  });

  it("says how many errors and the status in the AggregateError's message", () => {
    const one = outcomeError({ ...forced(undefined, []), status: 'error', report: undefined, error: 'text', errors: [{ source: 'task', error: 'text' }] });
    expect(one?.message).toBe('rxrun: the app ended with 1 error (status error)');
    const boom = new Error('boom');
    const two = outcomeError({ ...forced(undefined, []), errors: [{ source: 'hook', error: boom }] });
    expect(two?.message).toBe('rxrun: the app ended with 2 errors (status forced)');
    expect((two as AggregateError).errors[0]).toBeInstanceOf(ForcedShutdownError);
    expect((two as AggregateError).errors[1]).toBe(boom);
  });
});
