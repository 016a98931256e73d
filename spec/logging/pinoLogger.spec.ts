/**
 * `pinoLogger(pino())`: lifecycle events go to real pino as structured fields. pino writes to a
 * destination this test captures; the app runs in virtual time, so pino's own `time` is virtual too.
 * Every call passes a real pino `Logger` where a `PinoLike` is expected, without a cast: the
 * structural type is checked by `npm run typecheck`.
 */
import pino from 'pino';
import { defer, throwError } from 'rxjs';
import { pinoLogger, supervise, type AppMain } from 'rxrun';
import { runVirtualApp, withVirtualTime } from 'rxrun/testing';

const START = Date.parse('2030-01-01T00:00:00Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One line pino wrote, parsed (fields are read loosely: their shape is what the test asserts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, read field by field
type PinoRecord = Record<string, any>;

/** A pino destination that keeps every line, parsed. */
function capture(): { write(line: string): void; readonly records: PinoRecord[] } {
  const records: PinoRecord[] = [];
  return { write: (line) => void records.push(JSON.parse(line) as PinoRecord), records };
}

const worker: AppMain = (ctx) => {
  ctx.defer(async () => {
    await sleep(250);
    throw new Error('pool.end() failed');
  }, { name: 'pool' });
  return supervise(defer(() => throwError(() => new Error('ECONNREFUSED'))), {
    name: 'consumer', backoff: { initial: 1000 }, maxRestarts: Infinity,
  });
};

async function runWorker(logger: pino.Logger): Promise<void> {
  await withVirtualTime(async () => {
    const app = runVirtualApp(worker, { name: 'orders', logger: pinoLogger(logger) });
    app.port.signal('SIGTERM', 1500);
    await app.stopped;
  }, { start: START });
}

describe('pinoLogger', () => {
  it('passes each event to pino as structured fields, at its level, with the human line as msg', async () => {
    const destination = capture();
    await runWorker(pino({ level: 'debug', name: 'orders-logger' }, destination));
    const { records } = destination;
    const shape = records.map((r) => `${r.level} ${r.event === 'phase' ? r.phase : r.event}`);
    expect(shape).toEqual([
      '20 starting', '40 task-restart', '20 running', '20 ready-sent', '40 task-restart', '30 shutdown-requested', '20 stopping', '20 draining',
      '30 tasks-cancelled', '20 finalizing', '30 finalizers-start', '20 finalizer-start', '50 error', '20 finalizer-failed',
      '20 stopped', '30 stopped',
    ]);
    for (const record of records) {
      // pino's own fields, once each; rxrun's never collide with them (no bare `name` from rxrun).
      expect(record).toMatchObject({ name: 'orders-logger', app: 'orders', pid: process.pid, msg: expect.any(String) });
    }
    expect(records[1]).toMatchObject({ time: START, phase: 'starting', task: 'consumer', attempt: 1, delayMs: 1000 }); // the first run failed at once
    expect(records[4]).toMatchObject({
      time: START + 1000, phase: 'running', event: 'task-restart', task: 'consumer', attempt: 2, delayMs: 2000,
      error: { name: 'Error', message: 'ECONNREFUSED', stack: expect.stringMatching(/^Error: ECONNREFUSED\n/) },
    });
    expect(records[12]).toMatchObject({
      time: START + 1750, phase: 'finalizing', event: 'error', source: 'finalizer', finalizer: 'pool',
      error: { message: 'pool.end() failed' }, msg: "finalizer 'pool' failed: Error: pool.end() failed",
    });
    expect(records.at(-1)).toMatchObject({ event: 'stopped', status: 'error', reason: 'SIGTERM', shutdownMs: 250, errorCount: 1 });
  });

  it("leaves filtering to pino: at pino's default level (info) the debug events are dropped", async () => {
    const destination = capture();
    await runWorker(pino({}, destination));
    expect(destination.records.map((r) => r.event)).toEqual([
      'task-restart', 'task-restart', 'shutdown-requested', 'tasks-cancelled', 'finalizers-start', 'error', 'stopped',
    ]);
  });

  it("works with a child logger, whose bindings come along", async () => {
    const destination = capture();
    await runWorker(pino({}, destination).child({ pod: 'orders-7d9f' }));
    expect(destination.records).toHaveLength(7);
    expect(destination.records.every((r) => r.pod === 'orders-7d9f' && r.app === 'orders')).toBe(true);
  });

  it('refuses what is not a pino logger, naming the argument', () => {
    expect(() => pinoLogger(undefined as never)).toThrow(new TypeError(`pinoLogger: 'target' must be a pino logger, got a value of type undefined`));
    expect(() => pinoLogger({ info: () => undefined } as never)).toThrow(new TypeError(`pinoLogger: 'target' must be a pino logger; it has no debug()`));
    expect(() => pinoLogger(console)).not.toThrow(); // anything with (fields, message) level methods fits
  });

  it('sends rxrun lines that belong to no event through the same level methods', () => {
    const destination = capture();
    const logger = pinoLogger(pino({}, destination));
    logger.error?.('rxrun: finalizer error while the app stopped: Error: late');
    expect(destination.records).toEqual([expect.objectContaining({ level: 50, msg: 'rxrun: finalizer error while the app stopped: Error: late' })]);
  });
});
