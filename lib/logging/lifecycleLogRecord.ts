import type { AnyLifecycleEvent, EventLog } from '../core/eventLog.js';
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
 * Builds the record of one lifecycle event, with the `log` of its family (the core's, or the
 * extension's that published it). Level and message are those of the human log (an event it does
 * not log is `debug`), so both formats always agree.
 *
 * @example
 * ```ts
 * lifecycleLogRecord({ type: 'protected-drained', at: 0 }, coreEventLog, 'draining', 'orders').level; // 'debug'
 * ```
 */
export function lifecycleLogRecord<E extends AnyLifecycleEvent>(event: E, log: EventLog<E>, phase: Phase, app: string | undefined): LifecycleLogRecord {
  const { level, msg } = humanLine(event, log);
  const head: Record<string, unknown> = { time: isoTime(event.at), level };
  if (app !== undefined) head['app'] = app;
  return { ...head, phase, event: event.type, msg, ...log.fields(event) } as LifecycleLogRecord;
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
function humanLine<E extends AnyLifecycleEvent>(event: E, log: EventLog<E>): { level: LogLevel; msg: string } {
  const lines: { level: LogLevel; text: string }[] = [];
  const capture = (level: LogLevel) => (text: string) => void lines.push({ level, text: firstLine(text) });
  const capturing: Logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') };
  log.lines(capturing, event);
  if (lines.length === 0) return { level: 'debug', msg: fallbackMessage(event) };
  const level = lines.reduce<LogLevel>((worst, line) => (SEVERITY[line.level] > SEVERITY[worst] ? line.level : worst), 'debug');
  return { level, msg: lines.map((line) => line.text).join('; ') };
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  const line = newline < 0 ? text : text.slice(0, newline);
  return line.startsWith('rxrun: ') ? line.slice('rxrun: '.length) : line;
}

function fallbackMessage(event: AnyLifecycleEvent): string {
  const named = (event as { name?: unknown }).name;
  return typeof named === 'string' ? `${event.type} '${named}'` : event.type;
}
