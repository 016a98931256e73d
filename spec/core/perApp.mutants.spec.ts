// perApp on its own (internal): one value per app, created on first use (issue 9).
import type { AppInternals } from '../../lib/core/appRegistry';
import { perApp } from '../../lib/core/perApp';

const app = () => ({}) as unknown as AppInternals;

describe('perApp', () => {
  it('creates the value once per app and returns that same value afterwards', () => {
    const created: AppInternals[] = [];
    const valueOf = perApp((internals) => {
      created.push(internals);
      return { for: internals };
    });
    const a = app();
    const b = app();
    const first = valueOf(a);
    expect(first).toEqual({ for: a });
    expect(valueOf(a)).toBe(first);
    const other = valueOf(b);
    expect(other).not.toBe(first);
    expect(other.for).toBe(b);
    expect(valueOf(b)).toBe(other);
    expect(created).toEqual([a, b]);
  });

  it('keeps a value that is undefined too (created once)', () => {
    let calls = 0;
    const valueOf = perApp(() => {
      calls += 1;
      return undefined;
    });
    const a = app();
    expect(valueOf(a)).toBeUndefined();
    expect(valueOf(a)).toBeUndefined();
    expect(calls).toBe(1);
  });
});
