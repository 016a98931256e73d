// exitStatusFor's argument checks, which mutation testing found unasserted (issue 9): a value that is
// not an outcome, and a mode that is neither a known name nor a function.
import { exitStatusFor, type AppOutcome, type ExitCodeMode } from 'rxrun';

const ok: AppOutcome = {
  status: 'ok',
  reason: { kind: 'stop' },
  laterReasons: [],
  error: undefined,
  errors: [],
  report: undefined,
  openHandles: [],
  shutdownMs: 0,
};

describe('exitStatusFor arguments', () => {
  it.each<[string, unknown, string]>([
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a number', 0, 'got 0'],
    ['a string', 'ok', 'got "ok"'],
    ['an object without errors', { status: 'ok' }, 'a value of type object'],
    ['errors that are not an array', { ...ok, errors: 'none' }, 'a value of type object'],
    ['errors as an array-like object', { ...ok, errors: { length: 0 } }, 'a value of type object'],
  ])('refuses %s as the outcome with a TypeError naming it', (_, value, described) => {
    let thrown: unknown;
    try {
      exitStatusFor(value as AppOutcome);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(/^exitStatusFor: 'outcome' must be an AppOutcome, got /);
    expect((thrown as Error).message).toContain(described);
  });

  it('accepts any object whose errors is an array (an outcome read back from JSON)', () => {
    const fromJson = JSON.parse(JSON.stringify(ok)) as AppOutcome;
    expect(exitStatusFor(fromJson)).toEqual({ code: 0 });
  });

  it('an outcome without a reason (only errors is required) exits by its status, without throwing', () => {
    const bare = { ...ok, reason: undefined } as unknown as AppOutcome;
    expect(exitStatusFor(bare)).toEqual({ code: 0 });
    expect(exitStatusFor({ ...bare, status: 'timeout' })).toEqual({ code: 1 });
  });

  it.each<[unknown, ErrorConstructor]>([
    ['graceful', RangeError],
    ['', RangeError],
    [1, TypeError],
    [null, TypeError],
  ])('refuses mode %p (%p naming the option)', (mode, type) => {
    expect(() => exitStatusFor(ok, mode as ExitCodeMode)).toThrow(type);
    expect(() => exitStatusFor(ok, mode as ExitCodeMode)).toThrow(/^exitStatusFor: option 'mode' must be one of 'conventional', 'zero-on-graceful'/);
  });

  it('checks the outcome before calling a custom function', () => {
    const mapper = jest.fn(() => 0);
    expect(() => exitStatusFor(null as unknown as AppOutcome, mapper)).toThrow(TypeError);
    expect(mapper).not.toHaveBeenCalled();
  });

  it('a custom function decides alone, even for a signal stop: no signal is re-raised', () => {
    const signalled: AppOutcome = { ...ok, reason: { kind: 'signal', signal: 'SIGTERM' } };
    expect(exitStatusFor(signalled, () => 0)).toEqual({ code: 0 });
    expect(exitStatusFor(signalled, () => 7)).toStrictEqual({ code: 7 });
  });

  it('a signal stop re-raises the signal with its shell status', () => {
    const signalled: AppOutcome = { ...ok, reason: { kind: 'signal', signal: 'SIGUSR2' } };
    expect(exitStatusFor(signalled)).toStrictEqual({ code: 140, signal: 'SIGUSR2' });
    expect(exitStatusFor(signalled, 'zero-on-graceful')).toStrictEqual({ code: 0 });
  });
});
