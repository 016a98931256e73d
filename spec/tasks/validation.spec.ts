import { NEVER, asyncScheduler } from 'rxjs';
import { supervise, taskGroup } from 'rxrun';

describe('taskGroup validation', () => {
  it.each([
    [() => taskGroup(42 as never), TypeError, /taskGroup: 'config' must be an object/],
    [() => taskGroup({ nme: 'x' } as never), TypeError, /taskGroup: unknown option 'nme'/],
    [() => taskGroup({ name: 1 } as never), TypeError, /taskGroup: option 'name' must be a string/],
    [() => taskGroup({ mode: 'lenient' } as never), RangeError, /taskGroup: option 'mode' must be one of 'fail-fast', 'persistent'/],
    [() => taskGroup({ mode: 'persistent', onError: 'log' } as never), TypeError, /taskGroup: 'onError' must be a function/],
    [() => taskGroup({ onError: () => undefined }), TypeError, /taskGroup: option 'onError' needs mode: 'persistent'/],
    [() => taskGroup({ app: {} } as never), TypeError, /taskGroup: option 'app' must be the AppContext/],
    [() => taskGroup({ scheduler: {} } as never), TypeError, /taskGroup: option 'scheduler' must be a SchedulerLike/],
  ])('%#: rejects bad config', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  it.each([
    [() => taskGroup().spawn(42 as never), TypeError, /group.spawn: 'task' must be an ObservableInput, got 42/],
    [() => taskGroup().spawn(NEVER, { name: 3 } as never), TypeError, /group.spawn: option 'name' must be a string/],
    [() => taskGroup().spawn(NEVER, { name: '' }), RangeError, /group.spawn: option 'name' must not be empty/],
    [() => taskGroup().spawn(NEVER, { label: 'x' } as never), TypeError, /group.spawn: unknown option 'label'/],
  ])('%#: rejects bad spawn arguments', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });
});

describe('supervise validation', () => {
  it.each([
    [() => supervise(42 as never), TypeError, /supervise: 'task\$' must be an ObservableInput/],
    [() => supervise(NEVER, [] as never), TypeError, /supervise: 'config' must be an object/],
    [() => supervise(NEVER, { restrat: 'always' } as never), TypeError, /supervise: unknown option 'restrat'/],
    [() => supervise(NEVER, { restart: 'sometimes' } as never), RangeError, /option 'restart' must be one of 'on-error', 'always', 'never'/],
    [() => supervise(NEVER, { backoff: 100 } as never), TypeError, /supervise: 'backoff' must be an object/],
    [() => supervise(NEVER, { backoff: { inital: 1 } } as never), TypeError, /supervise: backoff: unknown option 'inital'/],
    [() => supervise(NEVER, { backoff: { initial: -1 } }), RangeError, /option 'backoff.initial' must be a finite number of ms/],
    [() => supervise(NEVER, { backoff: { factor: 0.5 } }), RangeError, /option 'backoff.factor' must be from 1/],
    [() => supervise(NEVER, { backoff: { max: '1s' } } as never), TypeError, /option 'backoff.max' must be a number of ms/],
    [() => supervise(NEVER, { backoff: { jitter: 1.5 } }), RangeError, /option 'backoff.jitter' must be from 0 to 1/],
    [() => supervise(NEVER, { backoff: { resetAfter: Infinity } }), RangeError, /option 'backoff.resetAfter'/],
    [() => supervise(NEVER, { maxRestarts: 1.5 }), RangeError, /option 'maxRestarts' must be a whole number >= 0 or Infinity/],
    [() => supervise(NEVER, { maxRestarts: -1 }), RangeError, /option 'maxRestarts'/],
    [() => supervise(NEVER, { within: 0 }), RangeError, /option 'within' must be more than 0 ms/],
    [() => supervise(NEVER, { name: 5 } as never), TypeError, /option 'name' must be a string/],
    [() => supervise(NEVER, { random: 0.5 } as never), TypeError, /supervise: 'random' must be a function/],
    [() => supervise(NEVER, { app: {} } as never), TypeError, /supervise: option 'app' must be the AppContext/],
    [() => supervise(NEVER, { scheduler: 'async' } as never), TypeError, /option 'scheduler' must be a SchedulerLike/],
  ])('%#: rejects bad arguments', (make, type, message) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
  });

  it('accepts Infinity restarts and a scheduler', () => {
    expect(() => supervise(NEVER, { maxRestarts: Infinity, scheduler: asyncScheduler })).not.toThrow();
  });
});

describe('validation gaps', () => {
  it('supervise refuses a Promise (it runs once and cannot be restarted), pointing to defer', () => {
    const promise = Promise.resolve(1);
    expect(() => supervise(promise)).toThrow(TypeError);
    expect(() => supervise(promise)).toThrow(/supervise: 'task\$' is a Promise.*defer\(\(\) =>/);
    // 'never' does not restart: a promise is fine there.
    expect(() => supervise(promise, { restart: 'never' })).not.toThrow();
  });

  it.each([
    [() => taskGroup({ name: '' }), /taskGroup: option 'name' must not be empty/],
    [() => supervise(NEVER, { name: '' }), /supervise: option 'name' must not be empty/],
  ])('%#: rejects empty names', (make, message) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(message);
  });
});

describe('supervise numbers: NaN, Infinity, negatives', () => {
  it.each([
    [{ backoff: { initial: NaN } }, /backoff.initial/],
    [{ backoff: { initial: Infinity } }, /backoff.initial/],
    [{ backoff: { factor: NaN } }, /backoff.factor/],
    [{ backoff: { factor: Infinity } }, /backoff.factor/],
    [{ backoff: { max: -1 } }, /backoff.max/],
    [{ backoff: { jitter: NaN } }, /backoff.jitter/],
    [{ backoff: { jitter: -0.1 } }, /backoff.jitter/],
    [{ maxRestarts: NaN }, /maxRestarts/],
    [{ maxRestarts: -Infinity }, /maxRestarts/],
    [{ within: Infinity }, /within/],
    [{ within: NaN }, /within/],
    [{ within: -5 }, /within/],
  ])('%#: %j is a RangeError naming the option', (config, message) => {
    expect(() => supervise(NEVER, config)).toThrow(RangeError);
    expect(() => supervise(NEVER, config)).toThrow(message);
  });

  it.each([null, 'x', 1])('spawn options %p is a TypeError', (options) => {
    expect(() => taskGroup().spawn(NEVER, options as never)).toThrow(/group.spawn: 'options' must be an object/);
  });
});
