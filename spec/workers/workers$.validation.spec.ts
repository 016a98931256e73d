import { workers$ } from 'rxrun';

const main = () => [];

describe('workers$: bad input', () => {
  it.each([0, -1, NaN, 1.5, Infinity])('count %p → RangeError naming count', (count) => {
    expect(() => workers$(main, { count })).toThrow(RangeError);
    expect(() => workers$(main, { count })).toThrow(/workers\$: option 'count' must be a whole number/);
  });

  it('count of the wrong type → TypeError naming count', () => {
    expect(() => workers$(main, { count: '2' as unknown as number })).toThrow(new TypeError(`workers$: option 'count' must be a number, got "2"`));
  });

  it('workerMain not a function, unknown option, bad timeouts, bad reloadSignal, bad backoff, bad env', () => {
    expect(() => workers$(undefined as never)).toThrow(/workers\$: 'workerMain' must be a function/);
    expect(() => workers$(main, { cuont: 2 } as never)).toThrow(/unknown option 'cuont'/);
    expect(() => workers$(main, { readyTimeout: -1 })).toThrow(RangeError);
    expect(() => workers$(main, { stopTimeout: NaN })).toThrow(/option 'stopTimeout'/);
    expect(() => workers$(main, { reloadSignal: 'SIGKILL' })).toThrow(/option 'reloadSignal' may not include SIGKILL/);
    expect(() => workers$(main, { reloadSignal: 1 as never })).toThrow(TypeError);
    expect(() => workers$(main, { backoff: { factor: 0.5 } })).toThrow(/option 'backoff.factor'/);
    expect(() => workers$(main, { maxRestarts: -1 })).toThrow(/option 'maxRestarts'/);
    expect(() => workers$(main, { env: { A: 1 } as never })).toThrow(/option 'env.A' must be a string/);
    expect(() => workers$(main, { ready: 'yes' as never })).toThrow(/'ready' must be a function/);
  });

  it('accepts a count of 1 and the defaults', () => {
    expect(() => workers$(main, { count: 1 })).not.toThrow();
    expect(() => workers$(main)).not.toThrow();
    expect(() => workers$(main, { reloadSignal: false })).not.toThrow();
  });
});
