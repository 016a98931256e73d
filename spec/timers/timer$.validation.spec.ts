import { EMPTY, asyncScheduler } from 'rxjs';
import { timer$ } from 'rxrun';

const tick = () => EMPTY;

describe('timer$ validation (at call time, naming the option)', () => {
  it.each([
    [0, RangeError, /'period' must be a finite number of ms above 0/],
    [-5, RangeError, /'period'/],
    [Infinity, RangeError, /'period'/],
    [NaN, RangeError, /'period'/],
    [2 ** 31, RangeError, /'period'/],
    ['10', TypeError, /'period' must be a number of ms, got "10"/],
  ])('period %p → %p', (period, type, message) => {
    expect(() => timer$(period as number, tick)).toThrow(type);
    expect(() => timer$(period as number, tick)).toThrow(message);
  });

  it('tick must be a function', () => {
    expect(() => timer$(10, 'nope' as never)).toThrow(new TypeError(`timer$: 'tick' must be a function, got "nope"`));
  });

  it.each([
    [{ policy: 'merge' }, RangeError, /option 'policy' must be one of 'accumulate', 'cancel', 'skip', 'queue', got "merge"/],
    [{ concurrency: 0 }, RangeError, /option 'concurrency' must be a whole number from 1 up, or Infinity, got 0/],
    [{ concurrency: 1.5 }, RangeError, /option 'concurrency'/],
    [{ concurrency: '2' }, TypeError, /option 'concurrency' must be a number/],
    [{ policy: 'skip', concurrency: 2 }, TypeError, /option 'concurrency' applies only to policy 'accumulate'/],
    [{ policy: 'queue', maxQueued: -1 }, RangeError, /option 'maxQueued' must be a whole number from 0 up/],
    [{ policy: 'queue', maxQueued: NaN }, RangeError, /option 'maxQueued'/],
    [{ policy: 'skip', maxQueued: 3 }, TypeError, /option 'maxQueued' applies only to policy 'queue'/],
    [{ maxQueued: 3 }, TypeError, /option 'maxQueued' applies only/],
    [{ concurrency: Infinity, maxQueued: 3 }, TypeError, /option 'maxQueued' applies only/],
    [{ firstDelay: -1 }, RangeError, /option 'firstDelay'/],
    [{ firstDelay: Infinity }, RangeError, /option 'firstDelay'/],
    [{ missedTicks: 'catch-up' }, RangeError, /option 'missedTicks' must be one of 'skip', 'burst'/],
    [{ onStop: 'wait' }, RangeError, /option 'onStop' must be one of 'cancel', 'finish'/],
    [{ onTickError: 'ignore' }, RangeError, /option 'onTickError' must be one of 'continue', 'stop'/],
    [{ onMissed: 'log' }, TypeError, /option 'onMissed' must be a function/],
    [{ scheduler: {} }, TypeError, /option 'scheduler' must be a SchedulerLike/],
    [{ app: {} }, TypeError, /option 'app' must be the AppContext passed to main/],
    [{ name: 3 }, TypeError, /option 'name' must be a string/],
    [{ period: 3 }, TypeError, /unknown option 'period'/],
  ])('config %p → %p', (config, type, message) => {
    expect(() => timer$(10, tick, config as never)).toThrow(type);
    expect(() => timer$(10, tick, config as never)).toThrow(message);
  });

  it('config must be a plain object', () => {
    expect(() => timer$(10, tick, 5 as never)).toThrow(/timer\$: 'config' must be an object/);
  });

  it('accepts every valid combination', () => {
    expect(() => timer$(0.5, tick, { policy: 'accumulate', concurrency: 3, maxQueued: 0 })).not.toThrow();
    expect(() => timer$(10, tick, { policy: 'queue', maxQueued: Infinity, firstDelay: 0, missedTicks: 'burst', onStop: 'finish' })).not.toThrow();
    expect(() => timer$(10, tick, { policy: 'cancel', onTickError: () => undefined, onMissed: () => undefined, scheduler: asyncScheduler, name: 'x' })).not.toThrow();
    expect(() => timer$(10, tick, { onTickError: 'stop' })).not.toThrow();
  });
});
