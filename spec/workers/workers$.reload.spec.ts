import { CHILD_TEST_TIMEOUT } from '../process/fixtureChild';
import { events, freePort, isAlive, killClusters, loadUntil, poolPids, startCluster, waitForEvent } from './clusterFixture';

afterEach(killClusters);

describe('workers$: rolling restart', () => {
  it.each([
    ['0 ms', '0'],
    ['200 ms', '200'],
  ])(
    'SIGHUP under real load (undici Pool, GET and POST, %s handler): replacement ready before the old one drains, no request lost',
    async (_label, delay) => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2', DELAY_MS: delay });
      const oldPids = await poolPids(primary);
      const done = waitForEvent(primary, 'reload-done');
      const load = loadUntil(`http://127.0.0.1:${port}`, done, { connections: 8, maxRequests: 40_000 });
      // Load is flowing before the reload starts.
      await waitForEvent(primary, 'worker-ready', () => true, 2);
      primary.signal('SIGHUP');
      await done;
      const result = await load;

      expect(result.failures).toEqual([]);
      expect(result.failed).toBe(0);
      expect(result.ok).toBeGreaterThan(0);
      const seen = events(primary);
      // Per slot, in order: the replacement is ready before the old worker is asked to stop, and the
      // next slot's replacement is forked only after the old one exited.
      const order = seen
        .filter((event) => ['worker-started', 'worker-ready', 'worker-stopping', 'worker-exit', 'reload-start', 'reload-done'].includes(event.type))
        .filter((event) => event.type.startsWith('reload') || seen.indexOf(event) > seen.findIndex((each) => each.type === 'reload-start'))
        .map((event) => `${event.type}${event.index === undefined ? '' : ` ${event.index}`}${event.reason === undefined ? '' : ` ${event.reason}`}${event.cause === undefined ? '' : ` ${event.cause}`}`);
      expect(order).toEqual([
        'reload-start',
        'worker-started 0',
        'worker-ready 0',
        'worker-stopping 0 reload',
        'worker-exit 0 stopped',
        'worker-started 1',
        'worker-ready 1',
        'worker-stopping 1 reload',
        'worker-exit 1 stopped',
        'reload-done',
      ]);
      for (const pid of oldPids) expect(primary.stdoutLines()).toContainEqual(expect.stringMatching(new RegExp(`^worker \\d 0 ${pid} stopping reload$`)));
      expect(oldPids.filter(isAlive)).toEqual([]);
      // Requests after the reload reach the new workers only.
      const after = await loadUntil(`http://127.0.0.1:${port}`, new Promise(() => undefined), { connections: 2, maxRequests: 20 });
      expect(after.failed).toBe(0);
      for (const pid of after.pids) expect(oldPids).not.toContain(pid);

      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(primary.outcome()).toMatchObject({ status: 'ok', errors: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'a replacement that never becomes ready is stopped at readyTimeout, named, replaced with backoff; the reload completes',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '1', NEVER_READY_GENS: '1', READY_TIMEOUT: '5000', STOP_TIMEOUT: '2000' });
      const [old] = await poolPids(primary);
      primary.signal('SIGHUP');
      const late = await waitForEvent(primary, 'worker-started', (event) => event.generation === 1);
      expect(await waitForEvent(primary, 'worker-stopping', (event) => event.pid === late.pid)).toMatchObject({ reason: 'ready-timeout' });
      expect(await waitForEvent(primary, 'worker-exit', (event) => event.pid === late.pid)).toMatchObject({ cause: 'ready-timeout' });
      const restart = await waitForEvent(primary, 'task-restart');
      expect(restart).toMatchObject({ name: 'worker 0', attempt: 1 });
      expect(restart.error).toBe(`WorkerFailedError: worker 0 (pid ${late.pid}) was not ready within 5000 ms`);
      await waitForEvent(primary, 'reload-done');
      const started = events(primary).filter((event) => event.type === 'worker-started').map((event) => event.generation);
      expect(started).toEqual([0, 1, 2]);
      // The old worker served until the working replacement (generation 2) was ready.
      expect(await waitForEvent(primary, 'worker-exit', (event) => event.pid === old)).toMatchObject({ cause: 'stopped' });
      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'an old worker ignoring its reload stop is killed at stopTimeout and named; the reload completes',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '1', IGNORE_STOP_GENS: '0', STOP_TIMEOUT: '500' });
      const [old] = await poolPids(primary);
      primary.signal('SIGHUP');
      expect(await waitForEvent(primary, 'worker-killed')).toMatchObject({ pid: old, reason: 'stop-timeout' });
      expect(await waitForEvent(primary, 'worker-exit', (event) => event.pid === old)).toMatchObject({ cause: 'killed', signal: 'SIGKILL' });
      await waitForEvent(primary, 'reload-done');
      expect(primary.stderr).toMatch(/killed worker 0 \(pid \d+\) with SIGKILL: still running at stopTimeout/);
      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'reloads requested during a reload are queued once (then coalesced), said in the log; two rolling restarts run in turn',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '1' });
      await poolPids(primary);
      primary.signal('SIGUSR2'); // pool.reload() three times in a row
      await waitForEvent(primary, 'reload-done', () => true, 2);
      const reloads = events(primary).filter((event) => event.type.startsWith('reload-'));
      expect(reloads.map((event) => `${event.type}${event.coalesced === undefined ? '' : ` ${event.coalesced}`}`)).toEqual([
        'reload-start',
        'reload-queued false',
        'reload-queued true',
        'reload-done',
        'reload-start',
        'reload-done',
      ]);
      expect(primary.stderr).toMatch(/reload requested during a rolling restart: queued, runs once this one is done/);
      expect(primary.stderr).toMatch(/reload requested during a rolling restart: coalesced with the one already queued/);
      expect(events(primary).filter((event) => event.type === 'worker-started').map((event) => event.generation)).toEqual([0, 1, 2]);
      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'SIGTERM during a reload cancels it (no new fork, no reload-done) and drains every worker, old and new',
    async () => {
      const port = await freePort();
      const primary = startCluster({ PORT: String(port), WORKERS: '2', NEVER_READY_GENS: '1', READY_TIMEOUT: '60000' });
      const pids = await poolPids(primary);
      primary.signal('SIGHUP');
      const replacement = await waitForEvent(primary, 'worker-started', (event) => event.generation === 1);
      await primary.waitForLine(new RegExp(`^worker 0 1 ${replacement.pid} up$`));
      primary.signal('SIGTERM');
      expect(await primary.exited).toEqual({ code: null, signal: 'SIGTERM' });
      const seen = events(primary);
      expect(seen.filter((event) => event.type === 'reload-cancelled')).toEqual([expect.objectContaining({ replaced: 0, count: 2 })]);
      expect(seen.filter((event) => event.type === 'reload-done')).toEqual([]);
      expect(seen.filter((event) => event.type === 'worker-started')).toHaveLength(3);
      const exits = seen.filter((event) => event.type === 'worker-exit');
      expect(exits.map((event) => [event.pid, event.cause]).sort()).toEqual([...pids, replacement.pid].sort().map((pid) => [pid, 'stopped']));
      expect(primary.stderr).toMatch(/rolling restart cancelled by the shutdown after 0 of 2 workers/);
      expect(primary.outcome()).toMatchObject({ status: 'ok', reason: 'SIGTERM', errors: [] });
    },
    CHILD_TEST_TIMEOUT,
  );
});
