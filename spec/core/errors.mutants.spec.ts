// The core's error classes and error-describing helpers on their own (internal; issue 9).
import {
  ForcedShutdownError,
  NoCurrentAppError,
  ProcessAlreadyOwnedError,
  ShutdownTimeoutError,
  StepTimeoutError,
  describeError,
  describePending,
  errorLine,
  isLoggedWithoutStack,
  logWithoutStack,
} from '../../lib/core/errors';
import type { PendingReport } from '../../lib/core/types';

const report = (pending: PendingReport['pending'], activeHandles: string[] = []): PendingReport => ({
  cause: 'timeout',
  phase: 'draining',
  budgetMs: 100,
  pending,
  activeHandles,
});

describe('core errors (mutants)', () => {
  it('each class names itself and says what happened', () => {
    const step = new StepTimeoutError('finalizer', 'db', 250);
    expect([step.name, step.message, step.kind, step.stepName, step.timeoutMs]).toEqual([
      'StepTimeoutError',
      "rxrun: finalizer 'db' did not finish within 250 ms",
      'finalizer',
      'db',
      250,
    ]);
    const cutOff = report([{ kind: 'hook', name: 'flush', state: 'running' }], ['Timeout']);
    const timeout = new ShutdownTimeoutError(100, cutOff);
    expect([timeout.name, timeout.message, timeout.budgetMs, timeout.report]).toEqual([
      'ShutdownTimeoutError',
      "rxrun: shutdown budget of 100 ms exceeded; cut off: hook 'flush' (running); open handles: Timeout",
      100,
      cutOff,
    ]);
    const forced = new ForcedShutdownError('SIGINT', cutOff);
    expect([forced.name, forced.message, forced.signal, forced.report]).toEqual([
      'ForcedShutdownError',
      "rxrun: SIGINT received again; stopped at once; cut off: hook 'flush' (running); open handles: Timeout",
      'SIGINT',
      cutOff,
    ]);
    expect(new ProcessAlreadyOwnedError('x').name).toBe('ProcessAlreadyOwnedError');
    expect(new NoCurrentAppError('x').name).toBe('NoCurrentAppError');
  });

  it('describeError: an Error by its stack, else its name and message; a non-Error as JSON, else as a string', () => {
    const withStack = new Error('db down');
    expect(describeError(withStack)).toBe(withStack.stack);
    expect(describeError(withStack)).toMatch(/^Error: db down\n\s+at /);
    const withoutStack = new RangeError('too far');
    withoutStack.stack = undefined;
    expect(describeError(withoutStack)).toBe('RangeError: too far');
    expect(describeError({ code: 42 })).toBe('non-Error value: {"code":42}');
    expect(describeError('boom')).toBe('non-Error value: "boom"');
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(describeError(circular)).toBe('non-Error value: [object Object]');
    expect(describeError(10n)).toBe('non-Error value: 10');
  });

  it('errorLine: one line, the name and message of an Error (no stack), whatever the whitespace around line breaks', () => {
    expect(errorLine(new TypeError('bad\nvalue'))).toBe('TypeError: bad value');
    expect(errorLine(new Error('a  \n\n   b\nc'))).toBe('Error: a b c');
    expect(errorLine(new Error('no break'))).toBe('Error: no break');
    expect(errorLine('two\nlines')).toBe('non-Error value: "two\\nlines"');
    const circular: Record<string, unknown> = { toString: () => 'line one\n  line two\nthree' };
    circular['self'] = circular;
    expect(errorLine(circular)).toBe('non-Error value: line one line two three');
  });

  it('logWithoutStack marks a class (and its subclasses); nothing else counts as marked', () => {
    class Quiet extends Error {}
    class Quieter extends Quiet {}
    class Loud extends Error {}
    expect(isLoggedWithoutStack(new Quiet('q'))).toBe(false);
    logWithoutStack(Quiet);
    expect(isLoggedWithoutStack(new Quiet('q'))).toBe(true);
    expect(isLoggedWithoutStack(new Quieter('q'))).toBe(true);
    expect(isLoggedWithoutStack(new Loud('l'))).toBe(false);
    expect(isLoggedWithoutStack(new Error('e'))).toBe(false);
    // A non-Error carrying the mark is not an error of a marked class.
    const [mark] = Object.getOwnPropertySymbols(Quiet.prototype);
    expect(mark).toBeDefined();
    expect(isLoggedWithoutStack({ [mark as symbol]: true })).toBe(false);
    expect(isLoggedWithoutStack(null)).toBe(false);
    expect(isLoggedWithoutStack(undefined)).toBe(false);
    // Only the value true marks.
    class Odd extends Error {}
    Object.defineProperty(Odd.prototype, mark as symbol, { value: 1 });
    expect(isLoggedWithoutStack(new Odd('o'))).toBe(false);
  });

  it('describePending: each item with its kind, name and state, repeats counted; handles only when there are some', () => {
    expect(describePending(report([]))).toBe('nothing');
    expect(describePending(report([], ['TCPServerWrap']))).toBe('nothing; open handles: TCPServerWrap');
    expect(
      describePending(
        report(
          [
            { kind: 'protected', name: 'save', state: 'running' },
            { kind: 'protected', name: 'save', state: 'running' },
            { kind: 'finalizer', name: 'db', state: 'skipped' },
          ],
          ['Timeout', 'Timeout'],
        ),
      ),
    ).toBe("protected 'save' (running) ×2, finalizer 'db' (skipped); open handles: Timeout ×2");
  });
});
