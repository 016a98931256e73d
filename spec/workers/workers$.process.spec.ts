import { CHILD_TEST_TIMEOUT } from '../process/fixtureChild';
import { events, freePort, isAlive, killClusters, poolPids, startCluster, waitForEvent, waitGone } from './clusterFixture';

afterEach(killClusters);

async function get(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return response.text();
}

describe('workers$ with real cluster workers and real signals', () => {
  it(
    'forks count workers, emits the pool once every one is ready; SIGTERM stops each through IPC, the primary exits by SIGTERM, no worker left',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2' });
      const pids = await poolPids(primary);
      expect(pids).toHaveLength(2);
      const ready = events(primary).filter((event) => event.type === 'worker-ready').map((event) => event.pid);
      expect(ready.sort()).toEqual([...pids].sort());
      expect(await get(port)).toMatch(/^pid=\d+/);

      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
      const exits = events(primary).filter((event) => event.type === 'worker-exit');
      expect(exits.map(({ pid, cause, code, signal }) => ({ pid, cause, code, signal })).sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0))).toEqual(
        [...pids].sort((a, b) => a - b).map((pid) => ({ pid, cause: 'stopped', code: 0, signal: null })),
      );
      // Each worker heard why it stopped, through its worker.stopping$.
      for (const pid of pids) expect(primary.stdoutLines()).toContainEqual(expect.stringMatching(new RegExp(`^worker \\d 0 ${pid} stopping shutdown$`)));
      expect(primary.outcome()).toMatchObject({ status: 'ok', reason: 'SIGTERM', errors: [] });
      expect(pids.filter(isAlive)).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'a worker SIGKILLed is named (crashed) and replaced after the backoff while the other keeps serving',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2', BACKOFF_MS: '200' });
      const [victim, survivor] = await poolPids(primary);
      process.kill(victim as number, 'SIGKILL');
      const exit = await waitForEvent(primary, 'worker-exit', (event) => event.pid === victim);
      expect(exit).toMatchObject({ cause: 'crashed', signal: 'SIGKILL', code: null });
      // The other worker serves meanwhile (the replacement waits 200 ms).
      expect(await get(port)).toBe(`pid=${survivor}\n`);
      const restart = await waitForEvent(primary, 'task-restart');
      expect(restart).toMatchObject({ name: `worker ${exit.index}`, attempt: 1 });
      expect(restart.error).toMatch(/WorkerFailedError: worker \d \(pid \d+\) exited unexpectedly \(SIGKILL\)/);
      const replacement = await waitForEvent(primary, 'worker-ready', (event) => event.index === exit.index && event.pid !== victim);
      expect(primary.stderr).toMatch(/worker \d \(pid \d+\) exited \(SIGKILL\): crashed/);

      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect([survivor, replacement.pid].filter((pid) => isAlive(pid as number))).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'a crash loop gives up (supervise intensity): SupervisorGaveUpError, every worker stopped, exit 1',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2', CRASH: '1', MAX_RESTARTS: '2', BACKOFF_MS: '10' });
      expect(await primary.exited).toEqual({ code: 1, signal: null });
      expect(events(primary).filter((event) => event.type === 'task-gave-up')).toEqual([
        expect.objectContaining({ name: expect.stringMatching(/^worker \d$/) }),
      ]);
      const outcome = primary.outcome();
      expect(outcome.status).toBe('error');
      expect(outcome.errors[0]?.message).toMatch(/SupervisorGaveUpError/);
      expect(primary.stderr).toMatch(/gave up restarting 'worker \d' after 2 restarts/);
      const forked = events(primary).filter((event) => event.type === 'worker-started').map((event) => event.pid as number);
      expect(forked.filter(isAlive)).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'the primary SIGKILLed: every worker is gone (its IPC channel closed), no orphans',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2' });
      const pids = await poolPids(primary);
      primary.signal('SIGKILL');
      await primary.exited;
      expect(await waitGone(pids, 10_000)).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'a worker ignoring its stop is killed at the budget and named in the report (and in worker-killed)',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2', IGNORE_STOP_GENS: '0', BUDGET: '1500' });
      const pids = await poolPids(primary);
      primary.signal('SIGTERM');
      await primary.exited;
      const outcome = primary.outcome();
      expect(outcome.status).toBe('timeout');
      expect(outcome.report?.pending).toEqual(
        expect.arrayContaining(pids.map((pid) => ({ kind: 'protected', name: expect.stringMatching(new RegExp(`^worker \\d \\(pid ${pid}\\)$`)), state: 'running' }))),
      );
      expect(events(primary).filter((event) => event.type === 'worker-killed').map((event) => [event.pid, event.reason]).sort()).toEqual(
        [...pids].sort().map((pid) => [pid, 'deadline']),
      );
      expect(primary.stderr).toMatch(/killed worker \d \(pid \d+\) with SIGKILL: still running at the shutdown budget/);
      expect(await waitGone(pids, 10_000)).toEqual([]);
    },
    CHILD_TEST_TIMEOUT,
  );
});
