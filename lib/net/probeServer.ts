import type * as http from 'node:http';
import type * as net from 'node:net';
import { AsyncSubject, Observable, ignoreElements } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import { loadBuiltin } from '../core/loadBuiltin.js';
import { serverEventLog } from './serverEvents.js';

/**
 * What `probes(…).serve$` emits once its own server listens.
 *
 * @example
 * ```ts
 * health.serve$({ port: 9000, host: '0.0.0.0' }).subscribe(({ url }) => console.log(`probes on ${url}`));
 * ```
 */
export interface ProbeListening {
  readonly server: http.Server;
  readonly address: net.AddressInfo | string;
  /** `http://127.0.0.1:9000`, or `unix:/path` for a pipe. */
  readonly url: string;
}

/**
 * Serves `handle` on its own HTTP server (404 for other paths) that lives through the whole
 * shutdown: the app's own unsubscription (root teardown, `untilShutdown`) leaves it open, a
 * finalizer registered on subscribe closes it (with its connections) in `finalizing`, and the end of
 * `shutdown$` closes it if a budget overrun or forced stop skipped the finalizers. Any other
 * unsubscription closes it at once (internal).
 */
export function probeServer$(
  name: string,
  bind: () => AppInternals,
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => boolean,
  listen: net.ListenOptions,
): Observable<ProbeListening> {
  return new Observable<ProbeListening>((subscriber) => {
    const internals = bind();
    const server = loadBuiltin('node:http').createServer((req, res) => {
      if (handle(req, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : 'not found\n');
    });
    const closed$ = new AsyncSubject<void>();
    let state: 'binding' | 'listening' | 'closing' | 'closed' = 'binding';
    let closeRequested = false;

    const closeNow = () => {
      state = 'closing';
      server.close(() => {
        state = 'closed';
        closed$.complete();
        // Closed by the finalizer while still subscribed (subscribed outside the app's tasks): done.
        subscriber.complete();
      });
      server.closeAllConnections();
    };
    const close = () => {
      if (!closeRequested) {
        closeRequested = true;
        // Still binding: closed once the bind ends ('listening' or 'error' below).
        if (state === 'listening') closeNow();
      }
      return closed$.pipe(ignoreElements());
    };

    server.on('listening', () => {
      if (closeRequested) {
        closeNow();
        return;
      }
      state = 'listening';
      const address = server.address() as net.AddressInfo | string;
      const url = urlOf(address);
      internals.emit({ type: 'server-listening', name, address: url, at: internals.context.scheduler.now() }, serverEventLog);
      subscriber.next({ server, address, url });
    });
    server.on('error', (error: Error) => {
      if (state === 'binding') {
        state = 'closed';
        closed$.complete();
        subscriber.error(error);
      } else {
        internals.reportError('server', name, error);
      }
    });

    const withdraw = internals.addFinalizer(name, close);
    if (withdraw === undefined) {
      // The app has stopped: nothing left to report on.
      subscriber.complete();
      return;
    }
    const backstop = internals.context.shutdown$.subscribe({ complete: () => void close().subscribe() });
    try {
      server.listen(listen);
    } catch (error) {
      // Options Node refuses synchronously (a bad host type, say): same path as a listen error.
      server.emit('error', error);
    }

    return () => {
      // The app's own shutdown unsubscribing: stay up for the probes; the finalizer closes it.
      if (internals.detaching && internals.phase !== 'stopped') return;
      withdraw();
      backstop.unsubscribe();
      close().subscribe();
    };
  });
}

function urlOf(address: net.AddressInfo | string): string {
  if (typeof address === 'string') return `unix:${address}`;
  let host = address.address;
  // The unspecified address (all interfaces) is reachable on the loopback address.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  if (host.includes(':')) host = `[${host}]`;
  return `http://${host}:${address.port}`;
}
