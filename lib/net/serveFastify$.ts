import type * as net from 'node:net';
import {
  AsyncSubject, EMPTY, Observable, catchError, concat, defer, finalize, from, ignoreElements, map, switchMap, tap, throwError,
} from 'rxjs';
import { findRunningApp } from '../core/appRegistry.js';
import { checkDuration, checkObject, describe } from '../core/validate.js';
import { resource$ } from '../resources/resource$.js';
import { joinReadySignal } from './joinReadySignal.js';
import { serve$, type ServableServer, type ServeConfig, type ServeListening } from './serve$.js';

/**
 * The part of a Fastify instance {@link serveFastify$} uses (Fastify 4 and 5's `FastifyInstance` fit;
 * rxrun does not depend on fastify).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * const fastify: FastifyLike = Fastify();
 * ```
 */
export interface FastifyLike {
  /** The server Fastify created (`http`, `https` or `http2`, or the one `serverFactory` returned). */
  readonly server: ServableServer;
  /** Loads the plugins and runs the `onReady` hooks. */
  ready(): PromiseLike<unknown>;
  /** Runs the `preClose` hooks, closes the server and runs the `onClose` hooks; rejects with a hook's error. */
  close(): PromiseLike<unknown>;
}

/**
 * Options of {@link serveFastify$}: those of `serve$`, plus a bound on `fastify.close()`.
 *
 * @example
 * ```ts
 * serveFastify$(fastify, 8080, { name: 'api', drainDelay: 5000, closeTimeout: 10_000 });
 * ```
 */
export interface ServeFastifyConfig extends ServeConfig {
  /**
   * Ms `fastify.close()` (its `onClose` hooks) may take before it is abandoned and a
   * `ResourceTimeoutError` reported. Default: none (the app's shutdown budget still bounds it).
   */
  closeTimeout?: number;
}

/**
 * Runs a Fastify instance as a task of the app: `await fastify.ready()` (plugins loaded, `onReady`
 * hooks run), then `serve$(fastify.server, listen, config)` — it listens, emits once listening, and
 * drains on shutdown exactly as `serve$` does (`Connection: close`, requests in flight finish, idle
 * keep-alive sockets get FIN). Then `fastify.close()` runs Fastify's `preClose` and `onClose` hooks
 * (a database plugin's disconnect) — *after* the drain, so a request still using the database
 * finishes first, and as an app finalizer (`finalizing`, LIFO with `app.defer` and `resource$`; it is
 * registered once Fastify is ready), awaited, bounded by `closeTimeout` and the shutdown budget. A
 * failing hook (`fastify.close()` rejects with it; the other hooks still run) is reported with source
 * `'resource'` and the finalizer's name (`name`, default `'fastify'`) and is in the outcome. The
 * app's PM2 `'ready'` waits for Fastify to be ready and listening, like for any `serve$`.
 *
 * What happens to Fastify's own close path: Fastify listens only through `fastify.listen()`, which is
 * not used, so it does not consider itself listening — `forceCloseConnections` does nothing (there
 * is nothing left to force: the drain closed every connection) and `fastify.close()`'s
 * `server.close()` on the already-closed server ends with `ERR_SERVER_NOT_RUNNING`, which Fastify
 * ignores: no double close, no error. `return503OnClosing` never applies, since Fastify starts
 * closing only after the last response. `onListen` hooks do not run (they belong to
 * `fastify.listen()`); use `onReady`. Unsubscribed other than by the app's shutdown, it drains and
 * then closes Fastify at once (the app awaits both). A `ready()` that fails errors the observable,
 * after `fastify.close()` ran the `onClose` hooks of the plugins that did load.
 *
 * ```
 * ready:    -r                                   r: fastify.ready() resolved
 * result:   ---L----------------------            L: listening ({ server, address, url })
 * shutdown: -------^
 * app:      running   stopping  draining ─ drained  finalizing: fastify.close() (preClose, onClose hooks)  stopped
 * ```
 *
 * @param fastify A Fastify instance; do not call `fastify.listen()` (this listens instead).
 * @param listen A port (all interfaces) or `net.ListenOptions`, as for {@link serve$}.
 * @param config See {@link ServeFastifyConfig}: `serve$`'s options, plus `closeTimeout`.
 * @returns A cold observable: subscribe to ready Fastify and listen; emits once listening; unsubscribe to drain,
 * then close Fastify. It errors with `ready()`'s error (an `AggregateError` when `close()` failed after it too),
 * and as `serve$` does.
 * @throws TypeError for a `fastify` without `server`, `ready()` and `close()`; TypeError / RangeError for a bad
 * `closeTimeout`, and for a bad server, listen or option, as `serve$` throws.
 * @see {@link serve$}, {@link ResourceTimeoutError}, [Servers and probes](../../docs/servers-and-probes.md).
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { runApp, serveFastify$ } from 'rxrun';
 *
 * const fastify = Fastify();
 * fastify.register(async (instance) => {
 *   const db = { query: async () => 42, end: async () => console.log('db: closed') }; // e.g. a pg Pool
 *   instance.decorate('db', db);
 *   instance.addHook('onClose', async () => db.end());
 * });
 * fastify.get('/', async () => ({ answer: 42 }));
 *
 * runApp((app) => serveFastify$(fastify, { port: 3000 }, { app, name: 'api' }));
 * // SIGTERM → requests in flight finish → drained → 'db: closed' → exit 143
 * ```
 */
export function serveFastify$(fastify: FastifyLike, listen: number | net.ListenOptions, config?: ServeFastifyConfig): Observable<ServeListening> {
  const where = 'serveFastify$';
  const candidate = fastify as Partial<FastifyLike> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.ready !== 'function' || typeof candidate.close !== 'function' || !('server' in candidate)) {
    throw new TypeError(`${where}: 'fastify' must be a Fastify instance (with server, ready() and close()), got ${describe(fastify)}`);
  }
  const { closeTimeout, ...serveConfig } = checkObject(where, 'config', config);
  const timeout = checkDuration(where, 'closeTimeout', closeTimeout);
  const { server } = fastify;
  // Validates the server, `listen` and the serve$ options now.
  const served$ = serve$(server, listen, serveConfig as ServeConfig);
  const { app, scheduler, name } = serveConfig as ServeConfig;

  return defer(() => {
    // PM2 `wait_ready`: the app is not ready while Fastify loads; once serve$ joined, it takes over.
    const internals = findRunningApp(app, where);
    const loading = internals === undefined ? undefined : joinReadySignal(internals);
    // Completes once the server closed after listening: the drain is over.
    const drained$ = new AsyncSubject<void>();
    let listened = false;
    const onListening = () => {
      if (listened) return;
      listened = true;
      server.once('close', () => drained$.complete());
    };
    const close$ = () => defer(() => from(fastify.close())).pipe(ignoreElements());
    const ready$ = defer(() => from(fastify.ready())).pipe(
      map(() => server),
      // The plugins that did load may hold connections: run their onClose hooks, then fail.
      catchError((readyError: unknown) =>
        concat(
          close$().pipe(
            catchError((closeError: unknown) => throwError(() => new AggregateError([readyError, closeError], `${where}: fastify.ready() failed, and so did fastify.close() after it`))),
          ),
          throwError(() => readyError),
        ),
      ),
    );
    // The release waits for the drain: on the app's shutdown it runs in `finalizing`, after the drain
    // (protected work) anyway; any other unsubscription starts both at once.
    const release = () => concat(listened ? drained$.pipe(ignoreElements()) : EMPTY, close$());
    return resource$(() => ready$, release, {
      name: name ?? 'fastify',
      ...(timeout === undefined ? {} : { timeout }),
      ...(app === undefined ? {} : { app }),
      ...(scheduler === undefined ? {} : { scheduler }),
    }).pipe(
      switchMap(
        () =>
          new Observable<ServeListening>((subscriber) => {
            const subscription = served$.pipe(tap(onListening)).subscribe(subscriber);
            loading?.leave();
            return subscription;
          }),
      ),
      finalize(() => loading?.leave()),
    );
  });
}
