import type { ProcessPort } from './ProcessPort.js';
import type { ProcessManagerEvent } from './processManagerEvents.js';

/**
 * How long a process manager lets the app stop before it kills it (SIGKILL), and where that figure
 * came from (internal).
 *
 * @example
 * ```ts
 * const grace: ManagerGrace = { manager: 'pm2', graceMs: 1600, setting: 'default' };
 * ```
 */
export interface ManagerGrace {
  readonly manager: 'pm2';
  /** Ms from the manager's stop request (signal or `shutdown` message) to its SIGKILL. */
  readonly graceMs: number;
  /** The app's `kill_timeout`, the daemon's `PM2_KILL_TIMEOUT` (seen when the child inherits it), or PM2's default. */
  readonly setting: 'kill_timeout' | 'PM2_KILL_TIMEOUT' | 'default';
}

/** PM2's `kill_timeout` when neither the app nor the daemon sets one (pm2 7: `constants.js`). */
export const PM2_DEFAULT_KILL_TIMEOUT_MS = 1600;

/**
 * The grace PM2 gives this process, read from the environment PM2 gives its child: `pm_id` and
 * `exec_mode` (`fork_mode` or `cluster_mode`) say it runs under PM2; `kill_timeout` is there only
 * when the app sets it (`--kill-timeout`, ecosystem `kill_timeout`). PM2 falls back to the daemon's
 * `PM2_KILL_TIMEOUT`, then 1600 ms, also for a `kill_timeout` of 0. `undefined` when not under PM2.
 *
 * @example
 * ```ts
 * processManagerGrace((name) => process.env[name]); // { manager: 'pm2', graceMs: 1600, setting: 'default' } under `pm2 start app.js`
 * ```
 */
export function processManagerGrace(env: (name: string) => string | undefined): ManagerGrace | undefined {
  const pmId = env('pm_id');
  const execMode = env('exec_mode');
  if (pmId === undefined || !/^\d+$/.test(pmId) || (execMode !== 'fork_mode' && execMode !== 'cluster_mode')) return undefined;
  const own = positiveMs(env('kill_timeout'));
  if (own !== undefined) return { manager: 'pm2', graceMs: own, setting: 'kill_timeout' };
  const daemon = positiveMs(env('PM2_KILL_TIMEOUT'));
  if (daemon !== undefined) return { manager: 'pm2', graceMs: daemon, setting: 'PM2_KILL_TIMEOUT' };
  return { manager: 'pm2', graceMs: PM2_DEFAULT_KILL_TIMEOUT_MS, setting: 'default' };
}

// PM2 uses the value when it is truthy: a missing, empty or zero value means its default.
function positiveMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * The `budget-exceeds-grace` warning of an app starting on `port` (internal): its process manager
 * kills it (SIGKILL) sooner after asking it to stop than `budgetMs` allows. `undefined` when it does
 * not, or when no process manager runs it (or the port reads no environment).
 *
 * @example
 * ```ts
 * budgetExceedsGrace(port, 25_000, scheduler.now()); // { type: 'budget-exceeds-grace', graceMs: 1600, … } under `pm2 start app.js`
 * ```
 */
export function budgetExceedsGrace(port: ProcessPort, budgetMs: number, at: number): ProcessManagerEvent | undefined {
  if (port.env === undefined) return undefined;
  const grace = processManagerGrace((name) => port.env?.(name));
  return grace !== undefined && budgetMs > grace.graceMs ? { type: 'budget-exceeds-grace', ...grace, budgetMs, at } : undefined;
}
