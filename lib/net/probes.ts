import type * as net from 'node:net';
import { Observable, defaultIfEmpty, distinctUntilChanged, isObservable, map, type SchedulerLike } from 'rxjs';
import { findRunningApp, resolveApp, type AppInternals } from '../core/appRegistry.js';
import { NoCurrentAppError } from '../core/errors.js';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkBoolean, checkDuration, checkKnownKeys, checkName, checkObject, checkPort, checkScheduler, checkString, describe, isPlainObject,
} from '../core/validate.js';
import type { ProbeCheck } from './probeChecks.js';
import { probesBound } from './holdReadyForChecks.js';
import { inKubernetes } from './inKubernetes.js';
import { probeServer$, type ProbeListening } from './probeServer.js';
import { body, respond } from './probeResponse.js';
import { createProbeState, type ProbeSnapshot, type ProbeState } from './probeState.js';

export type { ProbeCheck, ProbeCheckResult } from './probeChecks.js';
export type { ProbeListening } from './probeServer.js';

/**
 * The three probe paths. Defaults: `/livez`, `/readyz`, `/startupz`.
 *
 * @example
 * ```ts
 * probes({ paths: { live: '/healthz', ready: '/ready' } });
 * ```
 */
export interface ProbePaths {
  live?: string;
  ready?: string;
  startup?: string;
}

/**
 * Options of {@link probes}. Every field is optional.
 *
 * @example
 * ```ts
 * probes({ checks: { heap: () => process.memoryUsage().heapUsed < 512e6 }, checkTimeout: 500, verbose: true });
 * ```
 */
export interface ProbesConfig {
  /** The app the probes report on. Default: the one app running when `probes` is called or first used (once that one stopped, the next one that runs). */
  app?: AppContext;
  /** Readiness checks by name (see {@link ProbeCheck} for what passes). Default none. */
  checks?: Record<string, ProbeCheck>;
  /** A check that has not answered within this many ms fails with status `timeout`. Default 1000. */
  checkTimeout?: number;
  /**
   * While `ready$` has a subscriber and the app runs — and, in a `workers$` worker, until the checks
   * first all pass (its readiness waits for that) — the checks are re-run this often, in ms. Default 5000.
   */
  checkInterval?: number;
  /** Override the paths. */
  paths?: ProbePaths;
  /**
   * `true`: every response lists each check's result, with failure messages. Default false: a plain
   * `ok` / reason line, or — when the query has `?verbose` — each check's status without messages.
   */
  verbose?: boolean;
  /** Names the probe server's finalizer and its events. Default `'probes'`. */
  name?: string;
  /** Times the check timeouts and polling. Default: the app's scheduler. */
  scheduler?: SchedulerLike;
}

/**
 * The part of a request the probes read (`http`, `https` and `http2` compatibility requests fit).
 *
 * @example
 * ```ts
 * health({ method: 'GET', url: '/readyz?verbose' }, res);
 * ```
 */
export interface ProbeRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
}

/**
 * The part of a response the probes write (`http`, `https` and `http2` compatibility responses fit).
 *
 * @example
 * ```ts
 * const res: ProbeResponse = { headersSent: false, writeHead: (status) => console.log(status), end: (body) => console.log(body) };
 * health({ method: 'GET', url: '/livez' }, res); // 200, "ok\n"
 * ```
 */
export interface ProbeResponse {
  readonly headersSent: boolean;
  writeHead(statusCode: number, headers: Record<string, string | number>): unknown;
  end(body?: string): unknown;
}

/**
 * The `next` of a Connect/Express middleware: called (with no argument) for a request that is not a probe.
 *
 * @example
 * ```ts
 * health(req, res, () => console.log('not a probe path'));
 * ```
 */
export type ProbeNext = (error?: unknown) => void;

/**
 * The health endpoints of one app: call it in front of your request handler (it answers the probe
 * paths and returns `true`, or returns `false` for anything else), mount it as Express/Connect
 * middleware (`app.use(health)`: it answers the probe paths and calls `next()` for anything else),
 * observe its state, or serve it on a port of its own.
 *
 * @example
 * ```ts
 * const health = probes({ checks: { heap: () => process.memoryUsage().heapUsed < 512e6 } });
 * const server = http.createServer((req, res) => {
 *   if (health(req, res)) return;
 *   handle(req, res);
 * });
 * expressApp.use(health); // or as middleware
 * ```
 */
export interface Probes {
  /**
   * Answers `GET`/`HEAD` on the probe paths (405 for other methods) and returns `true`; for other
   * paths returns `false` — and, given `next` (as Express and Connect call a middleware), calls
   * `next()` first. Paths match exactly (`/readyz/` is not `/readyz`) against `req.url`, which Express
   * makes relative to the mount path (`app.use('/ops', health)` answers `/ops/readyz`); the query only
   * says `verbose`; the absolute form (`http://host:9000/readyz`) is read too.
   *
   * @throws TypeError for a `next` that is not a function.
   */
  (req: ProbeRequest, res: ProbeResponse, next?: ProbeNext): boolean;
  /**
   * Whether `/readyz` would answer 200: the app is `running`, every `serve$` of the app listens, no
   * shutdown was requested, and every check passed in the last evaluation (at once when there are none). Distinct, replays the
   * current value (the final `false` once stopped), completes at `stopped`. While subscribed it
   * re-runs the checks every `checkInterval`.
   *
   * ```
   * SIGTERM at 6, db check answering after 2 frames:   f-t---f--|   (stopping 6 → 9)
   * ```
   */
  readonly ready$: Observable<boolean>;
  /** Whether `/livez` answers 200: true until `stopped`, then false and complete. */
  readonly live$: Observable<boolean>;
  /** Whether `/startupz` answers 200: false until `running`, then true for good (never, for an app whose shutdown was requested before it ran). */
  readonly started$: Observable<boolean>;
  /**
   * Serves the probes on their own HTTP server. Default host: all interfaces when
   * `KUBERNETES_SERVICE_HOST` is set (a kubelet probes the pod IP), else `127.0.0.1`; a `host` you give
   * wins. It does not drain with the app: it answers through the whole
   * shutdown (`/readyz` 503, `/livez` 200) and is closed by a finalizer registered on subscribe — so
   * subscribe it before registering other finalizers to have it close after them. Emits once
   * listening; completes when that finalizer closed it; errors with a listen error (`EADDRINUSE`).
   *
   * @param listen A port, or `net.ListenOptions` with exactly one of `port` and `path`.
   * @throws TypeError for a `listen` that is neither a number nor a plain object, an unknown key, a `host` or `path`
   * that is not a string, a `port` that is not a number, or not exactly one of `port` and `path`; RangeError for a
   * port that is not an integer from 0 to 65535.
   */
  serve$(listen: number | net.ListenOptions): Observable<ProbeListening>;
}

/**
 * Health endpoints for orchestrators, with no dependency: `/livez` (200 until the app stopped),
 * `/readyz` (200 only while the app runs, every `serve$` of the app listens and every readiness check
 * passes; 503 from the moment a shutdown is requested), `/startupz` (200 once the app reached `running`). Responses are short
 * plain text with `Cache-Control: no-store`. Checks run on each `/readyz` request (concurrent
 * requests share one run) and, while `ready$` is observed, every `checkInterval`.
 *
 * In a `workers$` worker, the worker is ready (its `'ready'` message, which the primary waits for at
 * start and in a rolling restart) only once every check of its probes passed, on top of every `serve$`
 * listening: until then the checks run at `running` and every `checkInterval`.
 *
 * ```
 * phase:     starting  running──────────────stopping  draining  finalizing  stopped
 * /startupz  503───────200──────────────────────────────────────────────────────────
 * /livez     200────────────────────────────────────────────────────────────503 (gone)
 * /readyz    503───────200 (checks pass)────503─────────────────────────────────────
 * ready$:    f─────────t────────────────────f───────────────────────────────────────|
 * ```
 *
 * Mount it in Express 5 (or Connect) with `app.use(health)`: probe paths are answered there, every
 * other request goes on to `next()`.
 *
 * The app is the one given as `app`, or the one running when `probes` is called (or, when none is
 * running yet, when first used; a request made while no app runs gets 503; once that app stopped,
 * the next one that runs).
 *
 * @param config See {@link ProbesConfig}.
 * @returns The {@link Probes}: a request handler and middleware, with `ready$`, `live$`, `started$` and `serve$`.
 * @throws TypeError for an unknown option (also in `paths`), an option of the wrong type, or a check that is
 * neither an Observable nor a function; RangeError for a `checkTimeout` or `checkInterval` out of 0–2147483647
 * (`checkInterval`: 0 too), a path that does not start with `/` or has a query, or paths that are not all
 * different, or an empty `name`; {@link NoCurrentAppError} when no `app` is given and several apps are running.
 * @see {@link serve$}, [Servers and probes](../../docs/servers-and-probes.md).
 * @example
 * ```ts
 * import * as http from 'node:http';
 * import { BehaviorSubject } from 'rxjs';
 * import { probes, runApp, serve$ } from 'rxrun';
 *
 * const brokerUp$ = new BehaviorSubject(true); // e.g. driven by your client's connect/disconnect events
 *
 * runApp(() => {
 *   const health = probes({ checks: { broker: brokerUp$, heap: async () => process.memoryUsage().heapUsed < 512e6 }, checkTimeout: 500 });
 *   const server = http.createServer((req, res) => res.end('hello\n'));
 *   // Port 9000 on all interfaces in a pod (KUBERNETES_SERVICE_HOST set), on 127.0.0.1 elsewhere.
 *   return [health.serve$(9000), serve$(server, 8080)];
 * });
 * ```
 */
export function probes(config?: ProbesConfig): Probes {
  const where = 'probes';
  const options = checkObject(where, 'config', config);
  checkKnownKeys(where, options, ['app', 'checks', 'checkTimeout', 'checkInterval', 'paths', 'verbose', 'name', 'scheduler']);
  const app = checkApp(where, options['app']);
  const checks = checkChecks(where, options['checks']);
  const checkTimeout = checkDuration(where, 'checkTimeout', options['checkTimeout']) ?? 1000;
  const checkInterval = checkDuration(where, 'checkInterval', options['checkInterval']) ?? 5000;
  if (checkInterval === 0) throw new RangeError(`${where}: option 'checkInterval' must be more than 0 ms`);
  const paths = checkPaths(where, options['paths']);
  const verbose = checkBoolean(where, 'verbose', options['verbose']) ?? false;
  const name = checkName(where, 'name', options['name']) ?? 'probes';
  const scheduler = checkScheduler(where, options['scheduler']);

  let state: ProbeState | undefined;
  const bind = (): ProbeState => {
    if (state !== undefined && (app !== undefined || state.snapshot$.value.alive)) return state;
    // Not given an app: once the one it reported on stopped, follow the next one that runs (apps run
    // one after another in one process, a test suite); while none runs, keep saying `stopped`.
    let internals: AppInternals;
    try {
      internals = resolveApp(app as AppContext | undefined, where);
    } catch (error) {
      if (state !== undefined && error instanceof NoCurrentAppError) return state;
      throw error;
    }
    if (state?.internals === internals) return state;
    state = createProbeState(internals, { checks, checkTimeout, checkInterval, scheduler: scheduler ?? internals.context.scheduler });
    probesBound(state, checks.length);
    return state;
  };
  // No app yet (created at module level): bound on first use. Several apps: ambiguous, say so now.
  if (app !== undefined || findRunningApp(undefined, where) !== undefined) bind();

  const handle = (req: ProbeRequest, res: ProbeResponse, next?: ProbeNext): boolean => {
    if (next !== undefined && typeof next !== 'function') throw new TypeError(`${where}: 'next' must be a function (a middleware's next), got ${describe(next)}`);
    const { path, query } = splitUrl(req.url ?? '/');
    const kind = path === paths.live ? 'livez' : path === paths.ready ? 'readyz' : path === paths.startup ? 'startupz' : undefined;
    if (kind === undefined) {
      next?.();
      return false;
    }
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      respond(res, head, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return true;
    }
    const detail = verbose ? 'messages' : /(?:^|&)verbose(?:=|&|$)/.test(query) ? 'status' : 'none';
    let bound: ProbeState;
    try {
      bound = bind();
    } catch (error) {
      if (!(error instanceof NoCurrentAppError)) throw error;
      respond(res, head, 503, 'no app running\n');
      return true;
    }
    const snapshot = bound.snapshot$.value;
    if (kind === 'livez') respond(res, head, snapshot.alive ? 200 : 503, body(kind, snapshot.alive, snapshot, undefined, detail));
    else if (kind === 'startupz') respond(res, head, snapshot.started ? 200 : 503, body(kind, snapshot.started, snapshot, undefined, detail));
    else if (!snapshot.accepting) respond(res, head, 503, body(kind, false, snapshot, undefined, detail));
    else {
      bound
        .evaluate$()
        .pipe(defaultIfEmpty(undefined))
        .subscribe((results) => {
          const now = bound.snapshot$.value;
          const ready = results !== undefined && now.accepting && results.every((result) => result.status === 'pass');
          respond(res, head, ready ? 200 : 503, body(kind, ready, now, results, detail));
        });
    }
    return true;
  };

  const view$ = (pick: (bound: ProbeState, snapshot: ProbeSnapshot) => boolean, poll: boolean) =>
    new Observable<boolean>((subscriber) => {
      const bound = bind();
      // Polling first: a synchronous check's answer is in the first value.
      if (poll) subscriber.add(bound.polling$.subscribe());
      subscriber.add(
        bound.snapshot$
          .pipe(
            // Completed at `stopped` (a BehaviorSubject then replays nothing): the final state.
            defaultIfEmpty(bound.snapshot$.value),
            map((snapshot) => pick(bound, snapshot)),
            distinctUntilChanged(),
          )
          .subscribe(subscriber),
      );
    });

  return Object.assign(handle, {
    ready$: view$((bound, snapshot) => bound.isReady(snapshot), true),
    live$: view$((_bound, snapshot) => snapshot.alive, false),
    started$: view$((_bound, snapshot) => snapshot.started, false),
    serve$: (listen: number | net.ListenOptions) =>
      probeServer$(name, () => bind().internals, handle, checkListen(`${where}().serve$`, listen)),
  });
}

function splitUrl(url: string): { path: string; query: string } {
  // The absolute form (`GET http://host:9000/readyz`, as sent to a proxy), which servers must accept.
  const origin = /^https?:\/\/[^/?#]*/i.exec(url);
  const target = origin === null ? url : url.slice(origin[0].length) || '/';
  const at = target.indexOf('?');
  return at < 0 ? { path: target, query: '' } : { path: target.slice(0, at), query: target.slice(at + 1) };
}

function checkChecks(where: string, value: unknown): [string, ProbeCheck][] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) throw new TypeError(`${where}: option 'checks' must be an object of named checks, got ${describe(value)}`);
  return Object.entries(value).map(([name, check]) => {
    if (typeof check !== 'function' && !isObservable(check)) {
      throw new TypeError(`${where}: check '${name}' must be an Observable or a function, got ${describe(check)}`);
    }
    return [name, check as ProbeCheck];
  });
}

function checkPaths(where: string, value: unknown): Required<ProbePaths> {
  const given = checkObject(where, 'paths', value);
  checkKnownKeys(`${where}: paths`, given, ['live', 'ready', 'startup']);
  const paths: Required<ProbePaths> = { live: '/livez', ready: '/readyz', startup: '/startupz' };
  for (const key of ['live', 'ready', 'startup'] as const) {
    const path = checkString(where, `paths.${key}`, given[key]);
    if (path === undefined) continue;
    if (!/^\/[^?#\s]*$/.test(path)) throw new RangeError(`${where}: option 'paths.${key}' must be a path starting with '/' (no query), got ${describe(path)}`);
    paths[key] = path;
  }
  if (new Set(Object.values(paths)).size < 3) throw new RangeError(`${where}: option 'paths' must give three different paths, got ${Object.values(paths).join(', ')}`);
  return paths;
}

function checkListen(where: string, value: unknown): net.ListenOptions {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new RangeError(`${where}: 'listen' port must be an integer from 0 to 65535, got ${value}`);
    return withDefaultHost({ port: value });
  }
  if (!isPlainObject(value)) throw new TypeError(`${where}: 'listen' must be a port number or net.ListenOptions, got ${describe(value)}`);
  checkKnownKeys(where, value, ['port', 'host', 'path', 'backlog', 'exclusive', 'ipv6Only', 'readableAll', 'writableAll']);
  const { port, path } = value;
  checkPort(where, 'port', port);
  checkString(where, 'host', value['host']);
  checkString(where, 'path', path);
  if ((port === undefined) === (path === undefined)) throw new TypeError(`${where}: 'listen' needs exactly one of 'port' and 'path'`);
  return path === undefined && value['host'] === undefined ? withDefaultHost({ ...value }) : { ...value };
}

/** No host given: all interfaces in a Kubernetes pod (Node's default: `::`, or `0.0.0.0` without IPv6), else the loopback. */
function withDefaultHost(listen: net.ListenOptions): net.ListenOptions {
  return inKubernetes() ? listen : { ...listen, host: '127.0.0.1' };
}
