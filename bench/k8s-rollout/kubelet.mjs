// The kubelet of bench/k8s-rollout.mjs: starts a pod's process, probes it the way the manifest says (the
// startupProbe until it passes, then the readinessProbe every periodSeconds, through the termination too), and
// terminates it: the preStop sleep, then SIGTERM, and SIGKILL at terminationGracePeriodSeconds counted from the
// deletion. Every pod is a node process on 127.0.0.1 with ports of its own (PORT=0, PROBE_PORT=0: it prints them).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();

/** CPU time (ns) a process has used so far, summed over its threads (Linux schedstat); NaN elsewhere or once it is gone. */
export function cpuNs(pid) {
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

/** One HTTP probe: true on a 2xx-3xx answer within `timeoutMs` (what the kubelet counts as success). */
function httpProbe(port, probePath, timeoutMs) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: probePath, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode >= 200 && res.statusCode < 400);
    });
    req.on('timeout', () => req.destroy(new Error('probe timeout')));
    req.on('error', () => resolve(false));
  });
}

/**
 * Starts a pod: `argv` (argv[0] is the executable) in `cwd` with `env`. Returns the pod object:
 * `{ name, pid, appPort, probePort, ready, startedAt, listeningAt, readyAt, deletedAt, sigtermAt, exitedAt, status, lines,
 *    onReadyChange(fn), whenReady(), exited, terminate(), kill() }`.
 * `pids` is the harness's set of live processes (everything in it is killed at the end, even on failure).
 */
export function startPod({ name, argv, cwd, env, manifest, pids, log = () => {} }) {
  const startedAt = now();
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  pids.add(child.pid);
  const listeners = [];
  const pod = {
    name,
    pid: child.pid,
    appPort: undefined,
    probePort: undefined,
    ready: false,
    startedAt,
    listeningAt: undefined,
    readyAt: undefined,
    deletedAt: undefined,
    sigtermAt: undefined,
    exitedAt: undefined,
    status: undefined,
    lines: [],
    onReadyChange: (fn) => listeners.push(fn),
  };
  let buffer = '';
  const keep = (line) => {
    pod.lines.push(line);
    if (pod.lines.length > 400) pod.lines.splice(0, 100);
  };
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('upload: ')) continue; // one per POST: not worth keeping
      keep(line);
      const probes = /^probes on http:\/\/[^:]+:(\d+)/.exec(line);
      if (probes) pod.probePort = Number(probes[1]);
      const app = /^app on http:\/\/[^:]+:(\d+)/.exec(line);
      if (app) {
        pod.appPort = Number(app[1]);
        pod.listeningAt = now();
      }
    }
  });
  child.stderr.on('data', (chunk) => keep(`[stderr] ${String(chunk).trimEnd()}`));
  pod.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      pod.exitedAt = now();
      pod.status = signal ?? code;
      pids.delete(child.pid);
      resolve(pod.status);
    });
  });

  const setReady = (ready) => {
    if (pod.ready === ready) return;
    pod.ready = ready;
    if (ready && pod.readyAt === undefined) pod.readyAt = now();
    log(`${name}: ${ready ? 'Ready' : 'not Ready'}`);
    for (const fn of listeners) fn(ready);
  };

  // The kubelet's probe loop: startupProbe (if any) until it passes, then readinessProbe every periodSeconds
  // until the container has exited. Results count only with a port to probe (printed by the pod at start).
  void (async () => {
    const probeOnce = (spec) => (pod.probePort === undefined ? Promise.resolve(false) : httpProbe(pod.probePort, spec.path, spec.timeoutSeconds * 1000));
    const startup = manifest.startupProbe;
    if (startup) {
      await sleep(startup.initialDelaySeconds * 1000);
      let failures = 0;
      while (pod.exitedAt === undefined) {
        if (await probeOnce(startup)) break;
        failures += 1;
        if (failures >= startup.failureThreshold) {
          log(`${name}: startupProbe failed ${failures} times: killed`);
          child.kill('SIGKILL');
          return;
        }
        await sleep(startup.periodSeconds * 1000);
      }
    }
    const readiness = manifest.readinessProbe;
    if (!startup) await sleep(readiness.initialDelaySeconds * 1000);
    let successes = 0;
    let failures = 0;
    while (pod.exitedAt === undefined) {
      const started = now();
      const ok = await probeOnce(readiness);
      if (pod.exitedAt !== undefined) break;
      if (ok) {
        failures = 0;
        successes += 1;
        if (successes >= readiness.successThreshold) setReady(true);
      } else {
        successes = 0;
        failures += 1;
        if (failures >= readiness.failureThreshold) setReady(false);
      }
      await Promise.race([sleep(Math.max(0, readiness.periodSeconds * 1000 - (now() - started))), pod.exited]);
    }
    setReady(false);
  })();

  pod.whenReady = () =>
    new Promise((resolve, reject) => {
      if (pod.ready) return resolve(pod);
      pod.onReadyChange((ready) => ready && resolve(pod));
      void pod.exited.then((status) => reject(new Error(`${name} exited (${status}) before it was Ready:\n${pod.lines.slice(-20).join('\n')}`)));
    });

  /** Deletion as the kubelet plays it: preStop sleep, then SIGTERM; SIGKILL at the grace period. Resolves with the exit status. */
  pod.terminate = () => {
    pod.deletedAt = now();
    const graceMs = manifest.terminationGracePeriodSeconds * 1000;
    const killer = setTimeout(() => {
      if (pod.exitedAt === undefined) {
        pod.sigkilled = true;
        log(`${name}: grace period over: SIGKILL`);
        child.kill('SIGKILL');
      }
    }, graceMs);
    void pod.exited.then(() => clearTimeout(killer));
    void (async () => {
      if (manifest.preStopSleepMs > 0) await Promise.race([sleep(manifest.preStopSleepMs), pod.exited]);
      if (pod.exitedAt === undefined) {
        pod.sigtermAt = now();
        child.kill('SIGTERM');
      }
    })();
    return pod.exited;
  };
  pod.kill = () => {
    if (pod.exitedAt === undefined) child.kill('SIGKILL');
    return pod.exited;
  };
  pod.cpuNs = () => cpuNs(child.pid);
  return pod;
}
