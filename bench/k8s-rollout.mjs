// Kubernetes rollout, simulated end to end (not CI): this script plays the kubelet and the Service for the
// two-pod Deployment of demos/kubernetes and rolls it under load, for the rxrun demo as the manifest runs it and,
// in the same run and interleaved, for pods that do less: the demo with DRAIN_DELAY=0, a naive server that dies
// on SIGTERM, and that naive server behind a preStop sleep. Per implementation: failed requests (GET and POST),
// rollout time, old pod deletion → exit, server CPU per request.
//
// Needs nginx-light (the Service):   apt-get install -y nginx-light   (the script checks for /usr/sbin/nginx)
// and a build of rxrun (the pods load dist/ through `require('rxrun')`):   npm run build
//
//   node bench/k8s-rollout.mjs [--rollouts=3] [--propagation=1500] [--workers=8] [--pause=10] [--keepalive=16]
//                              [--steady=1500] [--only=rxrun,rxrun-no-delay,naive,naive-prestop] [--dry] [--verbose]
//   node bench/k8s-rollout.mjs --check   (exit 1 unless bench/results/k8s-rollout.json used deployment.yaml's current numbers)
//
// Every number the simulation plays comes from demos/kubernetes/deployment.yaml (bench/k8s-rollout/manifest.cjs):
// replicas, maxSurge / maxUnavailable, the startup and readiness probes (path, periodSeconds, timeoutSeconds,
// thresholds), terminationGracePeriodSeconds, the preStop sleep (none), the container's command and env
// (DRAIN_DELAY, SHUTDOWN_TIMEOUT; PORT, PROBE_PORT and HOST are replaced: every pod runs on 127.0.0.1 with
// ports of its own). The run records those numbers in bench/results/k8s-rollout.json; `--check` (and
// spec/demos/kubernetes.spec.ts) fail when the manifest no longer matches them. What is not in a manifest:
// the endpoint propagation delay (--propagation, ms from a pod's deletion or readiness change until nginx
// routes accordingly: EndpointSlice controller + kube-proxy) and the load.
//
// Helpers: bench/k8s-rollout/{manifest.cjs, kubelet.mjs, service.mjs, rollout.mjs, load.mjs, naive-pod.cjs}.
// Only 127.0.0.1; every process started here (pods, nginx) is killed at the end, on failure and on Ctrl-C too.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { benchDir, fmt, markdownTable, median, option, printTable, repoDir, shuffle, stamp, updateSection } from './lib/common.mjs';
import { startPod } from './k8s-rollout/kubelet.mjs';
import { startLoad } from './k8s-rollout/load.mjs';
import { rollingUpdate } from './k8s-rollout/rollout.mjs';
import { NGINX, startService } from './k8s-rollout/service.mjs';

const require = createRequire(import.meta.url);
const { MANIFEST, readManifest, manifestDiff } = require('./k8s-rollout/manifest.cjs');

const RESULTS_JSON = path.join(benchDir, 'results', 'k8s-rollout.json');
const manifestSha = () => createHash('sha256').update(readFileSync(MANIFEST)).digest('hex');

if (process.argv.includes('--check')) {
  if (!existsSync(RESULTS_JSON)) {
    console.error(`k8s-rollout --check: ${path.relative(repoDir, RESULTS_JSON)} is missing: run node bench/k8s-rollout.mjs`);
    process.exit(1);
  }
  const diff = manifestDiff(JSON.parse(readFileSync(RESULTS_JSON, 'utf8')).manifest, readManifest());
  if (diff.length > 0) {
    console.error(`k8s-rollout --check: deployment.yaml differs from the numbers the last run used; run node bench/k8s-rollout.mjs again:\n  ${diff.join('\n  ')}`);
    process.exit(1);
  }
  console.log('k8s-rollout --check: bench/results/k8s-rollout.json was measured with deployment.yaml\'s current numbers');
  process.exit(0);
}

const DRY = process.argv.includes('--dry');
const VERBOSE = process.argv.includes('--verbose');
const ROLLOUTS = option('rollouts', 3);
const PROPAGATION_MS = option('propagation', 1500);
const WORKERS = option('workers', 8);
const PAUSE_MS = option('pause', 10);
const KEEPALIVE = option('keepalive', 16);
const STEADY_MS = option('steady', 1500);
const WARM_MS = 500;
const TAIL_MS = 1000; // load keeps running this long after the last old pod exited
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7).split(',');
for (const [name, value, min] of [['rollouts', ROLLOUTS, 1], ['propagation', PROPAGATION_MS, 0], ['workers', WORKERS, 1], ['pause', PAUSE_MS, 0], ['keepalive', KEEPALIVE, 0], ['steady', STEADY_MS, 100]]) {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`k8s-rollout: --${name} must be a whole number >= ${min}, got ${value}`);
}

if (!existsSync(NGINX)) {
  console.error(`k8s-rollout: ${NGINX} is missing. Install nginx-light (Debian/Ubuntu): apt-get install -y nginx-light`);
  process.exit(1);
}
const distIndex = path.join(repoDir, 'dist', 'cjs', 'index.js');
if (!existsSync(distIndex)) {
  console.error('k8s-rollout: dist/ is missing; run `npm run build` first (the pods load rxrun from dist/)');
  process.exit(1);
}

const manifest = readManifest();
const { env: manifestEnv } = manifest;
for (const name of ['PORT', 'PROBE_PORT', 'HOST', 'DRAIN_DELAY']) {
  if (manifestEnv[name] === undefined) throw new Error(`deployment.yaml: the container has no env ${name}; the simulation needs it`);
}
if (manifest.readinessProbe.port !== Number(manifestEnv.PROBE_PORT)) throw new Error('deployment.yaml: the readinessProbe port is not PROBE_PORT');
const drainDelayMs = Number(manifestEnv.DRAIN_DELAY);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();
const log = (line) => process.stderr.write(`k8s-rollout: ${line}\n`);
const debug = VERBOSE ? log : () => {};

// ---- every process started here ends with this script, and its temporary folder goes ----
const work = mkdtempSync(path.join(os.tmpdir(), 'rxrun-k8s-rollout-')); // the image, nginx's prefix
const pids = new Set(); // pods by pid, nginx by -pid (its process group)
let cleanedUp = false;
function killEverything() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  pids.clear();
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: killing the pods and nginx`);
    killEverything();
    process.exit(128 + os.constants.signals[signal]);
  });
}

// ---- the image: main.ts compiled with the Dockerfile's tsc line, next to node_modules/{rxrun,rxjs} ----
function buildImage() {
  const dockerfile = readFileSync(path.join(repoDir, 'demos', 'kubernetes', 'Dockerfile'), 'utf8');
  const tscLine = /npx tsc ([^\n\\&]+?)\s*\\?\n/.exec(dockerfile)?.[1];
  if (tscLine === undefined) throw new Error('demos/kubernetes/Dockerfile: no `npx tsc …` line');
  const dir = path.join(work, 'app');
  mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  cpSync(path.join(repoDir, 'demos', 'kubernetes', 'main.ts'), path.join(dir, 'main.ts'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
  symlinkSync(repoDir, path.join(dir, 'node_modules', 'rxrun'), 'dir');
  symlinkSync(path.join(repoDir, 'node_modules', 'rxjs'), path.join(dir, 'node_modules', 'rxjs'), 'dir');
  symlinkSync(path.join(repoDir, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'), 'dir');
  execFileSync(process.execPath, [path.join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc'), ...tscLine.split(' ')], { cwd: dir, stdio: 'inherit' });
  const newestLib = Math.max(...execFileSync('find', [path.join(repoDir, 'lib'), '-name', '*.ts', '-newer', distIndex], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => statSync(f).mtimeMs), 0);
  if (newestLib > 0) log('warning: lib/ has files newer than dist/ — the pods run the last build (npm run build)');
  return dir;
}

// The pods' command: the manifest's, with `node` = this Node (argv[0]) and the image's WORKDIR = the compiled app.
const podEnv = (overrides) => ({
  ...process.env,
  ...manifestEnv,
  KUBERNETES_SERVICE_HOST: '10.96.0.1', // the kubelet sets it in every container (never contacted here)
  PORT: '0',
  PROBE_PORT: '0',
  HOST: '127.0.0.1',
  ...overrides,
});
if (!Array.isArray(manifest.command) || manifest.command[0] !== 'node') throw new Error(`deployment.yaml: command ${JSON.stringify(manifest.command)} is not ["node", …]`);

const IMPLS = [
  {
    key: 'rxrun',
    label: `rxrun demo as deployed (DRAIN_DELAY ${drainDelayMs} ms${manifest.preStopSleepMs ? `, preStop sleep ${manifest.preStopSleepMs / 1000} s` : ', no preStop'})`,
    pod: (image) => ({ argv: [process.execPath, ...manifest.command.slice(1)], cwd: image, env: podEnv({}) }),
    preStopSleepMs: manifest.preStopSleepMs,
  },
  {
    key: 'rxrun-no-delay',
    label: 'rxrun demo, DRAIN_DELAY=0, no preStop',
    pod: (image) => ({ argv: [process.execPath, ...manifest.command.slice(1)], cwd: image, env: podEnv({ DRAIN_DELAY: '0' }) }),
    preStopSleepMs: 0,
  },
  {
    key: 'naive',
    label: 'naive server (dies on SIGTERM), no preStop',
    pod: () => ({ argv: [process.execPath, path.join(benchDir, 'k8s-rollout', 'naive-pod.cjs')], cwd: repoDir, env: podEnv({}) }),
    preStopSleepMs: 0,
  },
  {
    key: 'naive-prestop',
    label: `naive server, preStop sleep ${drainDelayMs / 1000} s`,
    pod: () => ({ argv: [process.execPath, path.join(benchDir, 'k8s-rollout', 'naive-pod.cjs')], cwd: repoDir, env: podEnv({}) }),
    preStopSleepMs: drainDelayMs,
  },
].filter((impl) => !ONLY || ONLY.includes(impl.key));
if (IMPLS.length === 0) throw new RangeError(`k8s-rollout: --only=${ONLY} names no implementation`);

/** nginx error log lines → counts by reason (`connect() failed (111: Connection refused)`, …). */
function errorReasons(text) {
  const reasons = {};
  for (const line of text.split('\n')) {
    const match = /\[(?:error|crit|alert)\] \d+#\d+: \*\d+ (.+?)(?: while [^,]*)?, client:/.exec(line);
    if (match) reasons[match[1]] = (reasons[match[1]] ?? 0) + 1;
  }
  return reasons;
}

/** One trial: deploy `replicas` pods of `impl`, load through the Service, roll to new pods, measure. */
async function trial(impl, round, service, image) {
  const m = { ...manifest, preStopSleepMs: impl.preStopSleepMs };
  let serial = 0;
  const all = [];
  const makePod = (version) => {
    const spec = impl.pod(image);
    const pod = startPod({ name: `${impl.key}#${round}-${version}-${(serial += 1)}`, ...spec, manifest: m, pids, log: debug });
    pod.onReadyChange((ready) => void service.setEndpoint(pod, ready && pod.deletedAt === undefined));
    all.push(pod);
    return pod;
  };
  const remove = (pod) => {
    void service.setEndpoint(pod, false); // the Service side, concurrently with the kubelet's
    return pod.terminate();
  };
  try {
    const old = Array.from({ length: m.replicas }, () => makePod('v1'));
    await Promise.all(old.map((pod) => pod.whenReady()));
    // nginx -t + SIGHUP per endpoint change, serialized; then a moment for the old nginx workers to stop accepting.
    for (let waited = 0; old.some((pod) => !service.serving().includes(pod.name)); waited += 20) {
      if (waited > PROPAGATION_MS + 10_000) throw new Error('the first pods never reached the Service');
      await sleep(20);
    }
    await sleep(200);
    const logOffset = service.errorLogSize();
    const load = startLoad({ url: service.url, workers: WORKERS, pauseMs: PAUSE_MS, maxRequests: 500_000, maxMs: 180_000 });
    let rolled;
    let rollStart;
    let cpuUsPerRequest;
    try {
      await sleep(WARM_MS);
      const cpu0 = old.reduce((sum, pod) => sum + pod.cpuNs(), 0);
      const t0 = now();
      await sleep(STEADY_MS);
      const cpu1 = old.reduce((sum, pod) => sum + pod.cpuNs(), 0);
      cpuUsPerRequest = (cpu1 - cpu0) / 1000 / load.okBetween(t0, now());
      rollStart = now();
      rolled = await rollingUpdate({ old, makePod: () => makePod('v2'), remove, manifest: m, timeoutMs: 120_000 });
      await rolled.oldExits;
      await sleep(TAIL_MS);
    } finally {
      await load.stop();
    }
    const oldExitedAt = Math.max(...old.map((pod) => pod.exitedAt));
    const byMethod = (method) => {
      const rs = load.requests.filter((r) => r.method === method && r.start >= rollStart);
      return { requests: rs.length, failed: rs.filter((r) => !r.ok).length };
    };
    const failures = load.requests.filter((r) => !r.ok && r.start >= rollStart);
    const kinds = {};
    for (const r of failures) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
    // When each failure started, in ms after the deletion of the pod nginx sent it to (X-Upstream).
    const byPort = new Map(all.filter((pod) => pod.appPort !== undefined).map((pod) => [`127.0.0.1:${pod.appPort}`, pod]));
    const sinceDeletion = failures.map((r) => {
      const pod = byPort.get(r.upstream);
      return pod?.deletedAt === undefined ? NaN : r.start - pod.deletedAt;
    });
    const unattributed = failures.filter((r) => byPort.get(r.upstream)?.deletedAt === undefined).length;
    return {
      impl: impl.key,
      round,
      GET: byMethod('GET'),
      POST: byMethod('POST'),
      beforeRollout: load.requests.filter((r) => r.start < rollStart && !r.ok).length,
      kinds,
      sinceDeletion,
      unattributed,
      rolloutMs: rolled.doneAt - rollStart,
      untilOldExitedMs: oldExitedAt - rollStart,
      deletionToExitMs: old.map((pod) => pod.exitedAt - pod.deletedAt),
      deletionToUnroutedMs: old.map((pod) => pod.unroutedAt - pod.deletedAt),
      sigtermToExitMs: old.map((pod) => (pod.sigtermAt === undefined ? NaN : pod.exitedAt - pod.sigtermAt)),
      oldStatus: old.map((pod) => pod.status),
      sigkilled: old.filter((pod) => pod.sigkilled).length,
      startToReadyMs: rolled.fresh.map((pod) => pod.readyAt - pod.startedAt),
      startToListeningMs: rolled.fresh.map((pod) => pod.listeningAt - pod.startedAt),
      cpuUsPerRequest,
      steadyLatency: load.latency(rollStart - STEADY_MS, rollStart),
      rolloutLatency: load.latency(rollStart, Infinity),
      nginxErrors: errorReasons(service.errorLogSince(logOffset)),
      capped: load.capped(),
    };
  } finally {
    await Promise.all(all.map((pod) => pod.kill()));
    await service.clear();
  }
}

const started = Date.now(); // real-time: the report gives the run's wall-clock duration
const results = [];
let service;
try {
  log(`manifest: replicas ${manifest.replicas}, maxSurge ${manifest.maxSurge}, maxUnavailable ${manifest.maxUnavailable}, readiness ${manifest.readinessProbe.path} every ${manifest.readinessProbe.periodSeconds} s (failureThreshold ${manifest.readinessProbe.failureThreshold}), grace ${manifest.terminationGracePeriodSeconds} s, preStop ${manifest.preStopSleepMs} ms, DRAIN_DELAY ${drainDelayMs} ms; propagation ${PROPAGATION_MS} ms`);
  const image = buildImage();
  service = await startService({ dir: path.join(work, 'nginx'), propagationMs: PROPAGATION_MS, keepalive: KEEPALIVE, pids });
  for (let round = 1; round <= ROLLOUTS; round += 1) {
    for (const impl of shuffle([...IMPLS])) {
      const r = await trial(impl, round, service, image);
      results.push(r);
      log(
        `rollout ${round}/${ROLLOUTS} ${impl.key}: GET ${r.GET.failed}/${r.GET.requests} failed, POST ${r.POST.failed}/${r.POST.requests} failed, rollout ${fmt(r.rolloutMs, 0)} ms, old pods exited after ${fmt(r.untilOldExitedMs, 0)} ms (${r.oldStatus.join(', ')})` +
          (Object.keys(r.nginxErrors).length ? `; nginx: ${JSON.stringify(r.nginxErrors)}` : ''),
      );
    }
  }
} finally {
  if (service) await service.stop();
  killEverything();
  rmSync(work, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);

// ---- report ----
const sum = (values) => values.reduce((a, b) => a + b, 0);
const stat = (values, digits = 0) => {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '—';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? fmt(lo, digits) : `${fmt(median(finite), digits)} (${fmt(lo, digits)}–${fmt(hi, digits)})`;
};
const header = [
  'pods', 'GET failed / sent', 'POST failed / sent', 'failure kinds', 'failed requests: sent … ms after their pod\'s deletion (< 0: before)', 'rollout ms', 'until old pods exited, ms',
  'old pod deletion → out of nginx / → exit, ms', 'new pod start → listening / → Ready, ms', 'latency p99 before / during rollout, ms', 'pod CPU µs/request',
];
const rows = IMPLS.map((impl) => {
  const rs = results.filter((r) => r.impl === impl.key);
  const kinds = {};
  for (const r of rs) for (const [k, v] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + v;
  const since = rs.flatMap((r) => r.sinceDeletion).filter(Number.isFinite);
  return [
    impl.label,
    `${sum(rs.map((r) => r.GET.failed))} / ${sum(rs.map((r) => r.GET.requests))}`,
    `${sum(rs.map((r) => r.POST.failed))} / ${sum(rs.map((r) => r.POST.requests))}`,
    Object.entries(kinds).map(([k, v]) => `${k} ×${v}`).join(', ') || '—',
    (since.length ? `${fmt(Math.min(...since), 0)}–${fmt(Math.max(...since), 0)}` : '—') +
      (sum(rs.map((r) => r.unattributed)) ? ` (${sum(rs.map((r) => r.unattributed))} to no deleted pod)` : ''),
    stat(rs.map((r) => r.rolloutMs)),
    stat(rs.map((r) => r.untilOldExitedMs)),
    `${stat(rs.flatMap((r) => r.deletionToUnroutedMs))} / ${stat(rs.flatMap((r) => r.deletionToExitMs))}` + (sum(rs.map((r) => r.sigkilled)) ? ` (${sum(rs.map((r) => r.sigkilled))} SIGKILLed)` : ''),
    `${stat(rs.flatMap((r) => r.startToListeningMs))} / ${stat(rs.flatMap((r) => r.startToReadyMs))}`,
    `${stat(rs.map((r) => r.steadyLatency.p99), 1)} / ${stat(rs.map((r) => r.rolloutLatency.p99), 1)}`,
    stat(rs.map((r) => r.cpuUsPerRequest)),
  ];
});
console.log(`\nRolling update of ${manifest.replicas} pods, ${ROLLOUTS} rollouts each (Σ over rollouts; times median (min–max)):`);
printTable(header, rows);
const nginxReasons = {};
for (const r of results) for (const [k, v] of Object.entries(r.nginxErrors)) (nginxReasons[r.impl] ??= {})[k] = ((nginxReasons[r.impl] ??= {})[k] ?? 0) + v;
console.log('\nnginx error log, by pods:', JSON.stringify(nginxReasons, null, 1));
const beforeRollout = sum(results.map((r) => r.beforeRollout));
if (beforeRollout > 0) console.log(`\n${beforeRollout} requests failed before a rollout began (counted nowhere above: the harness or the machine, not the rollout)`);
if (results.some((r) => r.capped)) console.log('\nwarning: the load hit its cap in some trial (the rollout outlasted it)');

if (DRY) process.exit(0);

const jsonRows = results.flatMap((r) => ['GET', 'POST'].map((method) => ({ impl: r.impl, round: r.round, method, failed: r[method].failed, requests: r[method].requests, rolloutMs: Math.round(r.rolloutMs) })));
mkdirSync(path.dirname(RESULTS_JSON), { recursive: true });
writeFileSync(
  RESULTS_JSON,
  `${JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      command: `node bench/k8s-rollout.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      manifestSha256: manifestSha(),
      manifest,
      options: { rollouts: ROLLOUTS, propagationMs: PROPAGATION_MS, workers: WORKERS, pauseMs: PAUSE_MS, upstreamKeepalive: KEEPALIVE },
      impls: Object.fromEntries(IMPLS.map((impl) => [impl.key, impl.label])),
      rows: jsonRows,
    },
    null,
    1,
  )}\n`,
);

/** What a row shows, from this run's figures, and the mechanism behind it. */
function note(impl) {
  const rs = results.filter((r) => r.impl === impl.key);
  const failed = sum(rs.map((r) => r.GET.failed + r.POST.failed));
  const sent = sum(rs.map((r) => r.GET.requests + r.POST.requests));
  const reasons = Object.entries(nginxReasons[impl.key] ?? {}).map(([reason, n]) => `\`${reason}\` ×${n}`).join(', ');
  const figures = failed === 0 ? `no failed request in ${rs.length} rollouts (${sent} sent)` : `**${failed} of ${sent} requests failed** in ${rs.length} rollouts (nginx: ${reasons || 'nothing logged'})`;
  const why = {
    rxrun: `SIGTERM turns \`/readyz\` 503 at once, but \`serve$\` keeps accepting for DRAIN_DELAY (${drainDelayMs} ms), longer than the
  Service takes to stop routing to the pod (${PROPAGATION_MS} ms + an nginx reload: at most ${fmt(Math.max(...rs.flatMap((r) => r.deletionToUnroutedMs)), 0)} ms here); then it stops accepting, finishes what is in flight and
  closes the keep-alive sockets nginx pooled.`,
    'rxrun-no-delay': `the pod stops accepting at SIGTERM, while the Service routes to it until the endpoint removal has propagated:
  those requests are refused (a 502 from nginx; from kube-proxy, a refused connection).${reasons.includes('reset') ? ` A reset is nginx sending a request on a
  pooled keep-alive socket just as \`serve$\` closed it as idle — a race any HTTP/1.1 server has when it closes idle sockets while
  still routed to.` : ''} \`/readyz\` turning 503 cannot help: the endpoint goes away at the deletion anyway, no sooner.`,
    naive: `the process dies at SIGTERM with requests in flight and pooled sockets open (resets), and is refused until the
  endpoint removal has propagated.`,
    'naive-prestop': `the kubelet's preStop sleep (${drainDelayMs / 1000} s) holds SIGTERM back until the endpoint removal has propagated, so by then
  nothing is routed to the pod and its abrupt exit costs nothing here — but for the sleep's length the pod still says it is ready,
  the sleep needs a \`sleep\` binary in the image (or Kubernetes 1.30+), and a request still in flight at SIGTERM would be cut.`,
  }[impl.key];
  return `*${impl.label}*: ${figures}. ${why.charAt(0).toUpperCase()}${why.slice(1)}`;
}
const rp = manifest.readinessProbe;
updateSection(
  'k8s-rollout',
  `## Kubernetes rollout, simulated (\`bench/k8s-rollout.mjs\`)

${stamp()} ${seconds} s, \`${['node bench/k8s-rollout.mjs', ...process.argv.slice(2)].join(' ')}\`; figures also in \`bench/results/k8s-rollout.json\`.

The script plays the kubelet and the Service for the Deployment of \`demos/kubernetes/deployment.yaml\` and
rolls it ${ROLLOUTS} times per row, rows interleaved in a random order per round. From the manifest
(the run fails if it cannot read them; \`--check\` fails once they change): ${manifest.replicas} replicas,
maxSurge ${manifest.maxSurge}, maxUnavailable ${manifest.maxUnavailable}; startupProbe every ${manifest.startupProbe?.periodSeconds ?? '—'} s, then
readinessProbe \`${rp.path}\` every ${rp.periodSeconds} s (timeout ${rp.timeoutSeconds} s, failureThreshold ${rp.failureThreshold});
terminationGracePeriodSeconds ${manifest.terminationGracePeriodSeconds}; ${manifest.preStopSleepMs ? `preStop sleep ${manifest.preStopSleepMs} ms` : 'no preStop'};
the container's env (\`DRAIN_DELAY\` ${drainDelayMs}, \`SHUTDOWN_TIMEOUT\` ${manifestEnv.SHUTDOWN_TIMEOUT}) and command (\`node main.js\`, main.ts
compiled with the Dockerfile's \`tsc\` line). Not from the manifest: endpoint propagation ${PROPAGATION_MS} ms (a pod's deletion
or readiness change reaches nginx that much later — EndpointSlice controller + kube-proxy), and the load:
${WORKERS} loops on one undici Pool through nginx (nginx-light 127.0.0.1, upstream keep-alive ${KEEPALIVE}, no retry to another
pod — kube-proxy does not retry either), GET \`/\` and POST \`/upload\` (512 bytes) in turn, ${PAUSE_MS} ms apart.
A rollout: a new pod starts; once Ready it joins the upstream (after the propagation delay) while an old pod is
deleted — its removal from the upstream (after the propagation delay) and the kubelet's preStop → SIGTERM → SIGKILL
at the grace period run at once; repeat. "Rollout ms": from the first new pod to the last one Ready with every old
pod deleted (\`kubectl rollout status\`). Failed: anything but a 200 with the expected body, counted from the start of
the rollout to ${TAIL_MS} ms after the last old pod exited. CPU: the two old pods' CPU time per request in ${STEADY_MS} ms of load before
the rollout. "Out of nginx": the propagation delay plus the reload (\`nginx -t\`, SIGHUP, a 50 ms pause), which a
loaded machine stretches — kube-proxy's own sync takes time too. "Start → listening": until the pod printed its app port; "→ Ready": until the kubelet's probes passed (the
startupProbe's period quantizes it).

${markdownTable(header, rows)}

nginx's error log during the rollouts, by row: ${Object.entries(nginxReasons).map(([k, v]) => `*${k}*: ${Object.entries(v).map(([reason, n]) => `\`${reason}\` ×${n}`).join(', ')}`).join('; ') || 'empty'}.

${IMPLS.map((impl) => `- ${note(impl)}`).join('\n')}
`,
);
log(`wrote ${path.relative(repoDir, RESULTS_JSON)} and the k8s-rollout section of bench/RESULTS.md`);
