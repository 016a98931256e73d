/**
 * A Kubernetes-ready HTTP service: `serve$` drains the app server, `probes` answers the kubelet on
 * a port of its own that stays up through the whole shutdown.
 *
 * On SIGTERM: `/readyz` turns 503 at once; the app server keeps accepting for `DRAIN_DELAY` ms
 * (while endpoints, kube-proxy and load balancers catch up), then stops accepting; requests in
 * flight finish (their responses carry `Connection: close`), idle keep-alive sockets are closed;
 * finalizers run (the probe server closes last); the process exits with the SIGTERM status (143).
 *
 * Run: npm run build && DRAIN_DELAY=500 node -r ts-node/register/transpile-only demos/kubernetes/main.ts
 * Env: PORT (8080), PROBE_PORT (9000), HOST (0.0.0.0), DRAIN_DELAY (ms; default 5000 under
 * Kubernetes, else 0), SHUTDOWN_TIMEOUT (ms, 25000), SLOW_MS (3000), DEMO_SECONDS (unset: run until
 * a signal; else stop by itself after that many seconds).
 */
import * as http from 'node:http';
import { filter, map, tap, timer, type Observable } from 'rxjs';
import { probes, runApp, serve$, type AppContext, type LifecycleEvent, type ServeConfig } from 'rxrun';

function envNumber(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0, got '${raw}'`);
  return value;
}

const port = envNumber('PORT', 8080) as number;
const probePort = envNumber('PROBE_PORT', 9000) as number;
const host = process.env['HOST'] ?? '0.0.0.0';
const drainDelay = envNumber('DRAIN_DELAY', undefined);
const shutdownTimeout = envNumber('SHUTDOWN_TIMEOUT', 25_000);
const slowMs = envNumber('SLOW_MS', 3000) as number;
const demoSeconds = envNumber('DEMO_SECONDS', undefined);

/** The app's own requests: `/` at once, `/slow` after SLOW_MS, `POST /upload` once the body ended. */
function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/slow') {
    console.log('slow request: started');
    // A real service would do slow work here (a query, an upstream call).
    setTimeout(() => {
      res.end(`slow done after ${slowMs} ms\n`);
      console.log('slow request: answered');
    }, slowMs);
    return;
  }
  if (path === '/upload' && req.method === 'POST') {
    // A slow client: the response goes out when the client has sent its whole body.
    let bytes = 0;
    console.log('upload: started');
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      res.end(`received ${bytes} bytes\n`);
      console.log(`upload: answered (${bytes} bytes)`);
    });
    return;
  }
  res.end('hello\n');
}

/** One stdout line per step of the shutdown, with ms since the shutdown request. */
function timeline$(app: AppContext): Observable<string> {
  let requestedAt: number | undefined;
  return app.events$.pipe(
    map((event: LifecycleEvent) => {
      if (event.type === 'shutdown-requested' && event.first) requestedAt = event.at;
      const since = requestedAt === undefined ? '' : `+${event.at - requestedAt} ms `;
      switch (event.type) {
        case 'shutdown-requested':
          return event.first ? `${since}shutdown requested (${event.reason.kind === 'signal' ? event.reason.signal : event.reason.kind}): /readyz now 503` : undefined;
        case 'server-drain':
          return `${since}server '${event.name}': ${event.step} (${event.count} connection${event.count === 1 ? '' : 's'})`;
        case 'phase':
          return event.phase === 'stopping' || event.phase === 'running' ? undefined : `${since}phase ${event.phase}`;
        case 'finalizer-start':
          return `${since}finalizer '${event.name}'`;
        default:
          return undefined;
      }
    }),
    filter((line): line is string => line !== undefined),
  );
}

runApp(
  (app) => {
    // Subscribed first: its finalizer is registered first, so the probe server closes last.
    const health = probes({ app, checks: { 'event-loop': () => true } });
    app.spawn(health.serve$({ port: probePort, host }).pipe(tap(({ url }) => console.log(`probes on ${url} (/livez /readyz /startupz)`))), {
      name: 'probes',
    });
    // Not tasks: these log until `stopped` (tasks are cancelled when draining begins).
    timeline$(app).subscribe((line) => console.log(line));
    health.ready$.subscribe((ready) => console.log(`ready: ${ready}`));
    if (demoSeconds !== undefined) app.spawn(timer(demoSeconds * 1000).pipe(tap(() => app.stop('DEMO_SECONDS elapsed'))), { name: 'demo timer' });

    console.log(`pid ${process.pid}: \`kill -TERM ${process.pid}\` to watch the shutdown`);
    const config: ServeConfig = { name: 'app', app };
    if (drainDelay !== undefined) config.drainDelay = drainDelay;
    return serve$(http.createServer(handle), { port, host }, config).pipe(tap(({ url }) => console.log(`app on ${url} (/ /slow POST /upload)`)));
  },
  { shutdownTimeout },
);
