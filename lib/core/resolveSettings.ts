import { asyncScheduler, from, isObservable, type SchedulerLike } from 'rxjs';
import { realProcessPort } from '../process/realProcessPort.js';
import type { ProcessPort } from '../process/ProcessPort.js';
import { defaultSignals } from '../process/signals.js';
import type { AppMain, ExitCodeMode, Executor, Logger, RunAppOptions } from './types.js';
import type { ReadySource } from './readySignal.js';
import { jsonLinesLogger } from '../logging/jsonLinesLogger.js';
import { logFormatFromEnv } from '../logging/logFormatFromEnv.js';
import {
  checkBoolean, checkDuration, checkKnownKeys, checkObject, checkOneOf, checkScheduler, checkSignals, checkString, describe,
} from './validate.js';

/** Options with defaults applied and every value checked. */
export interface RuntimeSettings {
  /** The `name` option: the `app` field of log records. */
  readonly name: string | undefined;
  readonly until: 'shutdown' | 'main-complete';
  readonly signals: readonly NodeJS.Signals[];
  readonly ipcShutdown: boolean;
  readonly shutdownTimeout: number;
  readonly onTaskError: 'shutdown' | 'isolate';
  readonly handleProcessErrors: boolean;
  readonly executors: readonly Executor[];
  readonly logger: Logger | undefined;
  readonly exitCode: ExitCodeMode;
  readonly scheduler: SchedulerLike;
  readonly port: ProcessPort;
  readonly signalCoalesceWindow: number;
  readonly forceSignals: readonly NodeJS.Signals[];
  readonly ready: ReadySource | undefined;
}

export const DEFAULT_SHUTDOWN_TIMEOUT = 25_000;
export const DEFAULT_SIGNAL_COALESCE_WINDOW = 250;

const OPTION_NAMES = [
  'name',
  'until', 'signals', 'ipcShutdown', 'shutdownTimeout', 'onTaskError', 'handleProcessErrors', 'executors',
  'logger', 'exitCode', 'scheduler', 'process', 'signalCoalesceWindow', 'forceSignals', 'ready',
] as const;

const PORT_METHODS = ['onSignal', 'onMessage', 'onProcessError', 'keepAlive', 'activeResources', 'writeLine', 'exit', 'raise'] as const;
const LOGGER_METHODS = ['debug', 'info', 'warn', 'error', 'record'] as const;

export function checkMain(where: string, main: unknown): AppMain {
  if (typeof main === 'function' || isObservable(main)) return main as AppMain;
  if (Array.isArray(main)) {
    main.forEach((task, index) => {
      if (!isObservable(task)) throw new TypeError(`${where}: 'main[${index}]' must be an Observable, got ${describe(task)}`);
    });
    return main as AppMain;
  }
  throw new TypeError(`${where}: 'main' must be an Observable, an array of Observables or a function (app) => tasks, got ${describe(main)}`);
}

export function resolveSettings(where: string, rawOptions: unknown): RuntimeSettings {
  const options = checkObject(where, 'options', rawOptions) as RunAppOptions & Record<string, unknown>;
  checkKnownKeys(where, options, OPTION_NAMES);
  const port = checkPort(where, options.process) ?? realProcessPort();
  const signals = checkSignals(where, 'signals', options.signals) ?? defaultSignals(port.platform);
  const forceSignals = checkSignals(where, 'forceSignals', options.forceSignals);
  for (const signal of forceSignals ?? []) {
    if (!signals.includes(signal)) {
      throw new RangeError(`${where}: option 'forceSignals' has ${signal}, which is not in 'signals' (${signals.join(', ')}): it would never be heard`);
    }
  }
  const name = checkAppName(where, options.name);
  const scheduler = checkScheduler(where, options.scheduler) ?? asyncScheduler;
  return {
    name,
    until: checkOneOf(where, 'until', options.until, ['shutdown', 'main-complete']) ?? 'shutdown',
    signals,
    ipcShutdown: checkBoolean(where, 'ipcShutdown', options.ipcShutdown) ?? true,
    shutdownTimeout: checkDuration(where, 'shutdownTimeout', options.shutdownTimeout) ?? DEFAULT_SHUTDOWN_TIMEOUT,
    onTaskError: checkOneOf(where, 'onTaskError', options.onTaskError, ['shutdown', 'isolate']) ?? 'shutdown',
    handleProcessErrors: checkBoolean(where, 'handleProcessErrors', options.handleProcessErrors) ?? true,
    executors: checkExecutors(where, options.executors),
    logger: checkLogger(where, options.logger, port, scheduler, name),
    exitCode: checkExitCode(where, options.exitCode),
    scheduler,
    port,
    signalCoalesceWindow: checkDuration(where, 'signalCoalesceWindow', options.signalCoalesceWindow) ?? DEFAULT_SIGNAL_COALESCE_WINDOW,
    forceSignals: forceSignals ?? (signals.includes('SIGINT') ? ['SIGINT'] : []),
    ready: checkReady(where, options.ready),
  };
}

function checkPort(where: string, value: unknown): ProcessPort | undefined {
  if (value === undefined) return undefined;
  const port = value as Record<string, unknown> | null;
  if (typeof port !== 'object' || port === null) throw new TypeError(`${where}: option 'process' must be a ProcessPort, got ${describe(value)}`);
  for (const method of PORT_METHODS) {
    if (typeof port[method] !== 'function') throw new TypeError(`${where}: option 'process' must be a ProcessPort; it has no ${method}()`);
  }
  return value as ProcessPort;
}

function checkExecutors(where: string, value: unknown): readonly Executor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${where}: option 'executors' must be an array, got ${describe(value)}`);
  value.forEach((executor: unknown, index) => {
    const candidate = executor as { close?: unknown; destroy?: unknown } | null;
    if (typeof candidate !== 'object' || candidate === null || (typeof candidate.close !== 'function' && typeof candidate.destroy !== 'function')) {
      throw new TypeError(`${where}: option 'executors[${index}]' must have a close() or destroy() method`);
    }
  });
  return value as Executor[];
}

function checkLogger(where: string, value: unknown, port: ProcessPort, scheduler: SchedulerLike, name: string | undefined): Logger | undefined {
  if (value === false) return undefined;
  const format = value === undefined ? logFormatFromEnv(where, port) : checkLogFormat(where, value);
  if (format === 'json') return jsonLinesLogger((line) => port.writeLine(line), () => scheduler.now(), name);
  if (value === undefined || format === 'text') {
    const write = (line: string) => port.writeLine(line);
    return { info: write, warn: write, error: write };
  }
  const logger = value as Record<string, unknown> | null;
  if (typeof logger !== 'object' || logger === null) throw new TypeError(`${where}: option 'logger' must be a console-like object, 'text', 'json' or false, got ${describe(value)}`);
  for (const method of LOGGER_METHODS) {
    if (logger[method] !== undefined && typeof logger[method] !== 'function') {
      throw new TypeError(`${where}: option 'logger.${method}' must be a function`);
    }
  }
  return value as Logger;
}

function checkReady(where: string, value: unknown): ReadySource | undefined {
  if (value === undefined || typeof value === 'function') return value as ReadySource | undefined;
  const message = `${where}: option 'ready' must be an Observable, a promise or a function (app) => ObservableInput, got ${describe(value)}`;
  // A string is an ObservableInput (of its characters), but here it can only be a mistake.
  // Stryker disable next-line ConditionalExpression: `value === null` → false is equivalent (from(null) throws too, and the catch below gives the same TypeError); its `typeof` twin is killed by resolveSettings.mutants.spec.ts (a string), checked by hand
  if (typeof value !== 'object' || value === null) throw new TypeError(message);
  try {
    from(value as never);
  } catch {
    throw new TypeError(message);
  }
  return value as ReadySource;
}

function checkExitCode(where: string, value: unknown): ExitCodeMode {
  if (typeof value === 'function') return value as ExitCodeMode;
  return checkOneOf(where, 'exitCode', value, ['conventional', 'zero-on-graceful'] as const) ?? 'conventional';
}

function checkAppName(where: string, value: unknown): string | undefined {
  const name = checkString(where, 'name', value);
  if (name === '') throw new RangeError(`${where}: option 'name' must not be empty`);
  return name;
}

function checkLogFormat(where: string, value: unknown): 'text' | 'json' | undefined {
  if (typeof value !== 'string') return undefined;
  // Stryker disable next-line ConditionalExpression: `true` is equivalent — any other string then reaches checkLogger's object check, which throws the same TypeError as below
  if (value === 'text' || value === 'json') return value;
  // A TypeError like any other value that is not a logger: 'console' or 'pino' here means the object was meant.
  throw new TypeError(`${where}: option 'logger' must be a console-like object, 'text', 'json' or false, got ${describe(value)}`);
}
