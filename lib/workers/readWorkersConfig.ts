import { loadBuiltin } from '../core/loadBuiltin.js';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkDuration, checkFunction, checkKnownKeys, checkObject, checkSignals, describe, isPlainObject,
} from '../core/validate.js';
import { readRestartSettings, type RestartSettings } from '../tasks/restartPolicy.js';
import type { WorkersConfig } from './workersTypes.js';

/** `workers$`'s checked options (internal). */
export interface WorkersSettings {
  readonly count: number;
  readonly reloadSignal: NodeJS.Signals | false;
  readonly readyTimeout: number;
  readonly stopTimeout: number;
  readonly restart: RestartSettings;
  readonly env: Readonly<Record<string, string>>;
  readonly ready: WorkersConfig['ready'];
  readonly app: AppContext | undefined;
}

const KEYS = ['count', 'reloadSignal', 'readyTimeout', 'stopTimeout', 'backoff', 'maxRestarts', 'within', 'env', 'ready', 'app'];

/** Checks `workers$`'s config, throwing TypeError / RangeError naming the option (internal). */
export function readWorkersConfig(where: string, config: unknown): WorkersSettings {
  const options = checkObject(where, 'config', config);
  checkKnownKeys(where, options, KEYS);
  const rawCount = options['count'];
  if (rawCount !== undefined && typeof rawCount !== 'number') {
    throw new TypeError(`${where}: option 'count' must be a number, got ${describe(rawCount)}`);
  }
  if (rawCount !== undefined && !(Number.isInteger(rawCount) && rawCount >= 1 && rawCount <= 1024)) {
    throw new RangeError(`${where}: option 'count' must be a whole number from 1 to 1024, got ${rawCount}`);
  }
  const count = rawCount ?? loadBuiltin('node:os').availableParallelism();
  const rawSignal = options['reloadSignal'];
  let reloadSignal: NodeJS.Signals | false = 'SIGHUP';
  if (rawSignal === false) reloadSignal = false;
  else if (rawSignal !== undefined) {
    if (typeof rawSignal !== 'string') throw new TypeError(`${where}: option 'reloadSignal' must be a signal name or false, got ${describe(rawSignal)}`);
    reloadSignal = (checkSignals(where, 'reloadSignal', [rawSignal]) as NodeJS.Signals[])[0] as NodeJS.Signals;
  }
  const readyTimeout = checkDuration(where, 'readyTimeout', options['readyTimeout']) ?? 30_000;
  const stopTimeout = checkDuration(where, 'stopTimeout', options['stopTimeout']) ?? 30_000;
  const restart = readRestartSettings(where, options);
  const rawEnv = options['env'];
  if (rawEnv !== undefined) {
    if (!isPlainObject(rawEnv)) throw new TypeError(`${where}: option 'env' must be an object of strings, got ${describe(rawEnv)}`);
    for (const [key, value] of Object.entries(rawEnv)) {
      if (typeof value !== 'string') throw new TypeError(`${where}: option 'env.${key}' must be a string, got ${describe(value)}`);
    }
  }
  const ready = options['ready'] as WorkersConfig['ready'];
  if (ready !== undefined) checkFunction(where, 'ready', ready);
  const app = checkApp(where, options['app']);
  return { count, reloadSignal, readyTimeout, stopTimeout, restart, env: (rawEnv ?? {}) as Record<string, string>, ready, app };
}
