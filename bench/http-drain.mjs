// HTTP drain: one keep-alive server, one load, SIGTERM mid-run, for rxrun `serve$`, a bare-Node floor,
// naive `server.close()`, http-terminator, stoppable, @godaddy/terminus and close-with-grace (each with its
// defaults), in the same run. Per implementation: requests in flight at SIGTERM and their fate, requests sent
// after SIGTERM on reused keep-alive sockets and their fate, new connections during the drain (refused /
// accepted), failed requests on accepted connections, SIGTERM -> exit (ratio to the floor); then, without
// shutdown, autocannon throughput against each (ratio to a bare server), with the 200 ms handler and a 0 ms one.
//   node bench/http-drain.mjs [--reps=5] [--quick] [--conns=64] [--idle=16] [--handler=200] [--drain-load=1000]
//                             [--tput-reps=8] [--tput-seconds=1] [--only=floor,rxrun,...]
//                             [--dry (print only, RESULTS.md untouched)] [--verbose (every failed request)]
//                             [--real-reps=3 (0: skip the real-client rows)] [--real-only (those rows only; print only)]
// Server fixtures: bench/http-drain/*.cjs (shared handler in server.cjs); client: bench/http-drain/client.mjs.
// Real-client rows (undici Pool, http.Agent at 0 ms / 5 ms / --handler ms; idle pools): bench/http-drain/real-clients.mjs,
// with the drivers of bench/http-drain/clients.cjs (shared with spec/net/realClients).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { benchDir, fmt, markdownTable, median, option, printTable, repoDir, shuffle, stamp, updateSection, writeResults } from './lib/common.mjs';
import { startLoad } from './http-drain/client.mjs';
import { REAL_CLIENT_WORKERS, REAL_IDLE, realClientTables, runRealClients } from './http-drain/real-clients.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { BODY } = require('./http-drain/server.cjs');

const QUICK = process.argv.includes('--quick');
const DRY = process.argv.includes('--dry'); // print only, leave RESULTS.md alone
const VERBOSE = process.argv.includes('--verbose'); // print every failed request
const REPS = option('reps', QUICK ? 2 : 5);
const BUSY = option('conns', 64);
const IDLE = option('idle', 16);
const HANDLER_MS = option('handler', 200);
const DRAIN_LOAD_MS = option('drain-load', 1000);
const TPUT_REPS = option('tput-reps', QUICK ? 2 : 8);
const TPUT_SECONDS = option('tput-seconds', 1); // whole seconds: autocannon stops on its 1 s sampling tick
const TPUT_CONNS = 50;
const SLOW_SECONDS = 2;
const WARMUP_MS = 800;
const KILL_AFTER_MS = 15_000;
if (!(HANDLER_MS >= 1)) throw new RangeError('http-drain: --handler must be at least 1 ms (the 0 ms handler is always measured for throughput)');
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7).split(',');

const rxrunServe = (() => {
  try {
    return typeof require(repoDir).serve$ === 'function';
  } catch {
    return false;
  }
})();

const IMPLS = [
  { key: 'floor', label: 'bare-Node floor', file: 'floor.cjs' },
  { key: 'rxrun', label: 'rxrun serve$', file: 'rxrun.cjs', skip: !rxrunServe && 'dist/ has no serve$ (run `npm run build`)' },
  { key: 'rxrun-at-once', label: 'rxrun serve$ idleGrace 0', file: 'rxrun-at-once.cjs', skip: !rxrunServe && 'dist/ has no serve$ (run `npm run build`)' },
  { key: 'naive', label: 'naive server.close()', file: 'naive.cjs' },
  { key: 'http-terminator', label: 'http-terminator 3.2', file: 'http-terminator.cjs' },
  { key: 'stoppable', label: 'stoppable 1.1', file: 'stoppable.cjs' },
  { key: 'terminus', label: '@godaddy/terminus 4.12', file: 'terminus.cjs' },
  { key: 'close-with-grace', label: 'close-with-grace 2.5', file: 'close-with-grace.cjs' },
].filter((impl) => !ONLY || ONLY.includes(impl.key));
const active = IMPLS.filter((impl) => !impl.skip);
const BARE = { key: 'bare', label: 'bare server (no shutdown code)', file: 'bare.cjs' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const msSince = (from, to = process.hrtime.bigint()) => Number(to - from) / 1e6;

/** Spawns a fixture; resolves once it printed `LISTENING <port>`. `exit` resolves with { at, status }. */
function spawnServer(file, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(benchDir, 'http-drain', file)], {
      cwd: repoDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const accepted = new Set();
    let out = '';
    let err = '';
    let port;
    let stdoutDone;
    const stdoutClosed = new Promise((done) => (stdoutDone = done));
    const exit = new Promise((done) => {
      child.on('exit', (code, signal) => done({ at: process.hrtime.bigint(), status: signal ?? code }));
    });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      let newline;
      while ((newline = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, newline);
        out = out.slice(newline + 1);
        if (line.startsWith('A ')) accepted.add(Number(line.slice(2)));
        else if (line.startsWith('LISTENING ') && port === undefined) {
          port = Number(line.slice(10));
          resolve({ child, port, accepted, exit, stdoutClosed, stderr: () => err });
        }
      }
    });
    child.stdout.on('close', () => stdoutDone());
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    exit.then(({ status }) => {
      if (port === undefined) reject(new Error(`${file} exited (${status}) before listening: ${err.slice(-2000)}`));
    });
  });
}

/** One drain trial: load, SIGTERM once the pool is saturated, load continues through the drain. */
async function drainTrial(impl, idle = IDLE) {
  const server = await spawnServer(impl.file, { TRACE: '1', HANDLER_MS: String(HANDLER_MS) });
  const load = startLoad({ port: server.port, busy: BUSY, idle, backoffMs: Math.max(HANDLER_MS, 50), spreadMs: Math.max(HANDLER_MS, 1), expectedBody: BODY });
  await sleep(WARMUP_MS);
  const saturated = Math.min(50, Math.floor(BUSY * 0.8));
  for (let waited = 0; load.inFlight() < saturated && waited < 2000; waited += 1) await sleep(1);

  const inFlightAtSigterm = load.inFlight();
  for (const request of load.outstanding) request.atSigterm = true;
  const sigtermAt = process.hrtime.bigint();
  load.state.sigtermAt = sigtermAt;
  server.child.kill('SIGTERM');

  const killer = setTimeout(() => server.child.kill('SIGKILL'), KILL_AFTER_MS);
  const stopper = setTimeout(() => load.stop(), DRAIN_LOAD_MS);
  const { at: exitAt, status } = await server.exit;
  clearTimeout(killer);
  clearTimeout(stopper);
  load.stop();
  await server.stdoutClosed;
  await load.settled(2000);
  load.destroy();
  const exitMs = msSince(sigtermAt, exitAt);
  return classify(load, server, { impl, sigtermAt, exitAt, inFlightAtSigterm, exitMs, status, killed: status === 'SIGKILL' });
}

function classify(load, server, base) {
  const accepted = (connection) => connection.localPort !== undefined && server.accepted.has(connection.localPort);
  const failed = (r) => r.outcome !== 'ok';
  const onAccepted = load.requests.filter((r) => accepted(r.connection));
  const failures = onAccepted.filter(failed);
  const byOutcome = {};
  for (const r of failures) byOutcome[r.outcome] = (byOutcome[r.outcome] ?? 0) + 1;
  if (VERBOSE) {
    const rel = (t) => (t === undefined ? '-' : `${fmt(msSince(base.sigtermAt, t), 3)} ms`);
    for (const r of failures) {
      process.stderr.write(
        `  ${base.impl.key}: ${r.outcome} (${r.detail}) ${r.kind} conn #${r.connection.id} seq ${r.seq}${r.atSigterm ? ' in-flight-at-SIGTERM' : ''}; conn opened ${rel(r.connection.startedAt)}, written ${rel(r.writtenAt)}, failed ${rel(r.doneAt)}, bytes ${r.received}\n`,
      );
    }
  }
  const inFlight = load.requests.filter((r) => r.atSigterm);
  const reused = load.requests.filter((r) => r.afterSigterm && r.seq > 0);
  const newConns = load.connections.filter((c) => c.afterSigterm);
  const newAccepted = newConns.filter(accepted);
  const newReqs = load.requests.filter((r) => r.connection.afterSigterm && accepted(r.connection));
  const notAccepted = load.connections.filter((c) => !c.refused && c.localPort !== undefined && !accepted(c));
  let lastOk = base.sigtermAt;
  for (const r of load.requests) if (r.outcome === 'ok' && r.doneAt > lastOk) lastOk = r.doneAt;
  return {
    ...base,
    lastOkToExitMs: msSince(lastOk, base.exitAt),
    inFlightOk: inFlight.filter((r) => r.outcome === 'ok').length,
    inFlightFailed: inFlight.filter(failed).length,
    afterSigterm: load.requests.filter((r) => r.afterSigterm).length,
    afterSigtermOk: load.requests.filter((r) => r.afterSigterm && r.outcome === 'ok').length,
    reusedSent: reused.length,
    reusedOk: reused.filter((r) => r.outcome === 'ok').length,
    reusedFailed: reused.filter(failed).length,
    newConns: newConns.length,
    newAccepted: newAccepted.length,
    newReqs: newReqs.length,
    newReqsFailed: newReqs.filter(failed).length,
    refused: load.connections.filter((c) => c.refused).length,
    notAccepted: notAccepted.length,
    notAcceptedRequests: load.requests.filter((r) => notAccepted.includes(r.connection)).length,
    failed: failures.length,
    failedBeforeSigterm: failures.filter((r) => !r.atSigterm && !r.afterSigterm).length,
    byOutcome,
    total: load.requests.length,
  };
}

/** CPU time (ns) a process has used so far, summed over its threads (Linux schedstat); NaN elsewhere. */
function cpuNs(pid) {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return total;
  } catch {
    return NaN;
  }
}

/**
 * Throughput without shutdown, for one handler delay: every server runs at once (idle ones cost nothing),
 * each gets a 1 s autocannon warm-up (0 ms handler only), then `rounds` rounds hit each one for TPUT_SECONDS in a random order.
 * Each sample keeps its round, so ratios to the bare server can be taken within a round (the machine's
 * background load drifts between rounds more than within one).
 */
async function throughput(impls, handlerMs, rounds) {
  const servers = new Map();
  for (const impl of impls) servers.set(impl.key, await spawnServer(impl.file, { HANDLER_MS: String(handlerMs) }));
  const samples = new Map(impls.map((impl) => [impl.key, []]));
  const seconds = handlerMs >= 100 ? SLOW_SECONDS : TPUT_SECONDS; // whole handler periods dominate a short run
  const hit = (impl, duration) => autocannon({ url: `http://127.0.0.1:${servers.get(impl.key).port}/`, connections: TPUT_CONNS, duration });
  try {
    if (handlerMs < 100) for (const impl of impls) await hit(impl, 1); // JIT warm-up; the slow handler is latency-bound
    for (let round = 0; round < rounds; round += 1) {
      for (const impl of shuffle([...impls])) {
        const pid = servers.get(impl.key).child.pid;
        const cpuBefore = cpuNs(pid);
        const result = await hit(impl, seconds);
        const cpuUs = (cpuNs(pid) - cpuBefore) / 1000 / result.requests.total;
        samples.get(impl.key).push({ round, rps: result.requests.total / result.duration, cpuUs, bad: result.non2xx + result.errors + result.timeouts });
      }
      process.stderr.write(`http-drain: throughput (${handlerMs} ms handler) round ${round + 1}/${rounds}\n`);
    }
  } finally {
    for (const server of servers.values()) server.child.kill('SIGKILL');
    await Promise.all([...servers.values()].map((server) => server.exit));
  }
  return samples;
}

const started = Date.now();

// ---- real clients: undici Pool and http.Agent at 0 ms, 5 ms and HANDLER_MS, then idle pools; every implementation in each round ----
const REAL_ONLY = process.argv.includes('--real-only');
const REAL_REPS = option('real-reps', QUICK ? 1 : 3);
const REAL_HANDLERS = [...new Set([0, 5, HANDLER_MS])];
const real = REAL_REPS > 0
  ? await runRealClients({
    impls: active, reps: REAL_REPS, handlers: REAL_HANDLERS, spawnServer, cpuNs, drainLoadMs: DRAIN_LOAD_MS, killAfterMs: KILL_AFTER_MS,
    log: (line) => process.stderr.write(`${line}\n`),
  })
  : undefined;
const realTables = real && realClientTables({ impls: active, handlers: REAL_HANDLERS, results: real.results, idleClients: real.idleClients, killAfterMs: KILL_AFTER_MS });
const printRealTables = () => {
  if (!realTables) return;
  console.log('\nDrain under real clients (median (min–max) over rounds):');
  printTable(realTables.loadHeader, realTables.loadRows);
  console.log('\nIdle pooled connections at SIGTERM:');
  printTable(realTables.idleHeader, realTables.idleRows);
};
if (REAL_ONLY) {
  printRealTables();
  process.exit(0);
}
const drain = new Map(active.map((impl) => [impl.key, []]));
for (let rep = 0; rep < REPS; rep += 1) {
  for (const impl of shuffle([...active])) {
    const result = await drainTrial(impl);
    drain.get(impl.key).push(result);
    process.stderr.write(
      `http-drain: drain ${rep + 1}/${REPS} ${impl.key}: in flight ${result.inFlightAtSigterm}, failed ${result.failed}, refused ${result.refused}, exit ${fmt(result.exitMs, 1)} ms (${result.status})\n`,
    );
  }
}
// The same drain without the sporadic connections (busy ones only), for the floor and rxrun: separates what idle
// keep-alive sockets cost a drain from the rest.
const BUSY_ONLY = IDLE > 0 ? active.filter((impl) => impl.key === 'floor' || impl.key === 'rxrun' || impl.key === 'rxrun-at-once') : [];
const busyOnly = new Map(BUSY_ONLY.map((impl) => [impl.key, []]));
for (let rep = 0; rep < (BUSY_ONLY.length > 0 ? REPS : 0); rep += 1) {
  for (const impl of shuffle([...BUSY_ONLY])) {
    const result = await drainTrial(impl, 0);
    busyOnly.get(impl.key).push(result);
    process.stderr.write(`http-drain: busy-only drain ${rep + 1}/${REPS} ${impl.key}: failed ${result.failed}, exit ${fmt(result.exitMs, 1)} ms\n`);
  }
}

const tputImpls = [BARE, ...active];
const HANDLERS = [0, HANDLER_MS];
const tput = new Map();
for (const h of HANDLERS) {
  // The slow handler is latency-bound (≈ connections / delay for everyone): one round shows it.
  const samples = await throughput(tputImpls, h, h === HANDLER_MS ? 1 : TPUT_REPS);
  for (const [key, values] of samples) tput.set(`${key}@${h}`, values);
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);

// ---- report ----
const stat = (values, digits = 0) => {
  const m = median(values);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? fmt(m, digits) : `${fmt(m, digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
};
const sum = (values) => values.reduce((a, b) => a + b, 0);
const floorExit = drain.has('floor') ? median(drain.get('floor').map((r) => r.exitMs)) : NaN;
/** Median over rounds of (impl req/s / bare req/s in the same round). */
const tputRatio = (key, h) => {
  const bare = tput.get(`bare@${h}`);
  return median(tput.get(`${key}@${h}`).map((r) => r.rps / bare.find((b) => b.round === r.round).rps));
};
/** Bare server's median CPU µs per request ÷ the implementation's: the throughput ratio a CPU-bound server would see. */
const cpuRatio = (key, h) => median(tput.get(`bare@${h}`).map((r) => r.cpuUs)) / median(tput.get(`${key}@${h}`).map((r) => r.cpuUs));

const drainHeader = [
  'implementation', 'in flight at SIGTERM', '→ 200', 'sent after SIGTERM on reused sockets', '→ 200', 'new conns after SIGTERM: accepted / refused',
  'failed (accepted conns)', 'failure kinds (all reps)', 'SIGTERM→exit ms', 'ratio to floor', 'last 200 → exit ms',
];
const drainRows = IMPLS.map((impl) => {
  if (impl.skip) return [impl.label, `not run: ${impl.skip}`, '', '', '', '', '', '', '', '', ''];
  const rs = drain.get(impl.key);
  const kinds = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.byOutcome)) kinds[k] = (kinds[k] ?? 0) + v;
  const kindText = Object.entries(kinds).map(([k, v]) => `${k} ${v}`).join(', ') || '—';
  const exitMs = median(rs.map((r) => r.exitMs));
  const killed = rs.filter((r) => r.killed).length;
  return [
    impl.label,
    stat(rs.map((r) => r.inFlightAtSigterm)),
    stat(rs.map((r) => r.inFlightOk)),
    stat(rs.map((r) => r.reusedSent)),
    stat(rs.map((r) => r.reusedOk)),
    `${stat(rs.map((r) => r.newAccepted))} / ${stat(rs.map((r) => r.refused + r.notAccepted))}`,
    `${stat(rs.map((r) => r.failed))} (Σ ${sum(rs.map((r) => r.failed))})`,
    kindText,
    stat(rs.map((r) => r.exitMs), 1) + (killed ? ` (${killed} killed at ${KILL_AFTER_MS / 1000} s)` : ''),
    impl.key === 'floor' ? '1.00× (reference)' : `${fmt(exitMs / floorExit)}×`,
    stat(rs.map((r) => r.lastOkToExitMs), 1),
  ];
});

const busyOnlyHeader = ['implementation', 'in flight at SIGTERM', '→ 200', 'failed (accepted conns)', 'SIGTERM→exit ms', 'ratio to floor', 'last 200 → exit ms'];
const busyFloor = busyOnly.has('floor') ? median(busyOnly.get('floor').map((r) => r.exitMs)) : NaN;
const busyOnlyRows = BUSY_ONLY.map((impl) => {
  const rs = busyOnly.get(impl.key);
  return [
    impl.label,
    stat(rs.map((r) => r.inFlightAtSigterm)),
    stat(rs.map((r) => r.inFlightOk)),
    `${stat(rs.map((r) => r.failed))} (Σ ${sum(rs.map((r) => r.failed))})`,
    stat(rs.map((r) => r.exitMs), 1),
    impl.key === 'floor' ? '1.00× (reference)' : `${fmt(median(rs.map((r) => r.exitMs)) / busyFloor)}×`,
    stat(rs.map((r) => r.lastOkToExitMs), 1),
  ];
});

const tputHeader = [
  'implementation', 'req/s, 0 ms handler', 'ratio to bare', 'server CPU µs/req', 'CPU ratio (bare ÷ impl)', `req/s, ${HANDLER_MS} ms handler`, 'ratio to bare',
];
const tputRows = [BARE, ...IMPLS].map((impl) => {
  if (impl.skip) return [impl.label, 'not run', '', '', '', 'not run', ''];
  return [
    impl.label,
    ...HANDLERS.flatMap((h) => {
      const rs = tput.get(`${impl.key}@${h}`);
      const rps = rs.map((r) => r.rps);
      const bad = sum(rs.map((r) => r.bad));
      const reference = impl.key === 'bare';
      return [
        stat(rps) + (bad ? ` (${bad} errors)` : ''),
        reference ? '1.00× (reference)' : `${fmt(tputRatio(impl.key, h), 3)}×`,
        // CPU per request only means something when the server is CPU-bound (the 0 ms handler).
        ...(h === 0 ? [stat(rs.map((r) => r.cpuUs), 1), reference ? '1.00× (reference)' : `${fmt(cpuRatio(impl.key, h), 3)}×`] : []),
      ];
    }),
  ];
});

console.log('\nDrain (median (min–max) over reps):');
printTable(drainHeader, drainRows);
if (BUSY_ONLY.length > 0) {
  console.log('\nDrain, busy connections only:');
  printTable(busyOnlyHeader, busyOnlyRows);
}
console.log('\nThroughput without shutdown:');
printTable(tputHeader, tputRows);

const goals = [];
for (const impl of IMPLS.filter((i) => !i.skip)) {
  const rs = drain.get(impl.key);
  const failedTotal = sum(rs.map((r) => r.failed));
  const exitRatio = median(rs.map((r) => r.exitMs)) / floorExit;
  const fast = tputRatio(impl.key, 0);
  const slow = tputRatio(impl.key, HANDLER_MS);
  const cpuFast = cpuRatio(impl.key, 0);
  goals.push([
    impl.label,
    `${failedTotal} ${failedTotal === 0 ? 'met' : '**missed**'}`,
    impl.key === 'floor' ? '(reference)' : `${fmt(exitRatio)}× ${exitRatio <= 1.05 ? 'met' : '**missed**'}`,
    `${fmt(fast, 3)}× ${fast >= 0.97 ? 'met' : '**missed**'} / ${fmt(slow, 3)}× ${slow >= 0.97 ? 'met' : '**missed**'}`,
    `${fmt(cpuFast, 3)}× ${cpuFast >= 0.97 ? 'met' : '**missed**'}`,
  ]);
}
const goalHeader = ['implementation', `zero failed requests on accepted connections (Σ over ${REPS} reps)`, 'SIGTERM→exit ≤ 1.05× floor', `throughput ≥ 0.97× bare (0 ms / ${HANDLER_MS} ms handler)`, 'CPU per request, bare ÷ impl ≥ 0.97 (0 ms handler)'];
console.log('\nGoals:');
printTable(goalHeader, goals);
printRealTables();

/** What the rxrun row shows, in words (depends on the figures of this run). */
function rxrunNote() {
  if (!drain.has('rxrun')) return '- *rxrun serve$*: not measured in this run.';
  const rs = drain.get('rxrun');
  const failed = sum(rs.map((r) => r.failed));
  const ratio = median(rs.map((r) => r.exitMs)) / floorExit;
  const reused = sum(rs.map((r) => r.reusedSent));
  const reusedOk = sum(rs.map((r) => r.reusedOk));
  const accepted = sum(rs.map((r) => r.newAccepted));
  const lines = [
    `- *rxrun serve$*: ${failed === 0 ? 'no failed request' : `${failed} failed request(s)`} on accepted connections over ${REPS} reps; ` +
      `${reusedOk} of ${reused} requests sent after SIGTERM on reused keep-alive sockets were served; ` +
      `${accepted === 0 ? 'every new connection after SIGTERM was refused' : `${accepted} new connection(s) after SIGTERM were accepted`}.`,
  ];
  if (ratio > 1.05 && IDLE > 0) {
    const busyRatio = busyOnly.has('rxrun') ? median(busyOnly.get('rxrun').map((r) => r.exitMs)) / busyFloor : NaN;
    lines.push(
      '  Its drain is longer than the floor\'s here because serve$ by default keeps a client\'s idle keep-alive sockets open until that',
      '  client has been quiet for `idleGrace` (500 ms), answering what arrives on them with `Connection: close`: no close race, but each',
      `  sporadic connection sends one more request during the drain (think time up to 400 ms + the ${HANDLER_MS} ms handler), and the`,
      `  last of them waits out the grace. With busy connections only, its SIGTERM→exit is ${fmt(busyRatio)}× the floor's (table above).`,
      '  `idleGrace: 0` (the row below it) makes the floor\'s trade-off instead: FIN to idle sockets one loop turn after the',
      '  drain began, so the drain ends with the requests in flight at SIGTERM, at the price of the close race.',
    );
  }
  if (drain.has('rxrun-at-once')) {
    const ao = drain.get('rxrun-at-once');
    lines.push(
      `- *rxrun serve$ \`idleGrace: 0\`*: ${sum(ao.map((r) => r.failed))} failed request(s) over ${REPS} reps; SIGTERM→exit ` +
        `${fmt(median(ao.map((r) => r.exitMs)) / floorExit)}× the floor's.`,
    );
  }
  return lines.join('\n');
}

const command = `node bench/http-drain.mjs --reps=${REPS} --conns=${BUSY} --idle=${IDLE} --handler=${HANDLER_MS} --drain-load=${DRAIN_LOAD_MS} --tput-reps=${TPUT_REPS} --tput-seconds=${TPUT_SECONDS} --real-reps=${REAL_REPS}${ONLY ? ` --only=${ONLY.join(',')}` : ''}`;
const trialRow = (impl, r, rep) => ({
  impl: impl.key, label: impl.label, rep, inFlightAtSigterm: r.inFlightAtSigterm, failed: r.failed, refused: r.refused,
  exitMs: Number(r.exitMs.toFixed(3)), killed: Boolean(r.killed), failureKinds: r.byOutcome,
});
if (!DRY) writeResults('http-drain', command, {
  reps: REPS, busyConns: BUSY, idleConns: IDLE, handlerMs: HANDLER_MS,
  // One row per drain trial (the raw-client load with idle keep-alive sockets), then the busy-connections-only trials.
  drain: active.flatMap((impl) => drain.get(impl.key).map((r, i) => trialRow(impl, r, i + 1))),
  busyOnly: BUSY_ONLY.flatMap((impl) => busyOnly.get(impl.key).map((r, i) => trialRow(impl, r, i + 1))),
});
if (!DRY) updateSection('http-drain', `
## HTTP drain (SIGTERM under keep-alive load)

Command: \`${command}\` (took ${seconds} s).
${stamp()}

**Setup.** Every server (\`bench/http-drain/<impl>.cjs\`) is the same \`http.createServer\` (shared handler in
\`bench/http-drain/server.cjs\`: wait ${HANDLER_MS} ms, then a 27-byte 200 with \`Content-Length\`; Node defaults, so keep-alive on,
\`keepAliveTimeout\` 5 s) on 127.0.0.1, port 0, in its own child process, with each library's defaults: rxrun
\`runApp(() => serve$(server, { port: 0, host: '127.0.0.1' }), { logger: false })\`; the **floor** (one loop turn after SIGTERM, so requests already in
the socket buffers are read first: \`server.close()\`, which on Node 20 also closes idle sockets; \`Connection: close\` on every
response not yet started; \`process.exit\` right after the last response's \`close\`); **naive** \`server.close(() => process.exit(0))\`; **http-terminator** \`terminate()\` then \`process.exit(0)\`
(\`gracefulTerminationTimeout\` default: 1000 ms in its code, its README says 5000); **stoppable** \`server.stop(() => process.exit(0))\`
(default grace: Infinity); **terminus** \`createTerminus(server, {})\` (stoppable with \`timeout\` 1000 ms, then re-raises SIGTERM);
**close-with-grace** with \`server.close()\` in its callback (default \`delay\` 10 s; it calls \`process.exit(0)\` afterwards).

**Load** (\`bench/http-drain/client.mjs\`, raw \`net\`, HTTP/1.1, one request at a time per socket, no pipelining, **no retries**):
${BUSY} busy keep-alive connections (next request one event-loop turn after the previous response) plus ${IDLE} sporadic ones
(100–400 ms think time, so idle keep-alive sockets exist at SIGTERM, as in a proxy's upstream pool). A socket is reused unless
the response said \`Connection: close\` or the server closed it first. After a refused or failed connection a slot waits
${Math.max(HANDLER_MS, 50)} ms, then opens a new connection. SIGTERM goes out ${WARMUP_MS} ms into the run once ≥ ${Math.min(50, Math.floor(BUSY * 0.8))} requests are in flight;
the load keeps going through the drain (reused sockets, new connections) until the child exits or ${DRAIN_LOAD_MS} ms after SIGTERM;
after that the client sends nothing new but keeps its idle keep-alive sockets open (as a pool would). SIGTERM→exit is
\`process.hrtime.bigint()\` at \`kill()\` to the child's \`exit\` event; a child still alive ${KILL_AFTER_MS / 1000} s after SIGTERM is SIGKILLed.
${REPS} reps, implementations in a fresh random order per rep.

**Definitions.** Each server prints the remote port of every connection its process accepted, so the client knows which of
its connections the server accepted. *Failed* = a request written on a connection the server accepted that did not get a
complete 200 (reset = ECONNRESET/EPIPE; eof = the server closed the socket before any response byte, "socket hang up";
truncated; non-200; hung = no answer 2 s after the child exited). *Refused* (counted apart, expected once the listener is
closed) = ECONNREFUSED, plus connections the kernel completed but the server process never accepted (reset from the backlog when
the listener closed). *In flight at SIGTERM* = written, response not complete, when SIGTERM was sent. *Sent after SIGTERM on
reused sockets* = written after SIGTERM on a connection that already carried a request.

Drain, median (min–max) over ${REPS} reps:

${markdownTable(drainHeader, drainRows)}
${BUSY_ONLY.length > 0 ? `
The same drain with the ${BUSY} busy connections only (\`--idle=0\`; no idle keep-alive socket at SIGTERM), floor and rxrun, ${REPS} reps:

${markdownTable(busyOnlyHeader, busyOnlyRows)}
` : ''}
Throughput without shutdown (autocannon 8, ${TPUT_CONNS} keep-alive connections, no SIGTERM): all servers run at once, each gets a 1 s
warm-up (0 ms handler), then each round hits every server for ${TPUT_SECONDS} s in a fresh random order; ${TPUT_REPS} rounds with the 0 ms handler (shows
per-request overhead), 1 round of ${SLOW_SECONDS} s with the ${HANDLER_MS} ms handler (latency-bound at ≈ ${TPUT_CONNS}/${HANDLER_MS / 1000} s for everyone).
Median (min–max) req/s over rounds; ratio = median over rounds of (req/s ÷ the bare server's req/s in the same round).
Server CPU µs/req = the server process's CPU time during the sample (sum of its threads' \`/proc/<pid>/task/*/schedstat\`) ÷ requests
completed: unlike req/s it does not move with whatever else the machine runs, so its ratio (bare ÷ impl) is the steadier estimate
of the throughput a CPU-bound server loses to the implementation's per-request work (other helpers' test runs shared this 2-core
machine during the measurement: see the load average above).

${markdownTable(tputHeader, tputRows)}

Goals from the issue (rxrun's targets; the libraries are shown against the same bars). On this shared machine req/s ratios
move by several per cent between runs even for servers that run the same per-request code (bare, naive, close-with-grace);
the CPU-per-request ratio is steadier but still moves by about ±4% between runs for those (0.96–1.01 in the runs made
while writing this benchmark), so a single run cannot settle a 0.97 bar for implementations within a few per cent of it.


${markdownTable(goalHeader, goals)}

**What the failures are** (mechanisms read from each library's code and confirmed by per-request traces, \`--verbose\`):

- *stoppable* and *terminus* (terminus drains with stoppable, \`timeout\` 1000 ms): responses never get \`Connection: close\`;
  stoppable ends (FIN) each socket right after its in-flight response, so a client that reuses the connection at once — it was
  told keep-alive — has its next request dropped: about one failed request (eof, "socket hang up") per busy connection. Their
  exit is prompt because every socket is closed after its response (the 1 s grace is not reached); terminus then re-raises SIGTERM.
- *http-terminator*: in-flight responses get \`Connection: close\` and idle sockets are destroyed, but the listener stays open
  until every socket is gone (\`server.close()\` only after its 10 ms-interval poll), and every connection accepted meanwhile is
  destroyed on \`'connection'\`: new connections during the drain are accepted, then reset (reset / eof) instead of refused.
- *naive \`server.close()\`* and *close-with-grace* (whose callback here is \`server.close()\`): Node 20's \`close()\` stops
  listening and closes the sockets idle at that instant, but later responses still say keep-alive, so the pool keeps using its
  connections (everything sent after SIGTERM on them is served) and the process exits only after the load stops and
  \`keepAliveTimeout\` (5 s) passed since the last response: ≈ ${DRAIN_LOAD_MS} ms of continued load + 5 s (close-with-grace's 10 s
  \`delay\` is not reached).
- *floor*: the failures it has (if any) are the HTTP/1.1 keep-alive close race: a request written on a reused socket (its
  previous response had no \`Connection: close\` because the drain had not begun yet) is in flight when the server closes that
  socket as idle. Closing idle sockets at once cannot rule it out (RFC 9112 §9.3.1 leaves the retry to the client); it grows
  when the server is slow to act on SIGTERM (a loaded machine).
${rxrunNote()}

SIGTERM→exit is dominated by the ${HANDLER_MS} ms handler (the last in-flight request finishes up to ${HANDLER_MS} ms after SIGTERM);
"last 200 → exit" (client-side receipt of the last complete 200 to the child's \`exit\`) is each implementation's own cost.
${realTables ? `
### Real pooled clients

The same servers under real pooled keep-alive clients (\`bench/http-drain/clients.cjs\`, shared with the real-client specs in
\`spec/net/realClients\`): ${REAL_CLIENT_WORKERS} closed loops (half GET, half POST with a 2 KiB body) through an undici \`Pool\`
(${REAL_CLIENT_WORKERS} connections) or a node \`http.Agent({ keepAlive: true, maxSockets: ${REAL_CLIENT_WORKERS} })\`, with the
${REAL_HANDLERS.join(' / ')} ms handler (0 ms answers synchronously); with the fast handlers also the same agent driven by 8 loops
after ${REAL_CLIENT_WORKERS} concurrent warm-up requests, for 1 s before SIGTERM (its 'lifo' scheduling leaves 12 sockets idle, taken
once the busy ones close). The server's CPU per request (schedstat, as above) and the
client's wall time per request (elapsed ÷ answers, one request in flight per loop) are measured under load before SIGTERM;
SIGTERM then goes out once every loop has a request out, and the loops go on until the child exits or ${DRAIN_LOAD_MS} ms
after SIGTERM (then the client keeps its idle pool open, sending nothing). *Failed* = a request written on a connection
the server process accepted that got no complete 200 (undici "other side closed", \`ECONNRESET\` "socket hang up" on a reused
socket, …); *refused* = \`ECONNREFUSED\` or a connection the process never accepted (allowed). No client retries.
${REAL_REPS} round(s); in each, every case runs every implementation in a fresh random order.

${markdownTable(realTables.loadHeader, realTables.loadRows)}

Idle pooled connections at SIGTERM (0 ms handler): ${REAL_IDLE.IDLE_CONNECTIONS} undici \`Pool\` connections that carried one
request each, or ${REAL_IDLE.PYTHON_PEERS} Python \`http.client\` connections (\`bench/http-drain/idle-peer.py\`) that carried one
request each and then never read again, so they ignore the server's FIN; idle ${REAL_IDLE.IDLE_MS} ms, then SIGTERM → the child's exit:

${markdownTable(realTables.idleHeader, realTables.idleRows)}
` : ''}`);
