import { exitStatusFor, type AppOutcome, type ExitCodeMode } from 'rxrun';

function outcome(overrides: Partial<AppOutcome>): AppOutcome {
  return {
    status: 'ok',
    reason: { kind: 'stop' },
    laterReasons: [],
    error: undefined,
    errors: [],
    report: undefined,
    openHandles: [],
    shutdownMs: 0,
    ...overrides,
  };
}

const report = { cause: 'timeout' as const, phase: 'draining' as const, budgetMs: 25_000, pending: [], activeHandles: [] };
const boom = new Error('boom');
const SIGTERM = { kind: 'signal', signal: 'SIGTERM' } as const;
const SIGINT = { kind: 'signal', signal: 'SIGINT' } as const;
const withError = { status: 'error' as const, error: boom, errors: [{ source: 'task' as const, error: boom }] };

describe('exitStatusFor', () => {
  it.each<[string, Partial<AppOutcome>, ExitCodeMode, { code: number; signal?: NodeJS.Signals }]>([
    ['stop()', {}, 'conventional', { code: 0 }],
    ['main completed', { reason: { kind: 'main-complete' } }, 'conventional', { code: 0 }],
    ['IPC message', { reason: { kind: 'message', message: 'shutdown' } }, 'conventional', { code: 0 }],
    ['graceful SIGTERM', { reason: SIGTERM }, 'conventional', { code: 143, signal: 'SIGTERM' }],
    ['graceful SIGINT', { reason: SIGINT }, 'conventional', { code: 130, signal: 'SIGINT' }],
    ['graceful SIGHUP', { reason: { kind: 'signal', signal: 'SIGHUP' } }, 'conventional', { code: 129, signal: 'SIGHUP' }],
    ['error', withError, 'conventional', { code: 1 }],
    ['error after SIGTERM', { ...withError, reason: SIGTERM }, 'conventional', { code: 1 }],
    ['error reason', { ...withError, reason: { kind: 'error', error: boom } }, 'conventional', { code: 1 }],
    ['timeout after stop()', { status: 'timeout', report }, 'conventional', { code: 1 }],
    ['forced after stop()', { status: 'forced', report: { ...report, cause: 'forced' } }, 'conventional', { code: 1 }],
    ['timeout after SIGTERM', { status: 'timeout', report, reason: SIGTERM }, 'conventional', { code: 143, signal: 'SIGTERM' }],
    ['forced after SIGTERM', { status: 'forced', reason: SIGTERM, laterReasons: [SIGINT] }, 'conventional', { code: 143, signal: 'SIGTERM' }],
    ['graceful SIGTERM, zero-on-graceful', { reason: SIGTERM }, 'zero-on-graceful', { code: 0 }],
    ['stop(), zero-on-graceful', {}, 'zero-on-graceful', { code: 0 }],
    ['error after SIGTERM, zero-on-graceful', { ...withError, reason: SIGTERM }, 'zero-on-graceful', { code: 1 }],
    ['timeout after SIGTERM, zero-on-graceful', { status: 'timeout', report, reason: SIGTERM }, 'zero-on-graceful', { code: 143, signal: 'SIGTERM' }],
    ['forced after SIGINT, zero-on-graceful', { status: 'forced', reason: SIGINT }, 'zero-on-graceful', { code: 130, signal: 'SIGINT' }],
    ['timeout after stop(), zero-on-graceful', { status: 'timeout', report }, 'zero-on-graceful', { code: 1 }],
    ['custom function', { reason: SIGTERM }, () => 42, { code: 42 }],
    ['custom function may say 0 after an error', withError, () => 0, { code: 0 }],
    ['custom function returning 255', {}, () => 255, { code: 255 }],
    ['custom function throwing', {}, () => { throw new Error('x'); }, { code: 1 }],
    ['custom function returning 1.5', {}, () => 1.5, { code: 1 }],
    ['custom function returning NaN', {}, () => NaN, { code: 1 }],
    ['custom function returning -1', {}, () => -1, { code: 1 }],
    ['custom function returning 256', {}, () => 256, { code: 1 }],
    ['custom function returning a string', {}, () => '0' as unknown as number, { code: 1 }],
  ])('%s → %j', (_, overrides, mode, expected) => {
    expect(exitStatusFor(outcome(overrides), mode)).toEqual(expected);
  });

  it("defaults to 'conventional'", () => {
    expect(exitStatusFor(outcome({ reason: SIGTERM }))).toEqual({ code: 143, signal: 'SIGTERM' });
  });

  it('never gives 0 for an error, timeout or forced outcome in the built-in modes', () => {
    const reasons = [SIGTERM, SIGINT, { kind: 'stop' } as const, { kind: 'main-complete' } as const];
    for (const mode of ['conventional', 'zero-on-graceful'] as const) {
      for (const reason of reasons) {
        for (const bad of [withError, { status: 'timeout' as const, report }, { status: 'forced' as const, report }]) {
          expect(exitStatusFor(outcome({ ...bad, reason }), mode).code).not.toBe(0);
        }
      }
    }
  });

  it('passes the outcome to a custom function', () => {
    const mapper = jest.fn(() => 3);
    const given = outcome({ reason: SIGTERM });
    exitStatusFor(given, mapper);
    expect(mapper).toHaveBeenCalledWith(given);
  });
});
