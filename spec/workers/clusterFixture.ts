import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Pool } from 'undici';
import { FixtureChild } from '../process/fixtureChild';

const FIXTURE = path.join(__dirname, 'fixtures', 'clusterApp.js');
const started: FixtureChild[] = [];
const workerPids = new Set<number>();

/** A worker / reload / restart event the fixture primary printed. */
export interface PrintedEvent {
  readonly type: string;
  readonly index?: number;
  readonly pid?: number;
  readonly generation?: number;
  readonly cause?: string;
  readonly reason?: string;
  readonly signal?: string | null;
  readonly code?: number | null;
  readonly name?: string;
  readonly error?: string;
  readonly coalesced?: boolean;
  readonly replaced?: number;
}

/** Starts the fixture primary (`spec/workers/fixtures/clusterApp.js`) with `env`. */
export function startCluster(env: Record<string, string>): FixtureChild {
  const proc = spawn(process.execPath, [FIXTURE], {
    cwd: path.dirname(FIXTURE),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  const child = new FixtureChild(proc);
  started.push(child);
  proc.stdout?.on('data', () => {
    for (const event of events(child)) if (event.type === 'worker-started' && event.pid !== undefined) workerPids.add(event.pid);
  });
  return child;
}

/** Every `event {...}` line so far. */
export function events(child: FixtureChild): PrintedEvent[] {
  return child
    .stdoutLines()
    .filter((line) => line.startsWith('event '))
    .map((line) => JSON.parse(line.slice('event '.length)) as PrintedEvent);
}

/** Waits for the n-th (1-based) event line of `type` (and matching `where`). */
export function waitForEvent(child: FixtureChild, type: string, where: (event: PrintedEvent) => boolean = () => true, nth = 1): Promise<PrintedEvent> {
  return new Promise((resolve, reject) => {
    // FixtureChild's own 'data' listener (added first) has split the lines by the time this one runs.
    const check = (): boolean => {
      const found = events(child).filter((event) => event.type === type && where(event));
      if (found.length < nth) return false;
      child.proc.stdout?.off('data', check);
      resolve(found[nth - 1] as PrintedEvent);
      return true;
    };
    if (check()) return;
    child.proc.stdout?.on('data', check);
    void child.exited.then(() => {
      if (!check()) reject(new Error(`primary exited before event ${type} #${nth}\n${child.transcript()}`));
    });
  });
}

/** The pool line's pids (every worker ready). */
export async function poolPids(child: FixtureChild): Promise<number[]> {
  const [, pids] = (await child.waitForLine(/^pool (\S+)$/)) as unknown as [string, string];
  return pids.split(',').map(Number);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls (every 50 ms, at most `limitMs`) until none of `pids` is alive; returns those still alive. */
export async function waitGone(pids: readonly number[], limitMs: number): Promise<number[]> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    if (!pids.some(isAlive)) return [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return pids.filter(isAlive);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** For `afterEach`: kills every fixture primary and every worker it forked. */
export function killClusters(): void {
  for (const child of started.splice(0)) child.kill();
  for (const pid of workerPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  workerPids.clear();
}

export interface LoadResult {
  ok: number;
  failed: number;
  readonly failures: string[];
  readonly pids: Set<number>;
}

/**
 * Real-client load (an undici Pool, keep-alive, `connections` sockets): GET and POST alternately,
 * until `stop` resolves or `maxRequests` were sent. A request fails when it errors, is not 200, or
 * its body lacks `pid=`.
 */
export async function loadUntil(url: string, stop: Promise<unknown>, options: { connections: number; maxRequests: number }): Promise<LoadResult> {
  const pool = new Pool(url, { connections: options.connections, pipelining: 1 });
  const result: LoadResult = { ok: 0, failed: 0, failures: [], pids: new Set() };
  let stopped = false;
  void stop.then(() => (stopped = true));
  let sent = 0;
  const loop = async (lane: number) => {
    while (!stopped && sent < options.maxRequests) {
      sent += 1;
      const post = (sent + lane) % 2 === 0;
      try {
        const response = await pool.request({
          path: `/item/${sent}`,
          method: post ? 'POST' : 'GET',
          ...(post ? { body: JSON.stringify({ n: sent }), headers: { 'content-type': 'application/json' } } : {}),
        });
        const body = await response.body.text();
        const pid = /pid=(\d+)/.exec(body)?.[1];
        if (response.statusCode === 200 && pid !== undefined) {
          result.ok += 1;
          result.pids.add(Number(pid));
        } else {
          result.failed += 1;
          result.failures.push(`${post ? 'POST' : 'GET'} ${response.statusCode} ${body.slice(0, 80)}`);
        }
      } catch (error) {
        result.failed += 1;
        result.failures.push(`${post ? 'POST' : 'GET'} ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, lane) => loop(lane)));
  await pool.close();
  return result;
}
