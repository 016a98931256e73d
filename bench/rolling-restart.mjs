// Rolling restarts under load: failed requests, p99 latency and restart duration during N rolling
// restarts (undici Pool, 8 connections, GET and POST alternately, 0 ms and 200 ms handlers), for
// rxrun `workers$` (demos/cluster), real PM2 cluster mode (`pm2 reload`, --wait-ready, isolated
// PM2_HOME, `pm2 kill` at the end) and a naive kill-and-fork node:cluster primary — interleaved in each
// round. Then throughput of `workers$` vs a hand-written node:cluster primary (same worker count, 0 ms
// handler), and worker start-to-ready time (fork → 'ready' for workers$, fork → 'listening' bare).
//   npm run build:demos && node bench/rolling-restart.mjs [--quick] [--restarts=5] [--rounds=3] [--seconds=5] [--only=workers$,pm2,naive]
// Prints a markdown table; RESULTS.md is left to the lead.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const option = (name, fallback) => Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RESTARTS = option('restarts', QUICK ? 2 : 5);
const ROUNDS = option('rounds', QUICK ? 1 : 3);
const SECONDS = option('seconds', QUICK ? 2 : 5);
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const WORKERS = 2;
const CONNECTIONS = 8;
const PM2 = path.join(root, 'node_modules', '.bin', 'pm2');
const pm2Home = mkdtempSync(path.join(os.tmpdir(), 'rr-pm2-'));

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const run = (command, args, env = {}) =>
  new Promise((resolve, reject) =>
    execFile(command, args, { env: { ...process.env, PM2_HOME: pm2Home, ...env } }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );

/** A cluster primary started with `node file`, which prints `ready` and `reloaded`. */
function startPrimary(file, env) {
  const child = spawn(process.execPath, [file], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const stderr = [];
  let waiters = [];
  const onLine = (line) => {
    lines.push(line);
    waiters = waiters.filter((waiter) => !(line === waiter.line && (waiter.resolve(), true)));
  };
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop();
    parts.forEach(onLine);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => stderr.push(chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const waitLine = (line) => new Promise((resolve) => waiters.push({ line, resolve }));
  return {
    child,
    lines,
    stderr,
    ready: waitLine('ready'),
    async reload() {
      const done = waitLine('reloaded');
      child.kill('SIGHUP');
      await done;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const systems = {
  'workers$': (port, delay) =>
    startPrimary(path.join(root, 'dist', 'demos', 'cluster', 'main.js'), { PORT: String(port), WORKERS: String(WORKERS), DELAY_MS: String(delay), GRACE_MS: '10000' }),
  naive: (port, delay) =>
    startPrimary(path.join(root, 'bench', 'rolling-restart', 'naiveCluster.cjs'), { PORT: String(port), WORKERS: String(WORKERS), DELAY_MS: String(delay) }),
  pm2: (port, delay) => {
    const env = { PORT: String(port), DELAY_MS: String(delay) };
    const app = path.join(root, 'bench', 'rolling-restart', 'pm2App.cjs');
    return {
      ready: run(PM2, ['start', app, '--name', 'rr', '-i', String(WORKERS), '--wait-ready', '--listen-timeout', '10000', '--kill-timeout', '5000'], env),
      reload: () => run(PM2, ['reload', 'rr'], env),
      stop: () => run(PM2, ['delete', 'rr']).catch(() => undefined),
    };
  },
};

/** Load until `stop()`: latencies (ms) of successful requests, failures. */
function startLoad(port) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS });
  const result = { ok: 0, failed: 0, latencies: [], errors: new Map() };
  let stopped = false;
  let n = 0;
  const lane = async () => {
    while (!stopped) {
      n += 1;
      const post = n % 2 === 0;
      const sentAt = performance.now();
      try {
        const response = await pool.request({ path: `/r/${n}`, method: post ? 'POST' : 'GET', body: post ? 'payload' : undefined });
        const body = await response.body.text();
        if (response.statusCode === 200 && body.startsWith('pid=')) {
          result.ok += 1;
          result.latencies.push(performance.now() - sentAt);
        } else {
          result.failed += 1;
          result.errors.set(`status ${response.statusCode}`, (result.errors.get(`status ${response.statusCode}`) ?? 0) + 1);
        }
      } catch (error) {
        result.failed += 1;
        const key = error.code ?? error.name;
        result.errors.set(key, (result.errors.get(key) ?? 0) + 1);
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: CONNECTIONS }, lane));
  const cpuAt = process.cpuUsage();
  const startedAt = performance.now();
  return async () => {
    stopped = true;
    await lanes;
    await pool.close();
    const cpu = process.cpuUsage(cpuAt);
    return { ...result, wallMs: performance.now() - startedAt, clientCpuMs: (cpu.user + cpu.system) / 1000 };
  };
}

const p99 = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
};

async function restartRow(kind, delay) {
  const port = await freePort();
  const system = systems[kind](port, delay);
  await system.ready;
  const stopLoad = startLoad(port);
  const durations = [];
  for (let i = 0; i < RESTARTS; i += 1) {
    const at = performance.now();
    await system.reload();
    durations.push(performance.now() - at);
  }
  const load = await stopLoad();
  await system.stop();
  return { load, durations };
}

async function throughput(kind) {
  const port = await freePort();
  const system = systems[kind](port, 0);
  await system.ready;
  const stopLoad = startLoad(port);
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const load = await stopLoad();
  await system.stop();
  const readyMs =
    kind === 'workers$'
      ? [...system.stderr.join('').matchAll(/ready \(pid \d+\) (\d+) ms after its start/g)].map((match) => Number(match[1]))
      : system.lines.filter((line) => line.startsWith('worker-ready ')).map((line) => Number(line.split(' ')[1]));
  return { rps: load.ok / (load.wallMs / 1000), failed: load.failed, readyMs };
}

const rows = new Map();
const tput = { 'workers$': [], naive: [] };
const ready = { 'workers$': [], naive: [] };
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const delay of [0, 200]) {
      for (const kind of ['workers$', 'pm2', 'naive'].filter((each) => ONLY === undefined || ONLY.includes(each))) {
        const { load, durations } = await restartRow(kind, delay);
        const key = `${kind}|${delay}`;
        const row = rows.get(key) ?? { kind, delay, requests: 0, failed: 0, latencies: [], durations: [], errors: new Map(), clientCpuMs: 0 };
        row.requests += load.ok + load.failed;
        row.failed += load.failed;
        row.latencies.push(...load.latencies);
        row.durations.push(...durations);
        row.clientCpuMs += load.clientCpuMs;
        for (const [error, count] of load.errors) row.errors.set(error, (row.errors.get(error) ?? 0) + count);
        rows.set(key, row);
        process.stderr.write(`round ${round + 1} ${kind} ${delay} ms: ${load.failed} failed of ${load.ok + load.failed}\n`);
      }
    }
    for (const kind of round % 2 === 0 ? ['workers$', 'naive'] : ['naive', 'workers$']) {
      const result = await throughput(kind);
      tput[kind].push(result.rps);
      ready[kind].push(...result.readyMs);
    }
  }
} finally {
  await run(PM2, ['kill']).catch(() => undefined);
  rmSync(pm2Home, { recursive: true, force: true });
}

const label = { 'workers$': 'rxrun `workers$` (SIGHUP)', pm2: 'PM2 cluster `pm2 reload` (wait_ready)', naive: 'naive kill-and-fork cluster' };
console.log(`\n### Rolling restarts under load (${ROUNDS} round(s) × ${RESTARTS} restarts, ${WORKERS} workers, undici Pool ${CONNECTIONS} conns, GET+POST)\n`);
console.log('| system | handler | requests | failed | failed % | p99 ms | restart ms (median) | client CPU µs/req | errors |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const row of rows.values()) {
  const errors = [...row.errors].map(([error, count]) => `${error}×${count}`).join(', ') || '—';
  console.log(
    `| ${label[row.kind]} | ${row.delay} ms | ${row.requests} | ${row.failed} | ${((100 * row.failed) / row.requests).toFixed(2)} | ${p99(row.latencies).toFixed(1)} | ${median(row.durations).toFixed(0)} | ${((1000 * row.clientCpuMs) / row.requests).toFixed(0)} | ${errors} |`,
  );
}
const w = median(tput['workers$']);
const n = median(tput.naive);
console.log(`\n### Throughput, ${WORKERS} workers, 0 ms handler, ${SECONDS} s × ${ROUNDS}\n`);
console.log('| primary | req/s (median) | ratio |');
console.log('| --- | ---: | ---: |');
console.log(`| hand-written node:cluster | ${n.toFixed(0)} | 1.00 |`);
console.log(`| rxrun \`workers$\` | ${w.toFixed(0)} | ${(w / n).toFixed(2)} |`);
console.log(`\n### Worker start-to-ready (median of ${ready['workers$'].length} / ${ready.naive.length})\n`);
console.log('| worker | ms |');
console.log('| --- | ---: |');
console.log(`| bare cluster worker (fork → listening) | ${median(ready.naive).toFixed(0)} |`);
console.log(`| rxrun \`workers$\` worker (fork → 'ready') | ${median(ready['workers$']).toFixed(0)} |`);
