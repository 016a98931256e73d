// loadBuiltin on its own (internal; issue 9): process.getBuiltinModule when the Node has it, else require.
import { loadBuiltin } from '../../lib/core/loadBuiltin';

type WithGetter = { getBuiltinModule?: unknown };

// The real module, as Node's own loader hands it out (an `import * as` would be a namespace copy).
const os = process.getBuiltinModule('node:os');

/** Runs `body` with `process.getBuiltinModule` replaced by `value`, then puts the original back. */
function withGetter(value: unknown, body: () => void): void {
  const target = process as unknown as WithGetter;
  const own = Object.getOwnPropertyDescriptor(target, 'getBuiltinModule');
  Object.defineProperty(target, 'getBuiltinModule', { value, configurable: true, writable: true });
  try {
    body();
  } finally {
    if (own === undefined) delete target.getBuiltinModule;
    else Object.defineProperty(target, 'getBuiltinModule', own);
  }
}

describe('loadBuiltin (mutants)', () => {
  it('returns the built-in module itself', () => {
    expect(loadBuiltin('node:os')).toBe(os);
    expect(loadBuiltin('node:os').constants.signals.SIGTERM).toBe(15);
  });

  it('asks process.getBuiltinModule (called on process) when there is one', () => {
    const calls: [unknown, unknown][] = [];
    const answer = { stand: 'in' };
    withGetter(
      function (this: unknown, id: unknown) {
        calls.push([this, id]);
        return answer;
      },
      () => expect(loadBuiltin('node:tty')).toBe(answer),
    );
    expect(calls).toEqual([[process, 'node:tty']]);
  });

  it('falls back to require where process.getBuiltinModule is missing (Node before 20.16 / 22.3)', () => {
    withGetter(undefined, () => expect(loadBuiltin('node:os')).toBe(os));
    withGetter('not a function', () => expect(loadBuiltin('node:os')).toBe(os));
  });
});
