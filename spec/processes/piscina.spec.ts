/**
 * A real Piscina 5 pool in `runApp`'s `executors`: closed and awaited while the app finalizes, its
 * queued tasks finished within the budget; when the budget runs out while the pool is still closing,
 * the report names it, and through `poolExecutor` the outcome counts the tasks it cut off. Nothing
 * here depends on speed: a hanging task tells the test when it runs, and never ends by itself.
 */
import { once } from 'node:events';
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { NEVER, defer, lastValueFrom, toArray, type Observable } from 'rxjs';
import { ExecutorCutOffError, poolExecutor, runApp$, type AppContext, type AppOutcome, type LifecycleEvent, type RunAppOptions } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

const TASK = path.join(__dirname, 'fixtures', 'pool-task.js');
const TIMEOUT = 60_000;

async function runToEnd(
  main: (app: AppContext) => Observable<unknown>,
  options: RunAppOptions,
): Promise<{ events: LifecycleEvent[]; outcome: AppOutcome }> {
  const port = createTestProcess({ ipc: false });
  const events = await lastValueFrom(runApp$(main, { process: port, logger: false, ...options }).pipe(toArray()));
  const last = events[events.length - 1];
  if (last?.type !== 'stopped') throw new Error('the app did not stop');
  return { events, outcome: last.outcome };
}

/** Starts a task that never ends on `pool`; resolves once a thread runs it. */
async function hang(pool: Piscina, settled: Promise<unknown>[]): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  settled.push(pool.run({ kind: 'hang', port: port2 }, { transferList: [port2] }).catch((error: unknown) => error));
  await once(port1, 'message');
  port1.close();
}

describe('Piscina in executors', () => {
  const pools: Piscina[] = [];
  const newPool = () => {
    const pool = new Piscina({ filename: TASK, minThreads: 1, maxThreads: 1, closeTimeout: 120_000 });
    pools.push(pool);
    return pool;
  };
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
  });

  it('the pool is closed while finalizing, after its queued tasks finished: their results are in before the app stops', async () => {
    const pool = newPool();
    const done: string[] = [];
    const { events, outcome } = await runToEnd(
      (app) =>
        defer(() => {
          // One thread: the second and third wait in the queue when the app begins to stop.
          for (const value of ['a', 'b', 'c']) void pool.run({ kind: 'sleep', ms: 50, value }).then((result: string) => done.push(result));
          app.stop();
          return NEVER;
        }),
      { executors: [pool], shutdownTimeout: 30_000 },
    );
    expect(outcome.status).toBe('ok');
    expect(outcome.report).toBeUndefined();
    expect([...done].sort()).toEqual(['a', 'b', 'c']);
    const steps = events.filter((e) => e.type === 'finalizer-start' || e.type === 'finalizer-end');
    expect(steps).toMatchObject([
      { type: 'finalizer-start', kind: 'executor', name: 'Piscina#1' },
      { type: 'finalizer-end', kind: 'executor', name: 'Piscina#1' },
    ]);
    // Closed: no thread left.
    expect(pool.threads).toHaveLength(0);
  }, TIMEOUT);

  it('when the budget runs out while the pool is still closing, the report names the executor', async () => {
    const pool = newPool();
    const settled: Promise<unknown>[] = [];
    const { outcome } = await runToEnd(
      (app) =>
        defer(async () => {
          await hang(pool, settled);
          void pool.run({ kind: 'sleep', ms: 1, value: 'queued' }).catch(() => undefined);
          app.stop();
          return NEVER;
        }),
      { executors: [pool], shutdownTimeout: 300 },
    );
    expect(outcome.status).toBe('timeout');
    expect(outcome.report).toMatchObject({ cause: 'timeout', phase: 'finalizing' });
    expect(outcome.report?.pending).toEqual([{ kind: 'executor', name: 'Piscina#1', state: 'running' }]);
  }, TIMEOUT);

  it('through poolExecutor, the cut-off counts the queued and running tasks, and the pool is destroyed', async () => {
    const pool = newPool();
    const settled: Promise<unknown>[] = [];
    const { outcome } = await runToEnd(
      (app) =>
        defer(async () => {
          await hang(pool, settled);
          for (const value of ['x', 'y']) settled.push(pool.run({ kind: 'sleep', ms: 1, value }).catch((error: unknown) => error));
          app.stop();
          return NEVER;
        }),
      { executors: [poolExecutor(pool, { name: 'thumbnails' })], shutdownTimeout: 300 },
    );
    expect(outcome.status).toBe('timeout');
    expect(outcome.report?.pending).toEqual([{ kind: 'executor', name: 'thumbnails', state: 'running' }]);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ source: 'executor', name: 'thumbnails' });
    const error = outcome.errors[0]?.error as ExecutorCutOffError;
    expect(error).toBeInstanceOf(ExecutorCutOffError);
    expect(error).toMatchObject({ executor: 'thumbnails', queued: 2, running: 1, threads: 1 });
    expect(error.message).toBe("executor 'thumbnails' was still closing when the shutdown budget ran out: 2 queued task(s), 1 running on 1 thread(s)");
    // Destroyed at the cut-off: every task it held settles (rejected), none hangs on.
    const results = await Promise.all(settled);
    expect(results.every((result) => result instanceof Error)).toBe(true);
  }, TIMEOUT);

  it('poolExecutor validates its arguments, naming them', () => {
    const pool = { close: () => Promise.resolve(), queueSize: 0 };
    expect(() => poolExecutor(null as never, { name: 'p' })).toThrow(/'pool'/);
    expect(() => poolExecutor({ queueSize: 0 } as never, { name: 'p' })).toThrow(/close\(\)/);
    expect(() => poolExecutor({ close: () => Promise.resolve() } as never, { name: 'p' })).toThrow(/queueSize/);
    expect(() => poolExecutor(pool, undefined as never)).toThrow(/name/);
    expect(() => poolExecutor(pool, {} as never)).toThrow(/'name' is required/);
    expect(() => poolExecutor(pool, { name: 'p', bogus: 1 } as never)).toThrow(/bogus/);
    expect(() => poolExecutor(pool, { name: 'p', app: {} as never })).toThrow(/app/);
    expect(poolExecutor(pool, { name: 'p' }).name).toBe('p');
  });
});
