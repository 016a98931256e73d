import { execFileSync, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { Pool } from 'undici';
import { FixtureChild, childPidsOf } from '../process/fixtureChild';
import { freePort, isAlive, waitGone } from '../workers/clusterFixture';
import { ROOT, requireBuiltPackage } from './demoProcess';

// The contract of demos/cluster (run by outside tests): `node dist/demos/cluster/main.js`.
const BUILT = path.join(ROOT, 'dist', 'demos', 'cluster', 'main.js');
const TIMEOUT = 90_000;
const started: FixtureChild[] = [];
const seenWorkers = new Set<number>();

function startDemo(env: Record<string, string>): FixtureChild {
  const proc = spawn(process.execPath, [BUILT], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', ...env } });
  const child = new FixtureChild(proc);
  started.push(child);
  return child;
}

function workersOf(demo: FixtureChild): number[] {
  const pids = childPidsOf(demo.proc.pid as number);
  for (const pid of pids) seenWorkers.add(pid);
  return pids;
}

/** One request on a fresh connection (no keep-alive: the primary's round-robin sees each one). */
function request(port: number, method = 'GET', requestPath = '/', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Fails if `promise` does not settle within the contract's bound `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

beforeAll(() => {
  requireBuiltPackage();
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.demos.json'], { cwd: ROOT });
}, TIMEOUT);

afterEach(() => {
  for (const demo of started.splice(0)) demo.kill();
  for (const pid of seenWorkers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  seenWorkers.clear();
});

describe('demos/cluster: the contract', () => {
  it(
    'defaults (HOST 127.0.0.1, WORKERS 2): prints ready; any method and path gets 200 and pid=<worker pid>; SIGTERM: exit by SIGTERM within GRACE_MS, no worker left',
    async () => {
      const port = await freePort();
      const demo = startDemo({ PORT: String(port), GRACE_MS: '5000' });
      await demo.waitForLine(/^ready$/);
      const workers = workersOf(demo);
      expect(workers).toHaveLength(2);
      const answered = new Set<number>();
      for (const [method, where, body] of [['GET', '/'], ['POST', '/a/b?c=d', 'payload'], ['PUT', '/x', '{}'], ['DELETE', '/y'], ['PATCH', '/z', 'p'], ['GET', '/deep/path']] as const) {
        const reply = await request(port, method, where, body);
        expect(reply.status).toBe(200);
        const pid = Number(/pid=(\d+)/.exec(reply.body)?.[1]);
        expect(workers).toContain(pid);
        answered.add(pid);
      }
      // Round-robin: both workers answer.
      expect(answered.size).toBe(2);

      demo.signal('SIGTERM');
      expect(await within(demo.exited, 5000, 'primary exit after SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
      expect(workers.filter(isAlive)).toEqual([]);
      expect(demo.stdoutLines()).toEqual(['ready']);
    },
    TIMEOUT,
  );

  it(
    'WORKERS=3 forks three workers; DELAY_MS delays every answer by at least that much',
    async () => {
      const port = await freePort();
      const demo = startDemo({ PORT: String(port), HOST: '127.0.0.1', WORKERS: '3', DELAY_MS: '300', GRACE_MS: '5000' });
      await demo.waitForLine(/^ready$/);
      expect(workersOf(demo)).toHaveLength(3);
      const sentAt = performance.now();
      const reply = await request(port, 'POST', '/slow', 'x');
      expect(performance.now() - sentAt).toBeGreaterThanOrEqual(300);
      expect(reply).toEqual({ status: 200, body: expect.stringMatching(/pid=\d+/) });
    },
    TIMEOUT,
  );

  it(
    'SIGHUP = rolling restart under load (undici Pool, GET and POST, 200 ms handler): no request lost, prints reloaded, every worker replaced',
    async () => {
      const port = await freePort();
      const demo = startDemo({ PORT: String(port), WORKERS: '2', DELAY_MS: '200', GRACE_MS: '8000' });
      await demo.waitForLine(/^ready$/);
      const before = workersOf(demo);
      const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
      let reloaded = false;
      let ok = 0;
      const failures: string[] = [];
      const lane = async (n: number) => {
        for (let i = 0; !reloaded && i < 2000; i += 1) {
          const post = (i + n) % 2 === 0;
          try {
            const response = await pool.request({ path: `/r/${n}/${i}`, method: post ? 'POST' : 'GET', body: post ? 'data' : undefined });
            const text = await response.body.text();
            if (response.statusCode === 200 && /pid=\d+/.test(text)) ok += 1;
            else failures.push(`${response.statusCode} ${text}`);
          } catch (error) {
            failures.push(String(error));
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, n) => lane(n)));
      demo.signal('SIGHUP');
      await demo.waitForLine(/^reloaded$/);
      reloaded = true;
      await load;
      await pool.close();
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(0);
      const after = workersOf(demo);
      expect(after).toHaveLength(2);
      for (const pid of after) expect(before).not.toContain(pid);
      expect(before.filter(isAlive)).toEqual([]);
      expect(demo.stdoutLines()).toEqual(['ready', 'reloaded']);
      demo.signal('SIGTERM');
      expect(await within(demo.exited, 8000, 'primary exit after SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    },
    TIMEOUT,
  );

  it(
    'a worker SIGKILLed is replaced while the other keeps serving',
    async () => {
      const port = await freePort();
      const demo = startDemo({ PORT: String(port), WORKERS: '2', GRACE_MS: '5000' });
      await demo.waitForLine(/^ready$/);
      const [victim, survivor] = workersOf(demo) as [number, number];
      process.kill(victim, 'SIGKILL');
      expect(await waitGone([victim], 10_000)).toEqual([]);
      // The survivor serves while the replacement starts.
      const replies = await Promise.all([request(port), request(port, 'POST', '/p', 'b')]);
      for (const reply of replies) expect(reply).toEqual({ status: 200, body: `pid=${survivor}\n` });
      let workers = workersOf(demo);
      for (let i = 0; i < 200 && workers.length < 2; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        workers = workersOf(demo);
      }
      expect(workers).toHaveLength(2);
      expect(workers).toContain(survivor);
      expect(workers).not.toContain(victim);
      expect(demo.stderr).toMatch(new RegExp(`worker \\d \\(pid ${victim}\\) exited \\(SIGKILL\\): crashed`));
    },
    TIMEOUT,
  );

  it(
    'the primary SIGKILLed: every worker is gone within 3 s',
    async () => {
      const port = await freePort();
      const demo = startDemo({ PORT: String(port), WORKERS: '2', GRACE_MS: '5000' });
      await demo.waitForLine(/^ready$/);
      const workers = workersOf(demo);
      expect(workers).toHaveLength(2);
      demo.signal('SIGKILL');
      await demo.exited;
      expect(await waitGone(workers, 3000)).toEqual([]);
    },
    TIMEOUT,
  );
});
