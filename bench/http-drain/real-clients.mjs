// Real-client rows of bench/http-drain.mjs: the drain under pooled keep-alive clients (undici Pool, node
// http.Agent; drivers in clients.cjs, shared with spec/net/realClients) at several handler delays, and idle pools
// (clients holding idle keep-alive connections at SIGTERM), for every implementation, interleaved within each round.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { fmt, median, shuffle } from '../lib/common.mjs';

const require = createRequire(import.meta.url);
const { reclassify, failureKinds, startHttpAgent, startUndiciPool } = require('./clients.cjs');
const { BODY } = require('./server.cjs');

const here = path.dirname(fileURLToPath(import.meta.url));
const IDLE_PEER = path.join(here, 'idle-peer.py');
const WORKERS = 20;
const IDLE_CONNECTIONS = 16;
const PYTHON_PEERS = 4;
const IDLE_MS = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const msSince = (from, to = process.hrtime.bigint()) => Number(to - from) / 1e6;
const hasPython = () => spawnSync('python3', ['--version']).status === 0;

const IDLE_POOL_LOOPS = 8;
const IDLE_POOL_LOAD_MS = 1000;
export const LOAD_CLIENTS = [
  { key: 'undici-pool', label: `undici Pool (${WORKERS} conns)`, start: startUndiciPool },
  { key: 'http-agent', label: `http.Agent keepAlive (maxSockets ${WORKERS})`, start: startHttpAgent },
  // A pool sized for a peak under lighter load: the agent hands out its most recently used socket first ('lifo'),
  // so 12 of its 20 sockets have been idle for a second when SIGTERM lands, and are taken once the busy ones close.
  {
    key: 'http-agent-idle', label: `http.Agent keepAlive, ${IDLE_POOL_LOOPS} loops on ${WORKERS} sockets (idle sockets at SIGTERM)`, start: startHttpAgent,
    workers: IDLE_POOL_LOOPS, warmup: WORKERS, loadBeforeSigtermMs: IDLE_POOL_LOAD_MS, fastHandlersOnly: true,
  },
];
export const IDLE_CLIENTS = [
  { key: 'idle-undici', label: `idle undici Pool (${IDLE_CONNECTIONS} conns, 1 request each)` },
  { key: 'idle-python', label: `idle Python http.client (${PYTHON_PEERS} conns, ignore FIN)` },
];

/**
 * One load trial: closed loops (half GET, half POST) through WORKERS pooled connections; server CPU per request is
 * measured over `measured` answers after `warm` ones; then SIGTERM once every loop has a request out. The load goes on
 * until the child exits or `drainLoadMs` after SIGTERM; after that the client sends nothing new but keeps its pool
 * (idle keep-alive sockets stay open, as a pool would) until the child exits or is SIGKILLed at `killAfterMs`.
 */
async function loadTrial(ctx, impl, client, handlerMs) {
  const server = await ctx.spawnServer(impl.file, { TRACE: '1', HANDLER_MS: String(handlerMs) });
  const body = BODY.toString();
  const workers = client.workers ?? WORKERS;
  const load = client.start({
    origin: `http://127.0.0.1:${server.port}`, workers, connections: WORKERS, warmup: client.warmup ?? 0, methods: ['GET', 'POST'],
    verify: (_method, status, text) => status === 200 && text === body, maxMs: 120_000, maxRequests: 1_000_000, refusedBackoffMs: 20,
  });
  const [warm, measured] = handlerMs >= 100 ? [2 * WORKERS, 3 * WORKERS] : [10 * WORKERS, 30 * WORKERS];
  try {
    if (!(await load.whenOk(warm))) throw new Error(`${impl.key}: the load ended during warm-up: ${server.stderr().slice(-500)}`);
    const cpuBefore = ctx.cpuNs(server.child.pid);
    const okBefore = load.tally.ok;
    const wallBefore = process.hrtime.bigint();
    await load.whenOk(warm + measured);
    const cpuUs = (ctx.cpuNs(server.child.pid) - cpuBefore) / 1000 / (load.tally.ok - okBefore);
    const wallUs = (msSince(wallBefore) * 1000) / (load.tally.ok - okBefore);
    if (client.loadBeforeSigtermMs !== undefined) await sleep(client.loadBeforeSigtermMs);
    for (let turn = 0; turn < 1000 && load.inFlight() < workers; turn += 1) await nextTurn();
    load.mark();
    const sigtermAt = process.hrtime.bigint();
    server.child.kill('SIGTERM');
    const killer = setTimeout(() => server.child.kill('SIGKILL'), ctx.killAfterMs);
    const stopper = setTimeout(() => load.stop(), ctx.drainLoadMs);
    const { at: exitAt, status } = await server.exit;
    clearTimeout(killer);
    clearTimeout(stopper);
    load.stop();
    await load.done;
    await server.stdoutClosed;
    reclassify(load.tally, server.accepted);
    const t = load.tally;
    return {
      exitMs: msSince(sigtermAt, exitAt), status, killed: status === 'SIGKILL', cpuUs, wallUs,
      ok: t.ok, okAfter: t.okAfterMark, failed: t.failed, refused: t.refused + t.unaccepted, kinds: failureKinds(t),
    };
  } finally {
    load.stop();
    await load.close();
    server.child.kill('SIGKILL');
  }
}

/** Starts the Python idle peers; resolves with the process once they have their answers. */
function startPythonPeers(port) {
  return new Promise((resolve, reject) => {
    const peer = spawn('python3', [IDLE_PEER, String(port), '60', String(PYTHON_PEERS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    peer.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(peer);
    });
    peer.stderr.on('data', (chunk) => (err += chunk));
    peer.on('error', reject);
    peer.on('exit', (code) => reject(new Error(`idle-peer.py exited (${code}) before answering: ${err}`)));
  });
}

/** One idle-pool trial: the clients make one request per connection, stay idle IDLE_MS, then SIGTERM → exit. */
async function idleTrial(ctx, impl, client) {
  const server = await ctx.spawnServer(impl.file, { TRACE: '1', HANDLER_MS: '0' });
  let pool;
  let peer;
  try {
    if (client.key === 'idle-undici') {
      const { Pool } = require('undici');
      pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: IDLE_CONNECTIONS, pipelining: 1 });
      await Promise.all(Array.from({ length: IDLE_CONNECTIONS }, () => pool.request({ method: 'GET', path: '/' }).then((response) => response.body.text())));
    } else {
      peer = await startPythonPeers(server.port);
    }
    await sleep(IDLE_MS);
    const sigtermAt = process.hrtime.bigint();
    server.child.kill('SIGTERM');
    const killer = setTimeout(() => server.child.kill('SIGKILL'), ctx.killAfterMs);
    const { at: exitAt, status } = await server.exit;
    clearTimeout(killer);
    return { exitMs: msSince(sigtermAt, exitAt), status, killed: status === 'SIGKILL' };
  } finally {
    peer?.kill('SIGKILL');
    await pool?.destroy();
    server.child.kill('SIGKILL');
  }
}

/**
 * Runs `reps` rounds; in each, every case (client × handler, then the idle pools) runs every implementation in a
 * fresh random order. Returns Map(`${case}|${impl}` → results[]).
 */
export async function runRealClients({ impls, reps, handlers, spawnServer, cpuNs, drainLoadMs, killAfterMs, log }) {
  const ctx = { spawnServer, cpuNs, drainLoadMs, killAfterMs };
  const results = new Map();
  const push = (key, value) => results.set(key, [...(results.get(key) ?? []), value]);
  const idleClients = IDLE_CLIENTS.filter((client) => client.key !== 'idle-python' || hasPython());
  for (let rep = 0; rep < reps; rep += 1) {
    for (const client of LOAD_CLIENTS) {
      for (const handlerMs of handlersFor(client, handlers)) {
        for (const impl of shuffle([...impls])) {
          const r = await loadTrial(ctx, impl, client, handlerMs);
          push(`${client.key}@${handlerMs}|${impl.key}`, r);
          log(`http-drain: real clients ${rep + 1}/${reps} ${client.key} ${handlerMs} ms ${impl.key}: failed ${r.failed}, refused ${r.refused}, exit ${fmt(r.exitMs, 1)} ms (${r.status}), CPU ${fmt(r.cpuUs, 1)} µs/req`);
        }
      }
    }
    for (const client of idleClients) {
      for (const impl of shuffle([...impls])) {
        const r = await idleTrial(ctx, impl, client);
        push(`${client.key}|${impl.key}`, r);
        log(`http-drain: idle pool ${rep + 1}/${reps} ${client.key} ${impl.key}: exit ${fmt(r.exitMs, 1)} ms (${r.status})`);
      }
    }
  }
  return { results, idleClients };
}

/** The idle-socket case only with the fast handlers (< 100 ms): with a slow one every socket is busy at SIGTERM anyway. */
const handlersFor = (client, handlers) => (client.fastHandlersOnly ? handlers.filter((h) => h < 100) : handlers);

const stat = (values, digits = 0) => {
  const m = median(values);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? fmt(m, digits) : `${fmt(m, digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
};
const sum = (values) => values.reduce((a, b) => a + b, 0);

/** The two tables (header + rows): load cases, then idle pools. */
export function realClientTables({ impls, handlers, results, idleClients, killAfterMs }) {
  const loadHeader = [
    'client', 'handler', 'implementation', 'failed (accepted conns)', 'failure kinds (all reps)', 'answered after SIGTERM', 'refused',
    'SIGTERM→exit ms', 'server CPU µs/req under load', 'client wall µs/req under load',
  ];
  const loadRows = [];
  for (const client of LOAD_CLIENTS) {
    for (const handlerMs of handlersFor(client, handlers)) {
      for (const impl of impls) {
        const rs = results.get(`${client.key}@${handlerMs}|${impl.key}`);
        if (rs === undefined) continue;
        const kinds = {};
        for (const r of rs) for (const [k, v] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + v;
        const killed = rs.filter((r) => r.killed).length;
        loadRows.push([
          client.label, `${handlerMs} ms`, impl.label,
          `${stat(rs.map((r) => r.failed))} (Σ ${sum(rs.map((r) => r.failed))})`,
          Object.entries(kinds).map(([k, v]) => `${k} ${v}`).join(', ') || '—',
          stat(rs.map((r) => r.okAfter)),
          stat(rs.map((r) => r.refused)),
          stat(rs.map((r) => r.exitMs), 1) + (killed ? ` (${killed} killed at ${killAfterMs / 1000} s)` : ''),
          stat(rs.map((r) => r.cpuUs), 1),
          stat(rs.map((r) => r.wallUs), 1),
        ]);
      }
    }
  }
  const idleHeader = ['idle clients at SIGTERM', 'implementation', 'SIGTERM→exit ms'];
  const idleRows = [];
  for (const client of idleClients) {
    for (const impl of impls) {
      const rs = results.get(`${client.key}|${impl.key}`);
      if (rs === undefined) continue;
      const killed = rs.filter((r) => r.killed).length;
      idleRows.push([client.label, impl.label, stat(rs.map((r) => r.exitMs), 1) + (killed ? ` (${killed} killed at ${killAfterMs / 1000} s)` : '')]);
    }
  }
  return { loadHeader, loadRows, idleHeader, idleRows };
}

export const REAL_CLIENT_WORKERS = WORKERS;
export const REAL_IDLE = { IDLE_CONNECTIONS, PYTHON_PEERS, IDLE_MS };
