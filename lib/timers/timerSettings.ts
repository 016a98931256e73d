import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkDuration, checkKnownKeys, checkName, checkObject, checkOneOf, checkScheduler, describe,
} from '../core/validate.js';
import type { TickErrorInfo, TimerMiss, TimerPolicy } from './timer$.js';

/** `TimerConfig` checked and with its defaults filled in (internal). */
export interface TimerSettings {
  readonly period: number;
  readonly policy: TimerPolicy;
  /** How many ticks may run at once (1 except under `'accumulate'`). */
  readonly concurrency: number;
  /** How many due ticks may wait for a slot (`'queue'`, capped `'accumulate'`). */
  readonly maxQueued: number;
  readonly firstDelay: number;
  readonly missedTicks: 'skip' | 'burst';
  readonly onStop: 'cancel' | 'finish';
  readonly onTickError: 'continue' | 'stop' | ((error: unknown, info: TickErrorInfo) => void);
  readonly onMissed: ((miss: TimerMiss) => void) | undefined;
  readonly scheduler: SchedulerLike;
  readonly app: AppContext | undefined;
  readonly name: string;
}

const WHERE = 'timer$';
const KNOWN = [
  'policy', 'concurrency', 'maxQueued', 'firstDelay', 'missedTicks', 'onStop', 'onTickError', 'onMissed', 'scheduler', 'app', 'name',
] as const;

export function timerSettings(period: unknown, tick: unknown, rawConfig: unknown): TimerSettings {
  if (typeof period !== 'number') throw new TypeError(`${WHERE}: 'period' must be a number of ms, got ${describe(period)}`);
  if (!Number.isFinite(period) || period <= 0 || period > 2 ** 31 - 1) {
    throw new RangeError(`${WHERE}: 'period' must be a finite number of ms above 0 and at most 2147483647, got ${period}`);
  }
  if (typeof tick !== 'function') throw new TypeError(`${WHERE}: 'tick' must be a function, got ${describe(tick)}`);
  const config = checkObject(WHERE, 'config', rawConfig);
  checkKnownKeys(WHERE, config, KNOWN);
  const policy = checkOneOf(WHERE, 'policy', config['policy'], ['accumulate', 'cancel', 'skip', 'queue'] as const) ?? 'accumulate';
  const concurrency = checkCount('concurrency', config['concurrency'], 1);
  if (concurrency !== undefined && policy !== 'accumulate') {
    throw new TypeError(`${WHERE}: option 'concurrency' applies only to policy 'accumulate' (policy '${policy}' runs one tick at a time)`);
  }
  const maxQueued = checkCount('maxQueued', config['maxQueued'], 0);
  // Stryker disable next-line ConditionalExpression: equivalent — `concurrency` was refused above for every policy but 'accumulate', so the first test adds nothing
  if (maxQueued !== undefined && policy !== 'queue' && !(policy === 'accumulate' && concurrency !== undefined && concurrency !== Infinity)) {
    throw new TypeError(`${WHERE}: option 'maxQueued' applies only to policy 'queue', or 'accumulate' with a finite 'concurrency'`);
  }
  const onTickError = config['onTickError'];
  // Stryker disable next-line ConditionalExpression: equivalent — checkOneOf accepts undefined itself
  if (onTickError !== undefined && typeof onTickError !== 'function') checkOneOf(WHERE, 'onTickError', onTickError, ['continue', 'stop'] as const);
  const onMissed = config['onMissed'];
  if (onMissed !== undefined && typeof onMissed !== 'function') {
    throw new TypeError(`${WHERE}: option 'onMissed' must be a function, got ${describe(onMissed)}`);
  }
  const app = checkApp(WHERE, config['app']);
  const scheduler = checkScheduler(WHERE, config['scheduler']) ?? app?.scheduler ?? asyncScheduler;
  return {
    period,
    policy,
    concurrency: policy === 'accumulate' ? (concurrency ?? Infinity) : 1,
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: equivalent — runTimer reads maxQueued only under 'queue' and 'accumulate' ('skip' drops, 'cancel' replaces), so the 0 is documentation
    maxQueued: policy === 'skip' || policy === 'cancel' ? 0 : (maxQueued ?? Infinity),
    firstDelay: checkDuration(WHERE, 'firstDelay', config['firstDelay']) ?? 0,
    missedTicks: checkOneOf(WHERE, 'missedTicks', config['missedTicks'], ['skip', 'burst'] as const) ?? 'skip',
    onStop: checkOneOf(WHERE, 'onStop', config['onStop'], ['cancel', 'finish'] as const) ?? 'cancel',
    // Stryker disable next-line StringLiteral: equivalent — runTimer treats every value but 'stop' and a function as 'continue'
    onTickError: (onTickError as TimerSettings['onTickError'] | undefined) ?? 'continue',
    onMissed: onMissed as TimerSettings['onMissed'],
    scheduler,
    app,
    name: checkName(WHERE, 'name', config['name']) ?? 'timer$',
  };
}

/** A whole number from `min` up, or `Infinity`. */
function checkCount(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${WHERE}: option '${name}' must be a number, got ${describe(value)}`);
  if (value !== Infinity && (!Number.isInteger(value) || value < min)) {
    throw new RangeError(`${WHERE}: option '${name}' must be a whole number from ${min} up, or Infinity, got ${value}`);
  }
  return value;
}
