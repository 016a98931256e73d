import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  DEFAULT_POST_BODY, failureKinds, reclassify, startAutocannon, startHttpAgent, startUndiciFetch, startUndiciPool,
  type Load, type LoadOptions, type Method, type Tally,
} from '../../../../bench/http-drain/clients.cjs';
import type { FixtureOutcome } from '../../../process/fixtureChild';
import { exitOrKill, startDrainApp } from './drainApp';
import { requestErrors, startNginx, type NginxRequestError } from './nginx';

export type ClientName = 'undici Pool' | 'undici fetch' | 'http.Agent' | 'autocannon';

const STARTERS: Record<ClientName, (options: LoadOptions) => Load> = {
  'undici Pool': startUndiciPool,
  'undici fetch': startUndiciFetch,
  'http.Agent': startHttpAgent,
  autocannon: startAutocannon,
};

/** Closed loops = pooled keep-alive connections. */
export const WORKERS = 20;
/** A hung drain is SIGKILLed this long after SIGTERM (and fails the test as `signal: 'SIGKILL'`); not a timing assertion. */
const EXIT_LIMIT_MS = 20_000;
const POST_ANSWER = `len=${DEFAULT_POST_BODY.length}`;

/** Ok answers before SIGTERM: every connection has carried requests by then (≥ 2 per connection at 200 ms). */
export function sigtermAfter(delayMs: number): number {
  if (delayMs >= 100) return 2 * WORKERS;
  return delayMs > 0 ? 10 * WORKERS : 15 * WORKERS;
}

export interface LoadTrialOptions {
  readonly client: ClientName;
  readonly delayMs: number;
  readonly methods: readonly Method[];
  /** Through nginx (its upstream keep-alive pool to the app); the client talks to nginx. */
  readonly viaNginx?: boolean;
  /** Extra env for the app (e.g. `DRAIN_TIMEOUT_MS`). */
  readonly env?: Record<string, string>;
  /** Runs once the app listens, before the load starts (e.g. an idle peer connects). */
  readonly beforeLoad?: (appPort: number) => Promise<void>;
  /** Closed loops. Default WORKERS. */
  readonly workers?: number;
  /** Pooled connections. Default: `workers`. */
  readonly connections?: number;
  /** Concurrent requests before the loops start (opens that many pooled connections). Default 0. */
  readonly warmup?: number;
  /** After the answer count is reached, the load goes on this long before SIGTERM (so pooled connections the loops do not use have been idle a while). Setup only: nothing asserts a duration. */
  readonly loadBeforeSigtermMs?: number;
}

export interface LoadTrialResult {
  readonly tally: Tally;
  readonly exit: { code: number | null; signal: NodeJS.Signals | null };
  readonly outcome: FixtureOutcome | undefined;
  readonly stderr: string;
  readonly drainSteps: readonly string[];
  readonly sigtermToExitMs: number;
  /** nginx error-log lines about requests that are not a refused connect (an upstream connection closed or reset under a request). */
  readonly nginxUpstreamErrors: readonly NginxRequestError[];
  /** nginx's whole error log (stderr), when the trial went through nginx. */
  readonly nginxLog: string;
  /** The app's whole stdout. */
  readonly appStdout: string;
}

/**
 * One trial: the fixture app (real runApp + serve$) with the handler delay, the client's closed loops through
 * `WORKERS` pooled keep-alive connections; once `sigtermAfter(delay)` requests got answers and every loop has a
 * request out, a real SIGTERM; the loops go on until the app process exits (so requests keep arriving on pooled
 * sockets during the whole drain), then stop. Failures are then sorted: on connections the app never accepted →
 * unaccepted; via nginx, a 502 whose only cause in nginx's log is a refused connect → refused.
 */
export async function runLoadTrial(options: LoadTrialOptions): Promise<LoadTrialResult> {
  const app = await startDrainApp(options.delayMs, options.env);
  await options.beforeLoad?.(app.port);
  const nginx = options.viaNginx ? await startNginx(app.port) : undefined;
  const workers = options.workers ?? WORKERS;
  const load = STARTERS[options.client]({
    origin: `http://127.0.0.1:${nginx?.port ?? app.port}`,
    workers,
    connections: options.connections ?? workers,
    warmup: options.warmup ?? 0,
    methods: options.methods,
    verify: (method, status, body) => status === 200 && (body === undefined || body === (method === 'POST' ? POST_ANSWER : 'ok')),
    verifyBody: (body) => body === 'ok' || body === POST_ANSWER,
    maxRequests: 50_000,
    maxMs: 40_000,
    refusedBackoffMs: 20,
  });
  let stopped = false;
  try {
    if (!(await load.whenOk(sigtermAfter(options.delayMs)))) throw new Error(`the load ended before SIGTERM: ${JSON.stringify(load.tally)}`);
    // The count is reached as a response arrives: let every loop put its next request out first (bounded).
    if (options.loadBeforeSigtermMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.loadBeforeSigtermMs));
    for (let turn = 0; turn < 1000 && load.inFlight() < workers; turn += 1) await nextTurn();
    load.mark();
    const sigtermAt = process.hrtime.bigint();
    app.child.signal('SIGTERM');
    const exit = await exitOrKill(app.child, EXIT_LIMIT_MS);
    const sigtermToExitMs = Number(process.hrtime.bigint() - sigtermAt) / 1e6;
    if ('quiet' in load && typeof load.quiet === 'function') await (load.quiet as () => Promise<boolean>)();
    load.stop();
    stopped = true;
    await load.done;
    await load.close();
    let nginxUpstreamErrors: NginxRequestError[] = [];
    if (nginx !== undefined) {
      await nginx.stop();
      const logged = requestErrors(nginx.stderr());
      nginxUpstreamErrors = logged.filter((line) => !line.refusedConnect);
      sortNginx502s(load.tally, logged);
    } else {
      reclassify(load.tally, app.accepted());
    }
    let outcome: FixtureOutcome | undefined;
    try {
      outcome = app.outcome();
    } catch {
      outcome = undefined;
    }
    return {
      tally: load.tally, exit, outcome, stderr: app.child.stderr, drainSteps: app.drainSteps(), sigtermToExitMs, nginxUpstreamErrors, nginxLog: nginx?.stderr() ?? '', appStdout: app.child.stdout,
    };
  } finally {
    if (!stopped) {
      load.stop();
      await load.close();
    }
    await nginx?.stop();
  }
}

/**
 * A 502 from nginx whose request's only error-log lines are refused connects never reached an accepted
 * connection of the app (its listener had closed): refused. Any other 502 stays a failure, with nginx's reasons.
 */
function sortNginx502s(tally: Tally, logged: readonly NginxRequestError[]): void {
  const byPath = new Map<string, NginxRequestError[]>();
  for (const line of logged) byPath.set(line.path, [...(byPath.get(line.path) ?? []), line]);
  const kept: Tally['failures'] = [];
  for (const failure of tally.failures) {
    const lines = failure.path === undefined ? [] : (byPath.get(failure.path) ?? []);
    if (failure.status === 502 && lines.length > 0 && lines.every((line) => line.refusedConnect)) {
      tally.refused += 1;
      tally.refusedKinds['502 (nginx: upstream connect refused)'] = (tally.refusedKinds['502 (nginx: upstream connect refused)'] ?? 0) + 1;
    } else {
      kept.push({ ...failure, detail: lines.length > 0 ? lines.map((line) => line.message).join(' | ') : failure.detail });
    }
  }
  tally.failed = kept.length;
  tally.failures = kept;
}

/** What a trial is asserted on (one object, so a failing test shows every count at once). */
export function verdict(result: LoadTrialResult) {
  return {
    exit: result.exit,
    outcome: result.outcome === undefined ? 'no outcome line' : result.outcome.status,
    drainErrors: result.outcome?.errors ?? [],
    failed: result.tally.failed,
    failureKinds: failureKinds(result.tally),
    nginxUpstreamErrors: result.nginxUpstreamErrors.length,
    answeredAfterSigterm: result.tally.okAfterMark > 0,
  };
}

/** The verdict of a trial that kept the promise. */
export const KEPT = {
  exit: { code: null, signal: 'SIGTERM' },
  outcome: 'ok',
  drainErrors: [],
  failed: 0,
  failureKinds: {},
  nginxUpstreamErrors: 0,
  answeredAfterSigterm: true,
};

/** One line for the test log (not asserted). */
export function summary(label: string, result: LoadTrialResult): string {
  const t = result.tally;
  const kinds = Object.entries(failureKinds(t)).map(([kind, count]) => `${kind} ×${count}`).join(', ');
  const refused = Object.entries(t.refusedKinds).map(([kind, count]) => `${kind} ×${count}`).join(', ');
  return (
    `${label}: ok ${t.ok} (${t.okAfterMark} after SIGTERM), FAILED ${t.failed}${kinds ? ` [${kinds}]` : ''}, refused ${t.refused}${refused ? ` [${refused}]` : ''}` +
    `${t.unaccepted ? `, on unaccepted connections ${t.unaccepted}` : ''}; exit ${JSON.stringify(result.exit)} ${result.sigtermToExitMs.toFixed(0)} ms after SIGTERM; ` +
    `drain: ${result.drainSteps.join(', ')}` +
    (result.nginxUpstreamErrors.length > 0 ? `; nginx: ${[...new Set(result.nginxUpstreamErrors.map((line) => line.message))].join(' | ')}` : '')
  );
}
