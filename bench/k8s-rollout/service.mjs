// The Service of bench/k8s-rollout.mjs: nginx (nginx-light) on 127.0.0.1 with one upstream whose servers are
// the ready, non-terminating pods. Every endpoint change reaches nginx `propagationMs` after the event that
// caused it (what the EndpointSlice controller and kube-proxy take in a cluster): the upstream file is
// rewritten, checked with `nginx -t` and loaded with SIGHUP (`nginx -s reload`). nginx does not retry another
// pod (`proxy_next_upstream off`): kube-proxy does not either, so a pod that refuses or resets shows as a 502.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const NGINX = '/usr/sbin/nginx';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free port on 127.0.0.1 (the kernel's pick; nginx binds it right after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout)));
  });
}

/**
 * Starts nginx in `dir` (its own prefix: config, pid, logs, temp paths) and resolves with the Service:
 * `{ url, setEndpoint(pod, serving), errorLogSince(offset), errorLogSize(), reloads, stop() }`.
 * `pids` receives the master's pid (its own process group: `kill(-pid)` ends master and workers together).
 */
export async function startService({ dir, propagationMs, keepalive, pids }) {
  for (const sub of ['logs', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const upstreamFile = path.join(dir, 'upstream.conf');
  const errorLog = path.join(dir, 'logs', 'error.log');
  const tmp = (name) => path.join(dir, 'tmp', name);
  writeFileSync(
    conf,
    `# Written by bench/k8s-rollout/service.mjs: the Service in front of the simulated pods.
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${errorLog} error;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  # No keep-alive towards the load client: a reload closes idle client connections, a race the harness
  # would count against the pods. Towards the pods, keep-alive as configured (an ingress controller pools them).
  keepalive_timeout 0;
  upstream pods {
    include ${upstreamFile};
${keepalive > 0 ? `    keepalive ${keepalive};\n` : ''}  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://pods;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream off;
      add_header X-Upstream $upstream_addr always; # which pod answered (or failed): the harness attributes failures
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
`,
  );
  const serving = new Map(); // pod name -> port, as last decided
  let applied = []; // pod names nginx routes to (after the last reload)
  const writeUpstream = () => {
    // max_fails=0: no passive health check (kube-proxy has none): nginx never skips a pod on its own.
    const lines = [...serving.values()].map((p) => `server 127.0.0.1:${p} max_fails=0;`);
    // An upstream needs a server: with no endpoints, one that is marked down (nginx answers 502, as a Service with no endpoints refuses).
    writeFileSync(upstreamFile, `${lines.length > 0 ? lines.join('\n') : 'server 127.0.0.1:9 down;'}\n`);
  };
  writeUpstream();
  await run(NGINX, ['-t', '-q', '-p', dir, '-c', conf]);
  const master = spawn(NGINX, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  pids.add(-master.pid);
  let stderr = '';
  master.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => master.on('exit', (code, signal) => resolve(signal ?? code)));
  // Ready once it accepts on its port.
  for (let tries = 0; ; tries += 1) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) break;
    if (tries > 200 || master.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
    await sleep(10);
  }

  let chain = Promise.resolve();
  const reloads = [];
  /** Applies the current endpoint set: rewrite, check, SIGHUP. Serialized; resolves once nginx has the new set. */
  const apply = () => {
    chain = chain.then(async () => {
      writeUpstream();
      const names = [...serving.keys()];
      await run(NGINX, ['-t', '-q', '-p', dir, '-c', conf]);
      const before = Date.now(); // real-time: a bench measures wall-clock time
      process.kill(master.pid, 'SIGHUP');
      reloads.push(before);
      await sleep(50); // the master starts new workers within a few ms; old ones finish their requests and quit
      applied = names;
    });
    return chain;
  };
  const stop = async () => {
    try {
      process.kill(-master.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const done = await Promise.race([exited, sleep(3000).then(() => 'timeout')]);
    try {
      process.kill(-master.pid, 'SIGKILL'); // any worker left behind
    } catch {
      // none
    }
    pids.delete(-master.pid);
    return done;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    /** The endpoint change the Service will make `propagationMs` from now: `serving` = pod ready and not terminating. */
    setEndpoint(pod, isServing) {
      return sleep(propagationMs).then(() => {
        const had = serving.has(pod.name);
        if (isServing && pod.appPort !== undefined && !pod.exitedAt) serving.set(pod.name, pod.appPort);
        else serving.delete(pod.name);
        if (had === serving.has(pod.name)) return undefined;
        return apply().then(() => {
          if (!isServing) pod.unroutedAt = performance.now(); // nginx routes no new request to it from now on
        });
      });
    },
    /** The pods nginx routes to now. */
    serving: () => applied,
    /** Every endpoint out at once (between trials, with no load). */
    clear() {
      serving.clear();
      return apply();
    },
    errorLogSize: () => (existsSync(errorLog) ? statSync(errorLog).size : 0),
    errorLogSince: (offset) => (existsSync(errorLog) ? readFileSync(errorLog).subarray(offset).toString('utf8') : ''),
    reloads,
    stop,
  };
}
