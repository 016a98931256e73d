import { from, isObservable, type Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { FORBIDDEN_SIGNALS, signalNumber } from '../process/signals.js';
import { isAppContext } from './appRegistry.js';
import type { AppContext, AppOutcome } from './types.js';

// Every public function checks its arguments at call time and names the offending option.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function checkObject(where: string, name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new TypeError(`${where}: '${name}' must be an object, got ${describe(value)}`);
  return value;
}

export function checkKnownKeys(where: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
    }
  }
}

export function checkOneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new TypeError(`${where}: option '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new RangeError(`${where}: option '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

export function checkDuration(where: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${where}: option '${name}' must be a number of ms, got ${describe(value)}`);
  if (!Number.isFinite(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new RangeError(`${where}: option '${name}' must be a finite number of ms from 0 to 2147483647, got ${value}`);
  }
  return value;
}

export function checkBoolean(where: string, name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new TypeError(`${where}: option '${name}' must be a boolean, got ${describe(value)}`);
  return value;
}

export function checkString(where: string, name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${where}: option '${name}' must be a string, got ${describe(value)}`);
  return value;
}

/** `from(input)`, or a `TypeError` naming the argument (`'task' must be an ObservableInput, got 42`). */
export function checkObservableInput<T>(where: string, name: string, input: ObservableInput<T>): Observable<T> {
  try {
    return from(input);
  } catch {
    throw new TypeError(`${where}: '${name}' must be an ObservableInput, got ${describe(input)}`);
  }
}

/** A thenable that is not an Observable (RxJS accepts both; a promise runs once). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && !isObservable(value) && typeof (value as { then?: unknown }).then === 'function';
}

/** An optional name: a string, not empty (a `RangeError` then, as for every name in the API). */
export function checkName(where: string, name: string, value: unknown): string | undefined {
  const checked = checkString(where, name, value);
  if (checked === '') throw new RangeError(`${where}: option '${name}' must not be empty`);
  return checked;
}

/** Validates an {@link AppOutcome} argument by shape (an object with an `errors` array), else TypeError. */
export function checkOutcome(where: string, value: unknown): asserts value is AppOutcome {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as Partial<AppOutcome>).errors)) {
    throw new TypeError(`${where}: 'outcome' must be an AppOutcome, got ${describe(value)}`);
  }
}

/** Validates an optional TCP port: a number (else TypeError) that is an integer from 0 to 65535 (else RangeError). */
export function checkPort(where: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${where}: option '${name}' must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new RangeError(`${where}: option '${name}' must be an integer from 0 to 65535, got ${value}`);
  return value;
}

export function checkFunction(where: string, name: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${where}: '${name}' must be a function, got ${describe(value)}`);
}

/** Validates an optional `app` option: the AppContext passed to main. */
export function checkApp(where: string, value: unknown): AppContext | undefined {
  if (value === undefined) return undefined;
  if (!isAppContext(value)) throw new TypeError(`${where}: option 'app' must be the AppContext passed to main, got ${describe(value)}`);
  return value;
}

export function checkScheduler(where: string, value: unknown): SchedulerLike | undefined {
  if (value === undefined) return undefined;
  const candidate = value as Partial<SchedulerLike> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.now !== 'function' || typeof candidate.schedule !== 'function') {
    throw new TypeError(`${where}: option 'scheduler' must be a SchedulerLike (with now() and schedule()), got ${describe(value)}`);
  }
  return value as SchedulerLike;
}

export function checkSignals(where: string, name: string, value: unknown): NodeJS.Signals[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new TypeError(`${where}: option '${name}' must be an array of signal names, got ${describe(value)}`);
  for (const signal of value) {
    if (typeof signal !== 'string') throw new TypeError(`${where}: option '${name}' must hold signal names, got ${describe(signal)}`);
    if (FORBIDDEN_SIGNALS.includes(signal)) {
      throw new RangeError(`${where}: option '${name}' may not include ${signal}: it cannot be caught or must not be handled`);
    }
    // Stryker disable next-line Regex: equivalent — signalNumber() knows only real signal names, so the anchors only spare it a lookup
    if (!/^SIG[A-Z0-9]+$/.test(signal) || signalNumber(signal) === undefined) {
      throw new RangeError(`${where}: option '${name}' has an unknown signal ${describe(signal)}`);
    }
  }
  return [...new Set(value as NodeJS.Signals[])];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isObservable(value)) return 'an Observable';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${typeof value}`;
}
