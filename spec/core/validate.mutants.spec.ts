// The argument-check kit on its own (internal): exact messages and error types, and the edges of each
// check, which mutation testing found unasserted (issue 9).
import { EMPTY, NEVER, asyncScheduler, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { AppContext } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import {
  checkApp, checkBoolean, checkDuration, checkFunction, checkKnownKeys, checkName, checkObject, checkObservableInput,
  checkOneOf, checkScheduler, checkSignals, checkString, describe as describeValue, isPlainObject, isPromiseLike,
} from '../../lib/core/validate';

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

describe('validate', () => {
  it('isPlainObject: object literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(undefined)).toBe(false);
    expect(isPlainObject(1)).toBe(false);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject('x')).toBe(false);
    expect(isPlainObject(() => undefined)).toBe(false);
  });

  it('checkObject: undefined is {}, a plain object passes through, anything else is a TypeError', () => {
    expect(checkObject('f', 'config', undefined)).toEqual({});
    const config = { a: 1 };
    expect(checkObject('f', 'config', config)).toBe(config);
    const error = thrown(() => checkObject('f', 'config', []));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("f: 'config' must be an object, got an array");
  });

  it('checkKnownKeys names the unknown key and the known ones', () => {
    expect(() => checkKnownKeys('f', { a: 1, b: 2 }, ['a', 'b'])).not.toThrow();
    const error = thrown(() => checkKnownKeys('f', { a: 1, c: 2 }, ['a', 'b']));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("f: unknown option 'c' (known: a, b)");
  });

  it('checkOneOf: TypeError for a non-string, RangeError for an unknown string', () => {
    expect(checkOneOf('f', 'mode', undefined, ['x', 'y'])).toBeUndefined();
    expect(checkOneOf('f', 'mode', 'y', ['x', 'y'])).toBe('y');
    const type = thrown(() => checkOneOf('f', 'mode', 1, ['x', 'y']));
    expect(type).toBeInstanceOf(TypeError);
    expect(type.message).toBe("f: option 'mode' must be one of 'x', 'y', got 1");
    const range = thrown(() => checkOneOf('f', 'mode', 'z', ['x', 'y']));
    expect(range).toBeInstanceOf(RangeError);
    expect(range.message).toBe("f: option 'mode' must be one of 'x', 'y', got \"z\"");
  });

  it('checkDuration: 0 to 2**31 - 1 ms', () => {
    expect(checkDuration('f', 'd', undefined)).toBeUndefined();
    expect(checkDuration('f', 'd', 0)).toBe(0);
    expect(checkDuration('f', 'd', 2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(checkDuration('f', 'd', 1.5)).toBe(1.5);
    const type = thrown(() => checkDuration('f', 'd', '5'));
    expect(type).toBeInstanceOf(TypeError);
    expect(type.message).toBe("f: option 'd' must be a number of ms, got \"5\"");
    for (const bad of [-1, 2 ** 31, Infinity, NaN]) {
      const range = thrown(() => checkDuration('f', 'd', bad));
      expect(range).toBeInstanceOf(RangeError);
      expect(range.message).toBe(`f: option 'd' must be a finite number of ms from 0 to 2147483647, got ${bad}`);
    }
  });

  it('checkBoolean and checkString', () => {
    expect(checkBoolean('f', 'b', undefined)).toBeUndefined();
    expect(checkBoolean('f', 'b', false)).toBe(false);
    expect(thrown(() => checkBoolean('f', 'b', 0)).message).toBe("f: option 'b' must be a boolean, got 0");
    expect(thrown(() => checkBoolean('f', 'b', 0))).toBeInstanceOf(TypeError);
    expect(checkString('f', 's', undefined)).toBeUndefined();
    expect(checkString('f', 's', '')).toBe('');
    expect(thrown(() => checkString('f', 's', null)).message).toBe("f: option 's' must be a string, got null");
    expect(thrown(() => checkString('f', 's', null))).toBeInstanceOf(TypeError);
  });

  it('checkName: a string, not empty (RangeError)', () => {
    expect(checkName('f', 'name', undefined)).toBeUndefined();
    expect(checkName('f', 'name', 'a')).toBe('a');
    const range = thrown(() => checkName('f', 'name', ''));
    expect(range).toBeInstanceOf(RangeError);
    expect(range.message).toBe("f: option 'name' must not be empty");
    expect(thrown(() => checkName('f', 'name', 1))).toBeInstanceOf(TypeError);
  });

  it('checkObservableInput: from(input), or a TypeError naming the argument', () => {
    const source = of(1);
    expect(checkObservableInput('f', 'task', source)).toBe(source);
    const error = thrown(() => checkObservableInput('f', 'task', 42 as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("f: 'task' must be an ObservableInput, got 42");
  });

  it('isPromiseLike: thenables that are not Observables', () => {
    expect(isPromiseLike(Promise.resolve())).toBe(true);
    expect(isPromiseLike({ then: () => undefined })).toBe(true);
    expect(isPromiseLike({ then: 1 })).toBe(false);
    expect(isPromiseLike(null)).toBe(false);
    expect(isPromiseLike(undefined)).toBe(false);
    expect(isPromiseLike(() => undefined)).toBe(false);
    expect(isPromiseLike(Object.assign(of(1), { then: () => undefined }))).toBe(false);
  });

  it('checkFunction', () => {
    expect(() => checkFunction('f', 'fn', () => undefined)).not.toThrow();
    const error = thrown(() => checkFunction('f', 'fn', 'x'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("f: 'fn' must be a function, got \"x\"");
  });

  it('checkApp: undefined, or an AppContext', () => {
    expect(checkApp('f', undefined)).toBeUndefined();
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(() => {
      let context: AppContext | undefined;
      runTestApp((ctx) => {
        context = ctx;
        return NEVER;
      });
      expect(checkApp('f', context)).toBe(context);
    });
    const error = thrown(() => checkApp('f', {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("f: option 'app' must be the AppContext passed to main, got a value of type object");
  });

  it('checkScheduler: an object with now() and schedule()', () => {
    expect(checkScheduler('f', undefined)).toBeUndefined();
    expect(checkScheduler('f', asyncScheduler)).toBe(asyncScheduler);
    const message = "f: option 'scheduler' must be a SchedulerLike (with now() and schedule()), got ";
    const functionScheduler = Object.assign(() => undefined, { now: () => 0, schedule: () => EMPTY.subscribe() });
    for (const bad of [null, 5, functionScheduler, { now: () => 0 }, { schedule: () => EMPTY.subscribe() }, { now: 0, schedule: () => undefined }]) {
      const error = thrown(() => checkScheduler('f', bad));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message.startsWith(message)).toBe(true);
    }
  });

  it('checkSignals: an array of catchable, known signal names, without duplicates', () => {
    expect(checkSignals('f', 'signals', undefined)).toBeUndefined();
    expect(checkSignals('f', 'signals', ['SIGTERM', 'SIGINT', 'SIGTERM'])).toEqual(['SIGTERM', 'SIGINT']);
    expect(checkSignals('f', 'signals', [])).toEqual([]);
    const notArray = thrown(() => checkSignals('f', 'signals', 'SIGTERM'));
    expect(notArray).toBeInstanceOf(TypeError);
    expect(notArray.message).toBe("f: option 'signals' must be an array of signal names, got \"SIGTERM\"");
    const notString = thrown(() => checkSignals('f', 'signals', [15]));
    expect(notString).toBeInstanceOf(TypeError);
    expect(notString.message).toBe("f: option 'signals' must hold signal names, got 15");
    const forbidden = thrown(() => checkSignals('f', 'signals', ['SIGKILL']));
    expect(forbidden).toBeInstanceOf(RangeError);
    expect(forbidden.message).toBe("f: option 'signals' may not include SIGKILL: it cannot be caught or must not be handled");
    for (const unknown of ['SIGNOPE', 'sigterm', 'XSIGTERM', 'SIGTERMX', 'SIGTERM ']) {
      const error = thrown(() => checkSignals('f', 'signals', [unknown]));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(`f: option 'signals' has an unknown signal ${JSON.stringify(unknown)}`);
    }
  });

  it('describe names a value briefly', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1])).toBe('an array');
    expect(describeValue(of(1))).toBe('an Observable');
    expect(describeValue('a')).toBe('"a"');
    expect(describeValue(1)).toBe('1');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(undefined)).toBe('a value of type undefined');
    expect(describeValue(() => 1)).toBe('a value of type function');
  });
});
