/**
 * A `workers$` cluster: the same script is the primary and every worker (node:cluster).
 *
 * Every worker answers any method and path with 200 and `pid=<its pid>` after DELAY_MS. The primary
 * prints `ready` once every worker is ready and `reloaded` after each rolling restart (SIGHUP). SIGTERM
 * stops everything gracefully and the primary exits by SIGTERM within GRACE_MS.
 *
 * Run: npm run build:demos && PORT=8080 node dist/demos/cluster/main.js
 * Env: PORT (default 8080), HOST (default 127.0.0.1), WORKERS (default 2), DELAY_MS (default 0),
 *      GRACE_MS (the shutdown budget, default 10000).
 */
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { filter } from 'rxjs';
import { runApp, serve$, workers$ } from 'rxrun';

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number >= ${min}, got '${raw}'`);
  return value;
}

const port = envNumber('PORT', 8080, 0);
const host = process.env['HOST'] || '127.0.0.1';
const count = envNumber('WORKERS', 2, 1);
const delayMs = envNumber('DELAY_MS', 0, 0);
const graceMs = envNumber('GRACE_MS', 10_000, 100);

function handler(req: IncomingMessage, res: ServerResponse): void {
  // Read the whole request (POST bodies too), then answer after the delay.
  req.resume();
  req.on('end', () => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`pid=${process.pid}\n`);
    }, delayMs);
  });
}

runApp(
  (app) => {
    if (cluster.isPrimary) {
      app.events$.pipe(filter((event) => event.type === 'reload-done')).subscribe(() => console.log('reloaded'));
      app.events$.pipe(filter((event) => event.type === 'workers-ready')).subscribe(() => console.log('ready'));
    }
    return workers$((workerApp) => serve$(createServer(handler), { port, host }, { app: workerApp }), {
      count,
      // A replacement must be ready in time, an old worker must drain in time: both well inside the grace.
      readyTimeout: graceMs,
      stopTimeout: graceMs,
    });
  },
  // The primary's budget ends well before GRACE_MS (its exit follows); each worker's before the primary's.
  { shutdownTimeout: Math.floor(graceMs * (cluster.isPrimary ? 0.8 : 0.6)) },
);
