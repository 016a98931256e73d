// Rolling restarts under load: failed requests, p99 latency, restart duration and server CPU time per
// request during rolling restarts (undici Pool, 8 keep-alive connections, GET and POST alternately,
// 0 ms and 200 ms handlers), for rxrun `workers$` (demos/cluster, SIGHUP), real PM2 cluster mode
// (`pm2 reload` with --wait-ready, isolated PM2_HOME, `pm2 kill` after each run) and a naive
// kill-and-fork node:cluster primary (bench/rolling-restart/naiveCluster.cjs). 2 workers each. Each
// round starts every implementation afresh, in a rotated order (interleaved), and runs one rolling
// restart under load (--restarts-per-round); 5 rounds by default, so 5 restarts per row.
//   npm run build:demos && node bench/rolling-restart.mjs [--rounds=5] [--restarts-per-round=1] [--only=workers$,pm2,naive]
// Writes its section of bench/RESULTS.md and bench/results/rolling-restart.json.
//
// Bounded: every request times out after 5 s (counted as failed), every child has a watchdog that
// SIGKILLs it and its workers, every wait (ready, reloaded, stop, pm2 CLI) has a limit. (The naive row
// used to hang: a connection the primary handed to a worker SIGTERMed at that moment is never answered,
// and the load loop awaited it with no timeout.)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchDir, fmt, markdownTable, median, option, stamp, updateSection } from './lib/common.mjs';
import { NAIVE, REQUEST_TIMEOUT_MS, WORKERS_DEMO, freePort, p99, sleep, startLoad, startPm2, startPrimary, treeCpuMs } from './lib/cluster.mjs';

const ROUNDS = option('rounds', 5);
const PER_ROUND = option('restarts-per-round', 1);
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const WORKERS = 2;
const CONNECTIONS = 8;
const SETTLE_MS = 300; // load before the first and after the last restart

const impls = {
  'workers$': (port, delay) => startPrimary(WORKERS_DEMO, { PORT: String(port), WORKERS: String(WORKERS), DELAY_MS: String(delay), GRACE_MS: '10000' }),
  pm2: (port, delay) => startPm2(port, delay, WORKERS),
  naive: (port, delay) => startPrimary(NAIVE, { PORT: String(port), WORKERS: String(WORKERS), DELAY_MS: String(delay) }),
};
const label = { 'workers$': 'rxrun `workers$` (SIGHUP)', pm2: 'PM2 cluster `pm2 reload` (wait_ready)', naive: 'naive kill-and-fork cluster' };

/** One run: start, load, PER_ROUND rolling restarts, stop load, stop. */
async function runOnce(impl, delay) {
  const port = await freePort();
  const system = impls[impl](port, delay);
  const durations = [];
  let load;
  let note;
  try {
    await system.ready;
    const root = system.pid;
    const stopLoad = startLoad(port, { connections: CONNECTIONS });
    const cpuBefore = treeCpuMs(root);
    await sleep(SETTLE_MS);
    try {
      for (let i = 0; i < PER_ROUND; i += 1) {
        const at = performance.now();
        await system.reload();
        durations.push(performance.now() - at);
      }
    } catch (error) {
      note = String(error.message ?? error);
    }
    await sleep(SETTLE_MS);
    const cpuMs = treeCpuMs(root) - cpuBefore;
    load = await stopLoad();
    load.cpuMs = cpuMs;
  } finally {
    const left = await system.stop();
    if (left > 0) note = `${note ?? ''} ${left} worker(s) left after stop (killed)`.trim();
  }
  return { load, durations, note };
}

const rows = new Map();
const order = Object.keys(impls).filter((impl) => ONLY === undefined || ONLY.includes(impl));
const started = performance.now();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const delay of [0, 200]) {
    const rotated = order.map((_, i) => order[(i + round) % order.length]);
    for (const impl of rotated) {
      const { load, durations, note } = await runOnce(impl, delay);
      const total = { ok: 0, failed: 0 };
      for (const method of ['GET', 'POST']) {
        const key = `${impl}|${delay}|${method}`;
        const stats = load.byMethod[method];
        const row = rows.get(key) ?? { impl, handlerMs: delay, method, ok: 0, failed: 0, latencies: [], durations: [], errors: {}, cpuMs: 0, wallMs: 0, notes: [] };
        row.ok += stats.ok;
        row.failed += stats.failed;
        row.latencies.push(...stats.latencies);
        row.durations.push(...durations);
        for (const [error, count] of Object.entries(stats.errors)) row.errors[error] = (row.errors[error] ?? 0) + count;
        if (note !== undefined) row.notes.push(note);
        rows.set(key, row);
        total.ok += stats.ok;
        total.failed += stats.failed;
      }
      // CPU and wall time are per run (both methods): shared out by request count.
      for (const method of ['GET', 'POST']) {
        const row = rows.get(`${impl}|${delay}|${method}`);
        const share = (load.byMethod[method].ok + load.byMethod[method].failed) / Math.max(1, total.ok + total.failed);
        row.cpuMs += load.cpuMs * share;
        row.wallMs += load.wallMs * share;
      }
      process.stderr.write(
        `round ${round + 1}/${ROUNDS} ${impl} ${delay} ms: ${total.failed} failed of ${total.ok + total.failed}, restart ${durations.map((d) => d.toFixed(0)).join('/')} ms${note ? ` (${note})` : ''}\n`,
      );
    }
  }
}
const elapsedS = (performance.now() - started) / 1000;

const results = [...rows.values()].map((row) => {
  const requests = row.ok + row.failed;
  return {
    impl: row.impl,
    handlerMs: row.handlerMs,
    method: row.method,
    failed: row.failed,
    requests,
    p99Ms: Number(fmt(p99(row.latencies), 1)),
    restartMsMedian: Math.round(median(row.durations)),
    restarts: row.durations.length,
    cpuUsPerReq: Math.round((1000 * row.cpuMs) / Math.max(1, requests)),
    wallUsPerReq: Math.round((1000 * row.wallMs) / Math.max(1, requests)),
    errors: row.errors,
    notes: row.notes,
  };
});
mkdirSync(path.join(benchDir, 'results'), { recursive: true });
writeFileSync(path.join(benchDir, 'results', 'rolling-restart.json'), `${JSON.stringify(results, null, 2)}\n`);

const table = markdownTable(
  ['implementation', 'handler', 'method', 'requests', 'failed', 'failed %', 'p99 ms', 'restart ms (median)', 'server CPU µs/req', 'wall µs/req', 'errors'],
  results.map((row) => [
    label[row.impl], `${row.handlerMs} ms`, row.method, row.requests, row.failed, fmt((100 * row.failed) / Math.max(1, row.requests), 2),
    fmt(row.p99Ms, 1), row.restartMsMedian, row.cpuUsPerReq, row.wallUsPerReq,
    Object.entries(row.errors).map(([error, count]) => `${error}×${count}`).join(', ') || '—',
  ]),
);
const workersRows = results.filter((row) => row.impl === 'workers$');
const workersFailed = workersRows.reduce((sum, row) => sum + row.failed, 0);
const verdict = workersRows.length === 0 ? 'not measured in this run' : workersFailed === 0 ? 'met' : `missed (${workersFailed} failed)`;
const markdown = `## Rolling restarts under load (\`bench/rolling-restart.mjs\`)

${stamp()}
Command: \`npm run build:demos && node bench/rolling-restart.mjs\` (${ROUNDS} rounds × ${PER_ROUND} rolling restart(s) per
implementation and handler, ${WORKERS} workers, undici Pool with ${CONNECTIONS} keep-alive connections sending GET and POST
alternately, a request counted failed on an error, a non-200 answer or no answer within ${REQUEST_TIMEOUT_MS / 1000} s; the
implementations interleaved in a rotated order in each round; ${elapsedS.toFixed(0)} s in all). Load runs ${SETTLE_MS} ms before
and after the restarts. *Restart ms*: from SIGHUP (\`pm2 reload\` command for PM2, CLI start-up included) to
\`reloaded\` (every old worker exited, its replacement ready). *Server CPU µs/req*: user + system CPU of the primary
(PM2's daemon) and its workers, replaced ones included, over the load window, per request; *wall µs/req*: that
window's length per request (2 shared cores; other agents were running).

${table}

Target (issue #10): 0 failed requests for \`workers$\` in every row — **${verdict}**.

How each is stopped: \`workers$\` sends the old worker the IPC \`shutdown\` message once its replacement is ready, and
\`serve$\` drains it (keep-alive sockets closed between requests). PM2's app (\`bench/rolling-restart/pm2App.cjs\`, as PM2's
graceful-shutdown docs suggest) calls \`server.close()\` on SIGINT and exits once closed; under load its keep-alive
sockets stay busy, so PM2 kills it at \`kill_timeout\` (5 s) — its restart time is about 2 × (start + 5 s), and its
failures are the requests in flight on those sockets. The naive primary SIGTERMs a worker (it dies at once) and forks the
next: requests in flight on it fail, and a connection the primary handed to it just then is never answered (the 5 s
timeout above; without it the load never ended — the hang of the earlier version of this script).

JSON: \`bench/results/rolling-restart.json\`.`;
updateSection('rolling-restart', markdown);
console.log(markdown);
