import { ForcedShutdownError, ShutdownTimeoutError, outcomeError, type AppOutcome } from 'rxrun';
import { anOutcome } from '../support/lifecycle';

const outcome = (overrides: Partial<AppOutcome>): AppOutcome => anOutcome({ shutdownMs: 25, ...overrides });

const timeoutReport = {
  cause: 'timeout' as const,
  phase: 'draining' as const,
  budgetMs: 25_000,
  pending: [{ kind: 'protected' as const, name: 'save', state: 'running' as const }],
  activeHandles: ['TCPSocketWrap'],
};

describe('outcomeError', () => {
  it('is undefined for an ok outcome', () => {
    expect(outcomeError(outcome({}))).toBeUndefined();
  });

  it('is the error itself when there is exactly one Error', () => {
    const boom = new Error('boom');
    expect(outcomeError(outcome({ status: 'error', error: boom, errors: [{ source: 'task', error: boom }] }))).toBe(boom);
  });

  it('wraps a single non-Error value in an AggregateError', () => {
    const error = outcomeError(outcome({ status: 'error', error: 'text', errors: [{ source: 'task', error: 'text' }] }));
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual(['text']);
  });

  it('is an AggregateError of every error, in order, when there are several', () => {
    const [a, b] = [new Error('a'), new Error('b')];
    const error = outcomeError(outcome({ status: 'error', error: a, errors: [{ source: 'task', error: a }, { source: 'hook', error: b }] }));
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([a, b]);
    expect(error?.message).toMatch(/2 errors/);
  });

  it('puts a ShutdownTimeoutError naming the pending work first when the budget ran out', () => {
    const boom = new Error('boom');
    const error = outcomeError(
      outcome({ status: 'timeout', report: timeoutReport, shutdownMs: 25, error: boom, errors: [{ source: 'hook', error: boom }] }),
    ) as AggregateError;
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors[0]).toBeInstanceOf(ShutdownTimeoutError);
    expect(error.errors[0]).toMatchObject({ name: 'ShutdownTimeoutError', budgetMs: 25_000, report: timeoutReport });
    expect(error.errors[0].message).toMatch(/protected 'save' \(running\).*TCPSocketWrap/);
    expect(error.errors[1]).toBe(boom);
  });

  it('is the ShutdownTimeoutError alone when the budget ran out without other errors', () => {
    expect(outcomeError(outcome({ status: 'timeout', report: timeoutReport }))).toBeInstanceOf(ShutdownTimeoutError);
  });

  it('is a ForcedShutdownError naming the forcing signal after a forced stop', () => {
    const error = outcomeError(
      outcome({ status: 'forced', report: { ...timeoutReport, cause: 'forced' }, laterReasons: [{ kind: 'signal', signal: 'SIGINT' }] }),
    );
    expect(error).toBeInstanceOf(ForcedShutdownError);
    expect(error).toMatchObject({ name: 'ForcedShutdownError', signal: 'SIGINT' });
  });
});
