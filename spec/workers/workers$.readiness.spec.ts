import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { CHILD_TEST_TIMEOUT } from '../process/fixtureChild';
import { events, freePort, isAlive, killClusters, loadUntil, poolPids, startCluster, waitForEvent } from './clusterFixture';

// A worker is ready when every serve$ in it listens AND the readiness checks of its probes pass: a
// worker listening while its check fails is not ready, for the primary's start and for a rolling restart.

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxrun-readiness-'));
});
afterEach(() => {
  killClusters();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** GETs until the worker answers (at most 100 tries, 50 ms apart); its pid. */
async function answeredBy(port: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      const response = await request(`http://127.0.0.1:${port}/`);
      const body = await response.body.text();
      const pid = /pid=(\d+)/.exec(body)?.[1];
      if (response.statusCode === 200 && pid !== undefined) return Number(pid);
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing answered on port ${port}`);
}

/**
 * `worker <index> <generation> <pid> check failing`: the worker's check ran and failed. Its pid — or,
 * should the worker of that generation be reported ready first (its check not waited for), an error.
 */
async function checkFailing(primary: ReturnType<typeof startCluster>, generation: number): Promise<number> {
  const failing = primary.waitForLine(new RegExp(`^worker \\d ${generation} (\\d+) check failing$`)) as unknown as Promise<[string, string]>;
  // Never rejects (the primary's exit is another test's business): it only loses the race.
  const readyFirst = waitForEvent(primary, 'worker-ready', (event) => event.pid !== undefined && generationOf(primary, event.pid) === generation).catch(
    () => new Promise<never>(() => undefined),
  );
  const first = await Promise.race([failing, readyFirst.then((event) => event)]);
  if (!Array.isArray(first)) throw new Error(`worker ${first.pid} (generation ${generation}) was reported ready before its check passed`);
  return Number(first[1]);
}

function generationOf(primary: ReturnType<typeof startCluster>, pid: number): number | undefined {
  return events(primary).find((event) => event.type === 'worker-started' && event.pid === pid)?.generation;
}

describe('workers$: readiness checks', () => {
  it(
    "at start: a worker whose probes' check fails is not ready (no worker-ready, no pool) until the check passes",
    async () => {
      const port = await freePort();
      const file = path.join(dir, 'warm');
      const primary = startCluster({ PORT: String(port), WORKERS: '1', CHECK_GENS: '0', CHECK_FILE: file });
      const pid = await checkFailing(primary, 0);
      // Merely listening is not ready: the worker answers requests, and still no worker-ready.
      expect(await answeredBy(port)).toBe(pid);
      const before = events(primary).length;
      expect(events(primary).filter((event) => event.type === 'worker-ready' || event.type === 'workers-ready')).toEqual([]);
      expect(primary.stdoutLines().filter((line) => line.startsWith('pool '))).toEqual([]);

      fs.writeFileSync(file, '');
      expect(await waitForEvent(primary, 'worker-ready')).toMatchObject({ pid, index: 0 });
      expect(await poolPids(primary)).toEqual([pid]);
      // The ready event came only after the check could pass.
      expect(events(primary).findIndex((event) => event.type === 'worker-ready')).toBeGreaterThanOrEqual(before);

      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(primary.outcome()).toMatchObject({ status: 'ok', errors: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'rolling restart under load: the old worker keeps serving until its replacement passes its check; no request lost',
    async () => {
      const port = await freePort();
      const file = path.join(dir, 'warm');
      const primary = startCluster({ PORT: String(port), WORKERS: '1', CHECK_GENS: '1', CHECK_FILE: file });
      const [old] = await poolPids(primary);
      const done = waitForEvent(primary, 'reload-done');
      const load = loadUntil(`http://127.0.0.1:${port}`, done, { connections: 4, maxRequests: 40_000 });
      primary.signal('SIGHUP');
      const replacement = await checkFailing(primary, 1);
      await primary.waitForLine(new RegExp(`^worker 0 1 ${replacement} up$`));

      const before = events(primary).length;
      const pending = events(primary).map((event) => `${event.type} ${event.pid ?? ''}`.trim());
      expect(pending).not.toContain(`worker-ready ${replacement}`);
      expect(pending).not.toContain(`worker-stopping ${old}`);
      expect(isAlive(old as number)).toBe(true);

      fs.writeFileSync(file, '');
      await done;
      const result = await load;
      expect(result.failures).toEqual([]);
      expect(result.ok).toBeGreaterThan(0);
      const seen = events(primary);
      const readyAt = seen.findIndex((event) => event.type === 'worker-ready' && event.pid === replacement);
      const stopAt = seen.findIndex((event) => event.type === 'worker-stopping' && event.pid === old);
      expect(readyAt).toBeGreaterThanOrEqual(before);
      expect(stopAt).toBeGreaterThan(readyAt);
      expect(seen[stopAt]).toMatchObject({ reason: 'reload' });
      expect(seen.filter((event) => event.type === 'worker-exit')).toEqual([expect.objectContaining({ pid: old, cause: 'stopped' })]);

      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(primary.outcome()).toMatchObject({ status: 'ok', errors: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'a replacement whose check never passes hits readyTimeout: named, replaced with backoff, the reload completes (never hangs)',
    async () => {
      const port = await freePort();
      // No CHECK_FILE: generation 1's check never passes; generation 2 (its replacement) has no check.
      const primary = startCluster({ PORT: String(port), WORKERS: '1', CHECK_GENS: '1', READY_TIMEOUT: '3000', STOP_TIMEOUT: '2000' });
      const [old] = await poolPids(primary);
      primary.signal('SIGHUP');
      const late = await checkFailing(primary, 1);
      expect(await waitForEvent(primary, 'worker-stopping', (event) => event.pid === late)).toMatchObject({ reason: 'ready-timeout' });
      expect(await waitForEvent(primary, 'worker-exit', (event) => event.pid === late)).toMatchObject({ cause: 'ready-timeout' });
      const restart = await waitForEvent(primary, 'task-restart');
      expect(restart).toMatchObject({ name: 'worker 0', attempt: 1 });
      expect(restart.error).toBe(`WorkerFailedError: worker 0 (pid ${late}) was not ready within 3000 ms`);
      await waitForEvent(primary, 'reload-done');
      const seen = events(primary);
      expect(seen.filter((event) => event.type === 'worker-started').map((event) => event.generation)).toEqual([0, 1, 2]);
      // The late worker never counted as ready; the old one served until generation 2 was ready.
      expect(seen.filter((event) => event.type === 'worker-ready' && event.pid === late)).toEqual([]);
      expect(await waitForEvent(primary, 'worker-exit', (event) => event.pid === old)).toMatchObject({ cause: 'stopped' });
      expect(primary.stderr).toMatch(/was not ready within 3000 ms/);

      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
    },
    CHILD_TEST_TIMEOUT,
  );
});
