import type { BackoffConfig } from './supervise.js';
import { checkDuration, checkKnownKeys, checkObject, describe } from '../core/validate.js';

/** The checked restart options shared by `supervise` and `workers$` (internal). */
export interface RestartSettings {
  readonly initial: number;
  readonly factor: number;
  readonly max: number;
  readonly jitter: number;
  readonly resetAfter: number;
  readonly maxRestarts: number;
  readonly within: number;
}

/** What to do after a run ended: restart after `delayMs` (the `attempt`-th restart), or give up. */
export type RestartDecision =
  | { readonly kind: 'restart'; readonly attempt: number; readonly delayMs: number }
  | { readonly kind: 'give-up'; readonly restarts: number };

/** Backoff and intensity state of one supervised thing (internal). */
export interface RestartPolicy {
  /**
   * Decides, at scheduler time `now`, about a run that started at `startedAt` and just ended. Throws
   * what `random` threw (nothing is counted then).
   */
  decide(now: number, startedAt: number): RestartDecision;
}

/**
 * Reads `backoff`, `maxRestarts` and `within` from an options object (already checked to be
 * an object), throwing TypeError / RangeError naming the option (internal).
 */
export function readRestartSettings(where: string, options: Record<string, unknown>): RestartSettings {
  const backoff = checkObject(where, 'backoff', options['backoff']) as Record<string, unknown> & BackoffConfig;
  checkKnownKeys(`${where}: backoff`, backoff, ['initial', 'factor', 'max', 'jitter', 'resetAfter']);
  const initial = checkDuration(where, 'backoff.initial', backoff['initial']) ?? 100;
  const factor = checkNumber(where, 'backoff.factor', backoff['factor'], 1, 1e6) ?? 2;
  const max = checkDuration(where, 'backoff.max', backoff['max']) ?? 30_000;
  const jitter = checkNumber(where, 'backoff.jitter', backoff['jitter'], 0, 1) ?? 0;
  const maxRestarts = checkCount(where, 'maxRestarts', options['maxRestarts']) ?? 5;
  const within = checkDuration(where, 'within', options['within']) ?? 60_000;
  if (within === 0) throw new RangeError(`${where}: option 'within' must be more than 0 ms`);
  const resetAfter = checkDuration(where, 'backoff.resetAfter', backoff['resetAfter']) ?? within;
  return { initial, factor, max, jitter, resetAfter, maxRestarts, within };
}

/**
 * Exponential, capped backoff with optional jitter, and Erlang restart intensity: more than
 * `maxRestarts` restarts within `within` ms gives up; a run that stayed up `resetAfter` ms resets the
 * backoff to `initial`. `random` draws the jitter (internal).
 */
export function createRestartPolicy(settings: RestartSettings, random: () => number = Math.random): RestartPolicy {
  const { initial, factor, max, jitter, resetAfter, maxRestarts, within } = settings;
  const restartTimes: number[] = [];
  let attempt = 0;
  let step = 0;
  return {
    decide(now, startedAt) {
      if (now - startedAt >= resetAfter) step = 0;
      while (restartTimes.length > 0 && now - (restartTimes[0] as number) >= within) restartTimes.shift();
      if (restartTimes.length >= maxRestarts) return { kind: 'give-up', restarts: restartTimes.length };
      const draw = jitter === 0 ? 0 : clamp01(random());
      // Infinity never gives up: nothing to count.
      if (maxRestarts !== Infinity) restartTimes.push(now);
      attempt += 1;
      // `initial × factor^step` overflows to Infinity after ~1,000 restarts (and 0 × Infinity is NaN): the
      // step stops growing once the delay reached `max`.
      const base = initial === 0 ? 0 : Math.min(max, initial * factor ** step);
      if (base < max) step += 1;
      return { kind: 'restart', attempt, delayMs: Math.round(base * (1 - jitter * draw)) };
    },
  };
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

function checkNumber(where: string, name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${where}: option '${name}' must be a number, got ${describe(value)}`);
  if (!(value >= min && value <= max)) throw new RangeError(`${where}: option '${name}' must be from ${min} to ${max}, got ${value}`);
  return value;
}

function checkCount(where: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${where}: option '${name}' must be a number, got ${describe(value)}`);
  if (value !== Infinity && !(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(`${where}: option '${name}' must be a whole number >= 0 or Infinity, got ${value}`);
  }
  return value;
}
