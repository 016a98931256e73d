import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where Debian's nginx(-light) puts the binary; CI installs it (`apt-get install -y nginx-light`). */
export const NGINX = '/usr/sbin/nginx';

export const nginxAvailable = (): boolean => existsSync(NGINX);

/** A running nginx reverse proxy in front of one upstream, with a keep-alive upstream pool. */
export interface Nginx {
  readonly port: number;
  /** Everything nginx wrote to stderr (its error log) so far. */
  stderr(): string;
  /** SIGTERM, wait for its exit, remove its temp dir. */
  stop(): Promise<void>;
}

const live = new Set<{ proc: ChildProcess; dir: string }>();
/** `RXRUN_NGINX_LOG=debug` (nginx-light is built --with-debug) logs every upstream connect and keep-alive reuse, to diagnose a failure. */
const LOG_LEVEL = process.env['RXRUN_NGINX_LOG'] === undefined ? '' : ` ${process.env['RXRUN_NGINX_LOG']}`;

/** A port that was free a moment ago on 127.0.0.1 (nginx cannot listen on port 0 and tell us which it got). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, upstreamPort: number, upstreamKeepalive: number): string {
  // master_process off: one process, so a SIGKILL from the test's cleanup can never orphan workers holding the port.
  // A single upstream server is never marked unavailable (max_fails does not apply), so every 502 names its cause.
  return `
master_process off;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive ${upstreamKeepalive};
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/** Connects to 127.0.0.1:port until it answers (bounded by `tries`). */
async function waitForListen(port: number, exited: () => boolean, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries && !exited(); i += 1) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

/**
 * Starts `nginx -p <tmpdir> -c nginx.conf -g 'daemon off; pid …; error_log stderr;'` proxying 127.0.0.1:<port> to
 * `upstreamPort` with `keepalive` idle upstream connections kept per worker; resolves once it accepts connections.
 */
export async function startNginx(upstreamPort: number, upstreamKeepalive = 16): Promise<Nginx> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rxrun-nginx-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    writeFileSync(path.join(dir, 'nginx.conf'), config(dir, port, upstreamPort, upstreamKeepalive));
    const proc = spawn(NGINX, ['-e', 'stderr', '-p', `${dir}/`, '-c', 'nginx.conf', '-g', `daemon off; pid ${dir}/nginx.pid; error_log stderr${LOG_LEVEL};`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const entry = { proc, dir };
    live.add(entry);
    let stderr = '';
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => (stderr += chunk));
    let hasExited = false;
    const exited = new Promise<void>((resolve) => proc.once('close', () => ((hasExited = true), resolve())));
    proc.once('error', (error) => (stderr += String(error)));
    if (await waitForListen(port, () => hasExited)) {
      return {
        port,
        stderr: () => stderr,
        async stop() {
          if (!hasExited) proc.kill('SIGTERM');
          await exited;
          live.delete(entry);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    lastError = stderr;
    proc.kill('SIGKILL');
    await exited;
    live.delete(entry);
    rmSync(dir, { recursive: true, force: true });
    if (!/Address already in use/.test(stderr)) break;
  }
  throw new Error(`nginx did not start: ${lastError}`);
}

/** For `afterEach`: SIGKILLs any nginx a failed test left running. */
export function killNginx(): void {
  for (const { proc, dir } of live) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

/** One error-log line about a request: its message and the request line's path. */
export interface NginxRequestError {
  readonly path: string;
  readonly message: string;
  /** `connect() failed (111: Connection refused)`: nginx could not open a new upstream connection (the app's listener was closed). */
  readonly refusedConnect: boolean;
}

/** Parses nginx's error log lines that name a request (`…, request: "GET /r/1-5 HTTP/1.1", …`). */
export function requestErrors(log: string): NginxRequestError[] {
  const errors: NginxRequestError[] = [];
  for (const line of log.split('\n')) {
    const request = /request: "[A-Z]+ (\S+) HTTP\/[\d.]+"/.exec(line);
    if (request === null) continue;
    const message = /\*\d+ (.*?), client:/.exec(line)?.[1] ?? line;
    errors.push({ path: request[1] as string, message, refusedConnect: /connect\(\) failed \(111: Connection refused\)/.test(message) });
  }
  return errors;
}
