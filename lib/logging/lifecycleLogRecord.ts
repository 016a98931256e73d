import { describeReason, logLifecycleEvent } from '../core/logLifecycleEvent.js';
import type { LifecycleEvent, Logger, Phase } from '../core/types.js';

/**
 * The level of a log record, from least to most severe.
 *
 * @example
 * ```ts
 * const logger: Logger = { record: (r) => { if (r.level !== 'debug') ship(r); } };
 * ```
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * A thrown value in a log record: an `Error`'s `name`, `message` and `stack`; for anything else,
 * `message` alone (`non-Error value: …`).
 *
 * @example
 * ```ts
 * if (record.error) console.error(record.error.stack ?? record.error.message);
 * ```
 */
export interface LogError {
  readonly name?: string;
  readonly message: string;
  readonly stack?: string;
}

/**
 * One lifecycle event as a flat, JSON-ready object: what `logger: 'json'` writes as one line, and
 * what a logger's `record` method (e.g. `pinoLogger(pino())`) receives. Every record has `time`,
 * `level`, `app` (the `name` option, when given), `phase` (the app's phase when the event happened),
 * `event` (the lifecycle event's `type`) and `msg` (the human log line, without the `rxrun: `
 * prefix, first line only). Then, by event:
 *
 * | event | fields |
 * | --- | --- |
 * | `shutdown-requested` | `reason` (`"SIGTERM"`, `"app.stop()"`, …), `first` |
 * | `signal-coalesced` | `signal` |
 * | `error` | `source` (an `ErrorSource`), the name under the source's key (`"finalizer": "db"`, `"task": "main[1]"`), `error` |
 * | `hook-*`, `finalizer-*` | `kind`, the name under the kind's key (`"hook": "flush"`, `"finalizer": "db"`, `"executor": "pool"`), `error` when it failed |
 * | `tasks-cancelled`, `protected-pending` | `count`, `names` |
 * | `finalizers-start` | `count` |
 * | `timeout`, `forced` | `cause`, `budgetMs`, `pending` (`[{ kind, name, state }]`), `activeHandles` |
 * | `stopped` | `status`, `reason`, `shutdownMs`, `errorCount`, `openHandles` |
 * | `task-refused`, `task-restart`, `task-gave-up` | `task`; `attempt`, `delayMs` (restart), `restarts` (gave up), `error` |
 * | `server-listening`, `server-closed`, `server-drain` | `server`; `address`; `error`; `drainStep`, `count`, `names` |
 *
 * Single names sit under the key of what they name — never a bare `name`, which pino's own
 * `name` binding would collide with; lists are `names`.
 *
 * @example
 * ```ts
 * // {"time":"2030-01-01T00:00:01.000Z","level":"info","app":"orders","phase":"finalizing",
 * //  "event":"finalizer-start","msg":"finalizer-start 'db'","kind":"finalizer","finalizer":"db"}
 * runApp(main, { name: 'orders', logger: { record: (r) => ship(r) } });
 * ```
 */
export interface LifecycleLogRecord {
  /** When it happened: the event's `at` (the app's scheduler clock) as an ISO 8601 string. */
  readonly time: string;
  readonly level: LogLevel;
  /** The app's `name` option, if given. */
  readonly app?: string;
  readonly phase: Phase;
  readonly event: LifecycleEvent['type'];
  readonly msg: string;
  readonly error?: LogError;
  /** The event's own fields (see the table). */
  readonly [field: string]: unknown;
}

const SEVERITY: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Builds the record of one lifecycle event. Level and message are those of the human log (an event
 * it does not log is `debug`), so both formats always agree.
 *
 * @example
 * ```ts
 * lifecycleLogRecord({ type: 'protected-drained', at: 0 }, 'draining', 'orders').level; // 'debug'
 * ```
 */
export function lifecycleLogRecord(event: LifecycleEvent, phase: Phase, app: string | undefined): LifecycleLogRecord {
  const { level, msg } = humanLine(event);
  const head: Record<string, unknown> = { time: isoTime(event.at), level };
  if (app !== undefined) head['app'] = app;
  return { ...head, phase, event: event.type, msg, ...eventFields(event) } as LifecycleLogRecord;
}

/** An ISO 8601 time for a scheduler timestamp (a clock that is not epoch-based gives its number as a string). */
export function isoTime(at: number): string {
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : String(at);
}

/** A thrown value as a {@link LogError}. */
export function logError(error: unknown): LogError {
  if (error instanceof Error) {
    return error.stack === undefined ? { name: error.name, message: error.message } : { name: error.name, message: error.message, stack: error.stack };
  }
  let text: string;
  try {
    text = JSON.stringify(error) ?? String(error);
  } catch {
    text = String(error);
  }
  return { message: `non-Error value: ${text}` };
}

// The human logger's line(s) for this event, captured: the most severe level, first lines joined.
function humanLine(event: LifecycleEvent): { level: LogLevel; msg: string } {
  const lines: { level: LogLevel; text: string }[] = [];
  const capture = (level: LogLevel) => (text: string) => void lines.push({ level, text: firstLine(text) });
  const capturing: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };
  logLifecycleEvent(capturing, event);
  if (lines.length === 0) return { level: 'debug', msg: fallbackMessage(event) };
  const level = lines.reduce<LogLevel>((worst, line) => (SEVERITY[line.level] > SEVERITY[worst] ? line.level : worst), 'debug');
  return { level, msg: lines.map((line) => line.text).join('; ') };
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  const line = newline < 0 ? text : text.slice(0, newline);
  return line.startsWith('rxrun: ') ? line.slice('rxrun: '.length) : line;
}

function fallbackMessage(event: LifecycleEvent): string {
  const named = (event as { name?: unknown }).name;
  return typeof named === 'string' ? `${event.type} '${named}'` : event.type;
}

function eventFields(event: LifecycleEvent): Record<string, unknown> {
  switch (event.type) {
    case 'phase':
    case 'protected-drained':
    case 'ready-sent':
      return {};
    case 'shutdown-requested':
      return { reason: describeReason(event.reason), first: event.first };
    case 'signal-coalesced':
      return { signal: event.signal };
    case 'task-refused':
      return { task: event.name };
    case 'error': {
      const { source, name, error } = event.record;
      return name === undefined ? { source, error: logError(error) } : { source, [source]: name, error: logError(error) };
    }
    case 'tasks-cancelled':
    case 'protected-pending':
      return { count: event.count, names: [...event.names] };
    case 'hook-start':
    case 'hook-end':
    case 'finalizer-start':
    case 'finalizer-end':
      return { kind: event.kind, [event.kind]: event.name };
    case 'hook-failed':
    case 'finalizer-failed':
      return { kind: event.kind, [event.kind]: event.name, error: logError(event.error) };
    case 'finalizers-start':
      return { count: event.count };
    case 'timeout':
    case 'forced': {
      const { cause, budgetMs, pending, activeHandles } = event.report;
      return { cause, budgetMs, pending: pending.map(({ kind, name, state }) => ({ kind, name, state })), activeHandles: [...activeHandles] };
    }
    case 'stopped': {
      const { outcome } = event;
      return {
        status: outcome.status,
        reason: describeReason(outcome.reason),
        shutdownMs: outcome.shutdownMs,
        errorCount: outcome.errors.length,
        openHandles: [...outcome.openHandles],
      };
    }
    case 'task-restart':
      return {
        task: event.name,
        attempt: event.attempt,
        delayMs: event.delayMs,
        ...(event.error === undefined ? {} : { error: logError(event.error) }),
      };
    case 'task-gave-up':
      return { task: event.name, restarts: event.restarts, error: logError(event.error) };
    case 'server-listening':
      return { server: event.name, address: event.address };
    case 'server-closed':
      return { server: event.name, ...(event.error === undefined ? {} : { error: logError(event.error) }) };
    case 'server-drain':
      return { server: event.name, drainStep: event.step, count: event.count, names: [...event.names] };
    default:
      return {};
  }
}
