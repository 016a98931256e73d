import type * as http from 'node:http';
import type * as http2 from 'node:http2';
import type * as https from 'node:https';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';
import { findRunningApp, reportOrWarn, type AppInternals } from '../core/appRegistry.js';
import type { AppContext } from '../core/types.js';
import {
  checkApp, checkDuration, checkFunction, checkKnownKeys, checkName, checkObject, checkPort, checkScheduler, checkString, describe, isPlainObject,
} from '../core/validate.js';
import { drainServer, type DrainRun } from './drainServer.js';
import { joinDrainDelay } from './joinDrainDelay.js';
import { inKubernetes } from './inKubernetes.js';
import { joinReadySignal } from './joinReadySignal.js';
import { serverEventLog, type DrainStep } from './serverEvents.js';
import { listeningUrl, serverKind } from './serverKind.js';
import { trackConnections } from './trackConnections.js';

/**
 * Any server `serve$` drains: Express/Koa/Fastify's underlying `http(s)` server, HTTP/2, or raw `net`/`tls`.
 *
 * @example
 * ```ts
 * const servers: ServableServer[] = [http.createServer(expressApp), http2.createSecureServer({ key, cert }), net.createServer()];
 * ```
 */
export type ServableServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer | net.Server;

/**
 * What `serve$` emits once the server listens.
 *
 * @example
 * ```ts
 * serve$(server, 0).subscribe(({ url }) => console.log('listening on', url)); // http://127.0.0.1:41234
 * ```
 */
export interface ServeListening {
  /** The server passed in. */
  readonly server: ServableServer;
  /** `server.address()`: the bound address (so port 0 works), or the pipe path. */
  readonly address: net.AddressInfo | string;
  /**
   * `http://127.0.0.1:PORT`, `https://…`, `tcp://…` (`net`), `tls://…` (`tls`), or `unix:/path`. The
   * unspecified address (all interfaces, Node's default) is given as `127.0.0.1`.
   */
  readonly url: string;
}

/**
 * Options of {@link serve$}.
 *
 * @example
 * ```ts
 * serve$(server, 8080, { name: 'api', drainDelay: 5000, drainTimeout: 15_000 });
 * ```
 */
export interface ServeConfig {
  /** Names the server in events, logs and reports. Default: its URL once listening. */
  name?: string;
  /** The app whose shutdown drains the server. Default: the one app running in this process, if any. */
  app?: AppContext;
  /**
   * Ms to keep accepting after readiness went down, so load balancers stop routing here first.
   * Default 0, or 5000 when `KUBERNETES_SERVICE_HOST` is set. Several servers in one app wait the
   * longest delay once. Applies to the app's shutdown only (not to other unsubscriptions).
   */
  drainDelay?: number;
  /**
   * Ms the drain may take before what is still open is destroyed and named (a `DrainTimeoutError`
   * reported with source `'server'`). Default: the app's remaining shutdown budget less a margin
   * (10%, at most 1 s), so the server names its sockets before the app's own cut-off; 10 000 when no
   * shutdown budget applies (no app, or an unsubscription before shutdown). Never more than that limit.
   */
  drainTimeout?: number;
  /**
   * Ms an idle keep-alive socket's *client* — every socket from its address, its pool — must have been
   * quiet (no request in flight, none answered) before the socket gets FIN at the drain. Default 500.
   * Until then a request the pooled client sends on it is answered, with `Connection: close`, instead
   * of crossing the FIN (RFC 9112 §9.6). Counted per client, not per socket: a pool whose busy sockets
   * close after their `Connection: close` answer moves its next requests to its long-idle sockets, and
   * a FIN it has not read yet would lose them. Pooled clients reuse a socket within milliseconds of its
   * last response (measured up to 40 ms on a loaded 2-core machine), so a client quiet that long is not
   * about to send. A client idle for longer at the drain's start gets FIN at once. `0` gives FIN to every
   * idle socket one loop turn after the drain began — the bare-Node trade-off, which loses requests
   * that clients send just then.
   */
  idleGrace?: number;
  /**
   * Ms a socket that got FIN waits for its peer to close before it is destroyed (quietly: a
   * `linger-destroyed` debug step, no error). Default 500. Pools that ignore FIN (Python's
   * `http.client`, `requests`) would otherwise hold the drain until `keepAliveTimeout` or `drainTimeout`.
   */
  linger?: number;
  /**
   * Called once per upgraded (WebSocket) socket at the drain, with the request that upgraded it, to
   * send a close frame (see {@link closeWebSockets} for `ws`). Default: `socket.end()` — a FIN with no
   * close frame, which a WebSocket client reports as code 1006 (abnormal closure).
   */
  onUpgradedSocket?: (socket: Duplex, request: http.IncomingMessage) => void;
  /** `net` servers: called once per connection at the drain, to let the protocol say goodbye. Default: `socket.end()`. */
  onConnectionDrain?: (socket: net.Socket) => void;
  /** Times `drainDelay` is not (the app's scheduler is) — `drainTimeout`. Default: the app's scheduler, else `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

const WHERE = 'serve$';
const CONFIG_KEYS = ['name', 'app', 'drainDelay', 'drainTimeout', 'idleGrace', 'linger', 'onUpgradedSocket', 'onConnectionDrain', 'scheduler'];
const LISTEN_KEYS = ['port', 'host', 'path', 'backlog', 'exclusive', 'readableAll', 'writableAll', 'ipv6Only', 'signal', 'reusePort'];
const STANDALONE_DRAIN_TIMEOUT = 10_000;
/** Servers a `serve$` subscription holds, from its subscribe to the end of its drain. */
const served = new WeakSet<object>();
const KUBERNETES_DRAIN_DELAY = 5_000;
/** See `ServeConfig.idleGrace`: about 12× the longest reuse gap measured for pooled clients under load. */
const DEFAULT_IDLE_GRACE = 500;
/** See `ServeConfig.linger`: well-behaved clients close within a millisecond of the FIN. */
const DEFAULT_LINGER = 500;

/**
 * Runs a server as a task of the app: listens, emits once listening, and on shutdown *drains* it —
 * no request in flight is reset or truncated, a request a pooled client sends during the drain is
 * answered rather than crossed by a FIN, and the app stops right after the last response.
 *
 * The drain, each step a `server-drain` event: in `stopping`, `readiness-down`, then `drain-delay`
 * (still accepting; only for servers that listened); in `draining`, `stop-accepting`
 * (`server.close()`; HTTP/1 responses not begun get `Connection: close`, and a busy socket ends with
 * FIN right after its last response), `goaway` (HTTP/2 `session.close()`: open streams finish),
 * `upgraded` (WebSocket sockets to `onUpgradedSocket`), then, one loop turn later, `close-idle`: idle
 * keep-alive sockets (also ones that never sent a byte or never finished a TLS handshake) get FIN,
 * never RST, once quiet for `idleGrace` since their last response — at once if they already were, else
 * as each falls quiet (one more `close-idle` per batch); a request arriving meanwhile is answered with
 * `Connection: close`. `net` connections go to `onConnectionDrain`. A socket whose peer ignores the FIN
 * is destroyed after `linger` (`linger-destroyed`, no error). Then `drained` — or, at `drainTimeout`,
 * `destroyed` naming what was still busy, with its requests. The app waits for the drain (protected
 * work). Any other unsubscription drains too. A server closed or failed outside the drain ends the
 * task (completes, or errors) with a `server-closed` event. `listen` as a number is a port on all
 * interfaces (Node's default); pass `{ port, host: '127.0.0.1' }` to bind the loopback only. Listen
 * errors (`EADDRINUSE`) error the observable with Node's error; so does a server already listening, or
 * already served by another `serve$` subscription whose drain has not ended.
 *
 * ```
 * serve$:     ---L-----------------------------     L: listening ({ server, address, url })
 * shutdown:   ----------^
 * events:     ---l------r--d---s-g-u-c--c----D      l server-listening, r readiness-down, d drain-delay,
 *                                                    s stop-accepting, g goaway, u upgraded,
 *                                                    c close-idle (each batch falling quiet), D drained
 * app:        running   stopping  draining (waits for D)  finalizing
 * ```
 *
 * @param server Any `net.Server` (`http`, `https`, `http2`, `net`, `tls`), not yet listening.
 * @param listen A port (all interfaces) or `net.ListenOptions`.
 * @param config See {@link ServeConfig}.
 * @returns A cold observable: subscribe to listen; emits once listening; unsubscribe to drain.
 * @throws TypeError for a bad server, a `listen` or option of the wrong type (a `port` that is not a number too); RangeError
 * for a port out of 0–65535, a duration out of range or an empty `name` (each names the option).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { runApp, serve$ } from 'rxrun';
 * const server = createServer((req, res) => res.end('hello\n'));
 * runApp((app) => serve$(server, { port: 3000 }, { app }));
 * ```
 */
export function serve$(server: ServableServer, listen: number | net.ListenOptions, config?: ServeConfig): Observable<ServeListening> {
  const kind = serverKind(server);
  if (kind === undefined) {
    throw new TypeError(`${WHERE}: 'server' must be a net.Server (http, https, http2, net or tls), got ${describe(server)}`);
  }
  const listenOptions = checkListen(listen);
  const options = checkObject(WHERE, 'config', config);
  checkKnownKeys(WHERE, options, CONFIG_KEYS);
  const fixedName = checkName(WHERE, 'name', options['name']);
  const app = checkApp(WHERE, options['app']);
  const drainDelay = checkDuration(WHERE, 'drainDelay', options['drainDelay']) ?? defaultDrainDelay();
  const drainTimeout = checkDuration(WHERE, 'drainTimeout', options['drainTimeout']);
  const idleGrace = checkDuration(WHERE, 'idleGrace', options['idleGrace']) ?? DEFAULT_IDLE_GRACE;
  const linger = checkDuration(WHERE, 'linger', options['linger']) ?? DEFAULT_LINGER;
  const onUpgradedSocket = options['onUpgradedSocket'] as ServeConfig['onUpgradedSocket'];
  if (onUpgradedSocket !== undefined) checkFunction(WHERE, 'onUpgradedSocket', onUpgradedSocket);
  const onConnectionDrain = options['onConnectionDrain'] as ServeConfig['onConnectionDrain'];
  if (onConnectionDrain !== undefined) checkFunction(WHERE, 'onConnectionDrain', onConnectionDrain);
  const schedulerOption = checkScheduler(WHERE, options['scheduler']);

  return new Observable<ServeListening>((subscriber) => {
    // No app at all: serve$ runs standalone. Several apps: ambiguous, so NoCurrentAppError says so.
    const internals = findRunningApp(app, WHERE);
    if (served.has(server)) {
      subscriber.error(new Error(`${WHERE}: the server is already served by another serve$ subscription (until its drain ends)`));
      return undefined;
    }
    if (server.listening) {
      subscriber.error(new Error(`${WHERE}: the server is already listening; pass it to serve$ before calling listen()`));
      return undefined;
    }
    served.add(server);
    const scheduler = schedulerOption ?? internals?.context.scheduler ?? asyncScheduler;
    let name = fixedName ?? `${kind.scheme} server`;
    let drain: DrainRun | undefined;
    let tornDown = false;

    const report = (error: unknown) => {
      // No app to report to (or it stopped), and the subscriber may be gone: a process warning is the one channel left.
      reportOrWarn(internals, 'server', name, error, 'ServeError');
    };
    const guarded =
      <A extends unknown[]>(hook: ((...args: A) => void) | undefined, fallback: (...args: A) => void) =>
      (...args: A) => {
        try {
          (hook ?? fallback)(...args);
        } catch (error) {
          report(error);
          fallback(...args);
        }
      };
    const release = () => {
      tracker.detach();
      served.delete(server);
    };
    const tracker = trackConnections(server, kind, {
      onUpgradedSocket: guarded(onUpgradedSocket, (socket) => void socket.end()),
      onConnectionDrain: guarded(onConnectionDrain, (socket) => void socket.end()),
      onClosed: () => drain?.check(),
      onIdleClosed: (count) => drain?.idleClosed(count),
      onLingerExpired: (names) => drain?.lingerExpired(names),
    }, { scheduler, idleGrace, linger });
    let listened = false;
    const leaveDrainDelay =
      internals === undefined ? undefined : joinDrainDelay(internals, { name: () => name, delay: drainDelay, listened: () => listened, connections: () => tracker.size });
    const ready = internals === undefined ? undefined : joinReadySignal(internals);

    const onListening = () => {
      listened = true;
      server.removeListener('error', onListenError);
      server.on('error', onServerError);
      server.once('close', onServerClose);
      const address = server.address();
      const url = listeningUrl(kind, address);
      if (fixedName === undefined) name = url;
      internals?.emit({ type: 'server-listening', name, address: url, at: scheduler.now() }, serverEventLog);
      subscriber.next({ server, address: address ?? url, url });
      ready?.listening();
    };
    let listenSettled = false;
    const onListenError = (error: unknown) => {
      listenSettled = true;
      server.removeListener('listening', onListening);
      subscriber.error(error);
    };
    // Outside the drain: the server failed, or user code closed it. The task ends, and says so.
    const onServerError = (error: unknown) => {
      if (tornDown) return;
      internals?.emit({ type: 'server-closed', name, error, at: scheduler.now() }, serverEventLog);
      ready?.leave();
      subscriber.error(error);
    };
    const onServerClose = () => {
      if (tornDown) return;
      internals?.emit({ type: 'server-closed', name, at: scheduler.now() }, serverEventLog);
      ready?.leave();
      subscriber.complete();
    };
    server.once('listening', onListening);
    server.once('error', onListenError);
    try {
      server.listen(listenOptions);
    } catch (error) {
      onListenError(error);
    }

    return () => {
      if (tornDown) return;
      tornDown = true;
      server.removeListener('listening', onListening);
      server.removeListener('error', onListenError);
      server.removeListener('error', onServerError);
      server.removeListener('close', onServerClose);
      leaveDrainDelay?.();
      ready?.leave();
      if (!server.listening) {
        tracker.detach();
        // The listen failed (nothing to close), or is still binding (a host lookup): close it once bound.
        if (listenSettled) served.delete(server);
        else closeWhenBound(server, () => served.delete(server));
        return;
      }
      startDrain();
    };

    function startDrain(): void {
      const limit = budgetLimit(internals);
      const timeoutMs = Math.min(drainTimeout ?? (Number.isFinite(limit) ? limit : STANDALONE_DRAIN_TIMEOUT), limit);
      let settled = false;
      const ticket = internals?.protect(`serve$ ${name}`, () => drain?.cutOff());
      const emitStep = (step: DrainStep, count: number, names: readonly string[] = []) =>
        internals?.emit({ type: 'server-drain', name, step, count, names, at: scheduler.now() }, serverEventLog);
      drain = drainServer({
        server,
        tracker,
        name,
        scheduler,
        timeoutMs,
        emitStep,
        report,
        done: () => {
          if (settled) return;
          settled = true;
          release();
          ticket?.done();
        },
      });
    }
  });
}

/** A listen still binding (a host lookup pending) is closed once bound; `onDone` once closed or failed. */
function closeWhenBound(server: net.Server, onDone: () => void): void {
  const onBound = () => {
    server.removeListener('error', onFailed);
    server.close(() => onDone());
  };
  const onFailed = () => {
    server.removeListener('listening', onBound);
    onDone();
  };
  server.once('listening', onBound);
  server.once('error', onFailed);
}

/** The app's remaining budget less a margin (10%, at most 1 s), or Infinity outside a shutdown. */
function budgetLimit(internals: AppInternals | undefined): number {
  const remaining = internals?.remainingBudget() ?? Infinity;
  if (!Number.isFinite(remaining)) return Infinity;
  return Math.max(0, remaining - Math.min(1000, remaining * 0.1));
}

function defaultDrainDelay(): number {
  return inKubernetes() ? KUBERNETES_DRAIN_DELAY : 0;
}

function checkListen(listen: unknown): number | net.ListenOptions {
  if (typeof listen === 'number') {
    if (!Number.isInteger(listen) || listen < 0 || listen > 65535) {
      throw new RangeError(`${WHERE}: 'listen' as a port must be an integer from 0 to 65535, got ${listen}`);
    }
    return { port: listen };
  }
  if (!isPlainObject(listen)) throw new TypeError(`${WHERE}: 'listen' must be a port number or net.ListenOptions, got ${describe(listen)}`);
  checkKnownKeys(WHERE, listen, LISTEN_KEYS);
  checkPort(WHERE, 'port', listen['port']);
  checkString(WHERE, 'host', listen['host']);
  checkString(WHERE, 'path', listen['path']);
  return listen as net.ListenOptions;
}
