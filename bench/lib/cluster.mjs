// Shared by bench/rolling-restart.mjs and bench/workers-throughput.mjs: cluster primaries started as
// child processes (workers$ demo, a hand-written node:cluster primary, real PM2), a real-client load
// (undici Pool), and the CPU time of a process tree from /proc. Everything is bounded: each child has
// a watchdog that SIGKILLs it (and its workers), every request has a timeout, every wait has a limit.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { repoDir } from './common.mjs';

export const WORKERS_DEMO = path.join(repoDir, 'dist', 'demos', 'cluster', 'main.js');
export const NAIVE = path.join(repoDir, 'bench', 'rolling-restart', 'naiveCluster.cjs');
const PM2_APP = path.join(repoDir, 'bench', 'rolling-restart', 'pm2App.cjs');
const PM2 = path.join(repoDir, 'node_modules', '.bin', 'pm2');

/** A request slower than this is abandoned and counted as failed (a stuck socket must not hang a run). */
export const REQUEST_TIMEOUT_MS = 5000;

export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves `promise`, or rejects after `ms` with `what` timed out. */
export function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const TICK_MS = 1000 / 100; // USER_HZ: 100 on Linux

/** Every process as pid → { ppid, ownMs, childrenMs } (user + system CPU, reaped children apart). */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the comm: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), 1-based in proc(5).
      table.set(Number(entry), {
        ppid: Number(fields[1]),
        ownMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
        childrenMs: (Number(fields[13]) + Number(fields[14])) * TICK_MS,
      });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** The pids of `root` and all its descendants now. */
export function treePids(root) {
  const table = processTable();
  const pids = [root];
  for (let i = 0; i < pids.length; i += 1) for (const [pid, info] of table) if (info.ppid === pids[i]) pids.push(pid);
  return pids.filter((pid) => table.has(pid));
}

/**
 * CPU ms used so far by `root` and its descendants: each live process's own time, plus the time of
 * children already reaped (cutime/cstime: a worker replaced during a rolling restart still counts).
 */
export function treeCpuMs(root) {
  const table = processTable();
  let total = 0;
  const pids = [root];
  for (let i = 0; i < pids.length; i += 1) {
    const info = table.get(pids[i]);
    if (info === undefined) continue;
    total += info.ownMs + info.childrenMs;
    for (const [pid, each] of table) if (each.ppid === pids[i]) pids.push(pid);
  }
  return total;
}

function killTree(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * A cluster primary started with `node file` that prints `ready` and `reloaded` lines. `watchdogMs`
 * bounds its whole life: then it and every worker it forked are SIGKILLed.
 */
export function startPrimary(file, env, { watchdogMs = 180_000 } = {}) {
  const child = spawn(process.execPath, [file], { cwd: repoDir, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stderr = '';
  let waiters = [];
  const seen = new Set();
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
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  // Workers forked so far (sampled), so that a watchdog kill leaves none behind.
  const sampler = setInterval(() => treePids(child.pid).forEach((pid) => seen.add(pid)), 500);
  let exitedFlag = false;
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => ((exitedFlag = true), resolve(signal ?? code))));
  const kill = () => {
    const pids = [...new Set([...treePids(child.pid), ...seen])];
    killTree(pids);
  };
  const watchdog = setTimeout(kill, watchdogMs);
  void exited.then(() => {
    clearTimeout(watchdog);
    clearInterval(sampler);
  });
  const waitLine = (line) => new Promise((resolve) => waiters.push({ line, resolve }));
  return {
    pid: child.pid,
    lines,
    get stderr() {
      return stderr;
    },
    ready: within(60_000, `${path.basename(file)} ready`, waitLine('ready')),
    async reload() {
      const done = waitLine('reloaded');
      child.kill('SIGHUP');
      await within(60_000, `${path.basename(file)} reloaded`, done);
    },
    /** SIGTERM, then SIGKILL of the whole tree after `graceMs`. */
    async stop(graceMs = 15_000) {
      treePids(child.pid).forEach((pid) => seen.add(pid));
      if (!exitedFlag) child.kill('SIGTERM');
      try {
        await within(graceMs, `${path.basename(file)} stop`, exited);
      } catch {
        kill();
        await exited;
      }
      // Workers must be gone with their primary; any left over is killed and would be a bug of the impl.
      return (await leftAfter([...seen].filter((pid) => pid !== child.pid))).length;
    },
  };
}

/** Waits (at most `ms`) for `pids` to exit, then SIGKILLs and returns those still alive. */
async function leftAfter(pids, ms = 3000) {
  const until = performance.now() + ms;
  while (pids.some(isAlive) && performance.now() < until) await sleep(50);
  const left = pids.filter(isAlive);
  killTree(left);
  return left;
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Real PM2 cluster mode (`-i N --wait-ready`) in an isolated PM2_HOME; `stop()` always runs `pm2 kill`. */
export function startPm2(port, delay, workers) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'rr-pm2-'));
  const env = { ...process.env, PM2_HOME: home, PORT: String(port), DELAY_MS: String(delay) };
  const pm2 = (args, timeoutMs = 60_000) =>
    new Promise((resolve, reject) =>
      execFile(PM2, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
  const daemonPid = () => {
    const file = path.join(home, 'pm2.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  };
  let pids = [];
  return {
    get pid() {
      return daemonPid();
    },
    ready: pm2(['start', PM2_APP, '--name', 'rr', '-i', String(workers), '--wait-ready', '--listen-timeout', '10000', '--kill-timeout', '5000']),
    reload: () => pm2(['reload', 'rr']),
    async stop() {
      const daemon = daemonPid();
      if (daemon !== undefined) pids = treePids(daemon);
      await pm2(['kill'], 30_000).catch(() => undefined);
      const left = await leftAfter(pids);
      rmSync(home, { recursive: true, force: true });
      return left.length;
    },
  };
}

/**
 * Real-client load until `stop()`: an undici Pool (keep-alive, `connections` sockets), GET and POST
 * alternately, each bounded by REQUEST_TIMEOUT_MS. Per method: ok, failed, latencies (ms) of the
 * successful ones, errors by code.
 */
export function startLoad(port, { connections = 8 } = {}) {
  const pool = new Pool(`http://127.0.0.1:${port}`, {
    connections,
    connectTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const byMethod = { GET: { ok: 0, failed: 0, latencies: [], errors: {} }, POST: { ok: 0, failed: 0, latencies: [], errors: {} } };
  let stopped = false;
  let n = 0;
  const lane = async () => {
    while (!stopped) {
      n += 1;
      const method = n % 2 === 0 ? 'POST' : 'GET';
      const stats = byMethod[method];
      const sentAt = performance.now();
      let failure;
      try {
        const response = await pool.request({ path: `/r/${n}`, method, body: method === 'POST' ? JSON.stringify({ n }) : undefined });
        const body = await response.body.text();
        if (response.statusCode !== 200 || !body.startsWith('pid=')) failure = `status ${response.statusCode}`;
      } catch (error) {
        failure = error.code ?? error.name;
      }
      if (failure === undefined) {
        stats.ok += 1;
        stats.latencies.push(performance.now() - sentAt);
      } else {
        stats.failed += 1;
        stats.errors[failure] = (stats.errors[failure] ?? 0) + 1;
        // A refused connection fails at once: do not spin.
        await sleep(5);
      }
    }
  };
  const lanes = Promise.all(Array.from({ length: connections }, lane));
  const startedAt = performance.now();
  return async () => {
    stopped = true;
    // In-flight requests end by themselves within REQUEST_TIMEOUT_MS.
    await within(REQUEST_TIMEOUT_MS * 3, 'load lanes', lanes);
    const wallMs = performance.now() - startedAt;
    await within(REQUEST_TIMEOUT_MS, 'pool close', pool.close()).catch(() => pool.destroy());
    return { byMethod, wallMs };
  };
}

export function p99(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}
