import { Observable, of, take } from 'rxjs';
import { resource$, resources$ } from 'rxrun';

describe('resource$ / resources$ validation', () => {
  const acquire = () => of(1);
  const release = () => undefined;

  it.each([
    ['acquire', () => resource$(42 as never, release), TypeError, "resource$: 'acquire' must be a function, got 42"],
    ['release', () => resource$(acquire, 'close' as never), TypeError, "resource$: 'release' must be a function, got \"close\""],
    ['config', () => resource$(acquire, release, [] as never), TypeError, "resource$: 'config' must be an object, got an array"],
    ['unknown key', () => resource$(acquire, release, { timout: 5 } as never), TypeError, "resource$: unknown option 'timout'"],
    ['name type', () => resource$(acquire, release, { name: 1 as never }), TypeError, "resource$: option 'name' must be a string"],
    ['empty name', () => resource$(acquire, release, { name: '' }), RangeError, "resource$: option 'name' must not be empty"],
    ['timeout type', () => resource$(acquire, release, { timeout: '5s' as never }), TypeError, "resource$: option 'timeout' must be a number of ms"],
    ['timeout range', () => resource$(acquire, release, { timeout: -1 }), RangeError, "resource$: option 'timeout' must be a finite number"],
    ['timeout NaN', () => resource$(acquire, release, { timeout: NaN }), RangeError, "resource$: option 'timeout' must be a finite number"],
    ['timeout Infinity', () => resource$(acquire, release, { timeout: Infinity }), RangeError, "resource$: option 'timeout' must be a finite number"],
    ['config null', () => resource$(acquire, release, null as never), TypeError, "resource$: 'config' must be an object, got null"],
    ['app', () => resource$(acquire, release, { app: {} as never }), TypeError, "resource$: option 'app' must be the AppContext passed to main"],
    ['scheduler', () => resource$(acquire, release, { scheduler: {} as never }), TypeError, "resource$: option 'scheduler' must be a SchedulerLike"],
    ['onError', () => resource$(acquire, release, { onError: 'log' as never }), TypeError, "resource$: option 'onError' must be a function"],
  ])('resource$ rejects a bad %s at call time', (_what, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('resources$ rejects a non-object record', () => {
    expect(() => resources$(null as never)).toThrow(TypeError);
    expect(() => resources$([] as never)).toThrow("resources$: 'record' must be an object of resource$ observables, got an array");
  });

  it('resources$ rejects a plain observable, naming the key', () => {
    expect(() => resources$({ db: resource$(acquire, release), cache: of('c') })).toThrow(
      new TypeError("resources$: 'cache' must be an observable made by resource$(…) (not piped), got an Observable"),
    );
  });

  it('resources$ rejects a piped resource$ (the spec does not survive pipe), naming the key', () => {
    expect(() => resources$({ db: resource$(acquire, release).pipe(take(1)) })).toThrow("resources$: 'db' must be an observable made by resource$(…)");
  });

  it('resources$ rejects a value that is not an observable at all', () => {
    expect(() => resources$({ db: 'postgres://' as unknown as Observable<string> })).toThrow("resources$: 'db' must be an observable made by resource$(…) (not piped), got \"postgres://\"");
  });

  it('the spec resource$ carries is not enumerable', () => {
    const db$ = resource$(acquire, release);
    expect(db$).toBeInstanceOf(Observable);
    expect(Object.keys(db$)).toEqual(Object.keys(new Observable(() => undefined)));
    expect(Object.getOwnPropertySymbols(db$)).toHaveLength(1);
    expect(Object.getOwnPropertyDescriptor(db$, Object.getOwnPropertySymbols(db$)[0] as symbol)?.enumerable).toBe(false);
  });

  it('resource$ with an explicit app that is not running is rejected at call time', () => {
    expect(() => resource$(acquire, release, { app: { stop() {} } as never })).toThrow(TypeError);
  });
});
