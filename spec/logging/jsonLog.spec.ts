/**
 * The JSON-lines log (`logger: 'json'`, or `RXRUN_LOG=json` in the environment): one JSON object per
 * lifecycle event, for log collectors. Runs the app in virtual time from a fixed epoch, so every
 * `time` is exact; the last test runs a real process with a real SIGTERM.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { NEVER } from 'rxjs';
import { runApp$, type AppMain, type LifecycleLogRecord, type Logger, type RunAppOptions } from 'rxrun';
import { createTestProcess, runVirtualApp, withVirtualTime, type TestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

const START = Date.parse('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(START + ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A hook of 300 ms, a finalizer that fails after 200 ms; SIGTERM at 1000.
const orders: AppMain = (ctx) => {
  ctx.onShutdown(async () => { await sleep(300); }, { name: 'readiness' });
  ctx.defer(async () => {
    await sleep(200);
    throw new Error('pool.end() failed');
  }, { name: 'pool' });
  return NEVER;
};

/** Runs `orders` in virtual time against `port` and returns what the logger wrote there. */
async function runOrders(options: RunAppOptions, port: TestProcess = createTestProcess()): Promise<readonly string[]> {
  await withVirtualTime(async () => {
    const app = runVirtualApp(orders, { logger: undefined, ...options, process: port });
    app.port.signal('SIGTERM', 1000);
    await app.stopped;
  }, { start: START });
  return port.lines;
}

const parse = (lines: readonly string[]) => lines.map((line) => JSON.parse(line) as LifecycleLogRecord);

describe("logger: 'json'", () => {
  it('writes one JSON object per lifecycle event, one per line: time, level, app, phase, event, names, error', async () => {
    const lines = await runOrders({ logger: 'json', name: 'orders' });
    for (const line of lines) expect(line).not.toContain('\n');
    const records = parse(lines);
    const base = (ms: number, level: string, phase: string, event: string) => ({ time: at(ms), level, app: 'orders', phase, event, msg: expect.any(String) });
    expect(records).toEqual([
      base(0, 'debug', 'starting', 'phase'),
      base(0, 'debug', 'running', 'phase'),
      base(0, 'debug', 'running', 'ready-sent'),
      { ...base(1000, 'info', 'running', 'shutdown-requested'), reason: 'SIGTERM', first: true },
      base(1000, 'debug', 'stopping', 'phase'),
      { ...base(1000, 'debug', 'stopping', 'hook-start'), kind: 'hook', hook: 'readiness' },
      { ...base(1300, 'debug', 'stopping', 'hook-end'), kind: 'hook', hook: 'readiness' },
      base(1300, 'debug', 'draining', 'phase'),
      { ...base(1300, 'info', 'draining', 'tasks-cancelled'), count: 1, names: ['main'] },
      base(1300, 'debug', 'finalizing', 'phase'),
      { ...base(1300, 'info', 'finalizing', 'finalizers-start'), count: 1 },
      { ...base(1300, 'debug', 'finalizing', 'finalizer-start'), kind: 'finalizer', finalizer: 'pool' },
      {
        ...base(1500, 'error', 'finalizing', 'error'),
        source: 'finalizer',
        finalizer: 'pool',
        error: { name: 'Error', message: 'pool.end() failed', stack: expect.stringMatching(/^Error: pool\.end\(\) failed\n\s+at /) },
      },
      { ...base(1500, 'debug', 'finalizing', 'finalizer-failed'), kind: 'finalizer', finalizer: 'pool', error: expect.objectContaining({ message: 'pool.end() failed' }) },
      base(1500, 'debug', 'stopped', 'phase'),
      { ...base(1500, 'info', 'stopped', 'stopped'), status: 'error', reason: 'SIGTERM', shutdownMs: 500, errorCount: 1, openHandles: [] },
    ]);
  });

  it("says what the human log says: each info, warn and error record's msg is that line (its first line)", async () => {
    const json = parse(await runOrders({ logger: 'json' })).filter((record) => record.level !== 'debug');
    const text = await runOrders({ logger: 'text' });
    expect(json.map((record) => `rxrun: ${record.msg}`)).toEqual(text.map((line) => line.split('\n')[0]));
    expect(json.map((record) => record.level)).toEqual(['info', 'info', 'info', 'error', 'info']);
    expect(json.every((record) => !('app' in record))).toBe(true); // no name option: no app field
  });

  it('names what a budget overrun cut off', async () => {
    const port = createTestProcess();
    await withVirtualTime(async () => {
      const app = runVirtualApp((ctx) => {
        ctx.defer(() => new Promise(() => {}), { name: 'pool' });
        return NEVER;
      }, { logger: 'json', process: port, shutdownTimeout: 5000 });
      app.port.signal('SIGINT', 10);
      await app.stopped;
    });
    const timeout = parse(port.lines).find((record) => record.event === 'timeout');
    expect(timeout).toMatchObject({
      time: new Date(5010).toISOString(),
      level: 'warn',
      phase: 'finalizing',
      cause: 'timeout',
      budgetMs: 5000,
      pending: [{ kind: 'finalizer', name: 'pool', state: 'running' }],
      activeHandles: [],
    });
  });

  it('takes its time from the scheduler (frames inside TestScheduler.run)', () => {
    const port = createTestProcess();
    newScheduler().run(() => {
      runApp$(NEVER, { logger: 'json', process: port }).subscribe();
      port.signal('SIGTERM', 7);
    });
    expect(parse(port.lines).at(-1)).toMatchObject({ time: '1970-01-01T00:00:00.007Z', event: 'stopped', shutdownMs: 0 });
  });
});

describe('RXRUN_LOG', () => {
  const envPort = (value: string) => createTestProcess({ env: { RXRUN_LOG: value } });

  it('=json picks the JSON log when the logger option is not given', async () => {
    const lines = await runOrders({ name: 'orders' }, envPort('json'));
    expect(parse(lines).map((record) => record.event)).toContain('stopped');
  });

  it('=text (or unset, or empty) keeps the human log, line for line', async () => {
    const plain = await runOrders({});
    expect(plain[0]).toBe('rxrun: SIGTERM; entering shutdown phase');
    expect(await runOrders({}, envPort('text'))).toEqual(plain);
    expect(await runOrders({}, envPort(''))).toEqual(plain);
    expect(await runOrders({}, envPort(' JSON '))).not.toEqual(plain);
  });

  it('gives way to an explicit logger option', async () => {
    expect(await runOrders({ logger: 'text' }, envPort('json'))).toEqual(await runOrders({}));
    expect(await runOrders({ logger: false }, envPort('json'))).toEqual([]);
    const records: LifecycleLogRecord[] = [];
    await runOrders({ logger: { record: (record) => void records.push(record) } }, envPort('text'));
    expect(records.length).toBeGreaterThan(0);
  });

  it('with any other value, throws a RangeError naming the variable', () => {
    expect(() => runApp$(NEVER, { process: envPort('yaml') })).toThrow(
      new RangeError(`runApp$: environment variable RXRUN_LOG must be 'json' or 'text', got "yaml"`),
    );
  });
});

describe('a logger with a record method', () => {
  it('gets every event as a record, and the line methods get nothing for events', async () => {
    const records: LifecycleLogRecord[] = [];
    const lines: string[] = [];
    const logger: Logger = { record: (record) => void records.push(record), info: (line) => void lines.push(line), error: (line) => void lines.push(line) };
    const port = createTestProcess();
    await withVirtualTime(async () => {
      const app = runVirtualApp(orders, { logger, process: port });
      app.port.signal('SIGTERM', 1000);
      await app.stopped;
      expect(records.map((record) => record.event)).toEqual(app.events.map((event) => event.type));
    });
    expect(lines).toEqual([]);
    expect(port.lines).toEqual([]);
  });
});

describe('validation', () => {
  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['logger', 'yaml', TypeError, /option 'logger' must be a console-like object, 'text', 'json' or false, got "yaml"/],
    ['logger', { record: 'yes' }, TypeError, /logger\.record/],
    ['name', 5, TypeError, /option 'name' must be a string/],
    ['name', '', RangeError, /option 'name' must not be empty/],
  ])('%s: %p → %p', (option, value, type, message) => {
    const run = () => runApp$(NEVER, { [option]: value, process: createTestProcess() });
    expect(run).toThrow(type);
    expect(run).toThrow(message);
  });

  it("createTestProcess checks 'env'", () => {
    expect(() => createTestProcess({ env: { RXRUN_LOG: 1 } as never })).toThrow(new TypeError(`createTestProcess: option 'env.RXRUN_LOG' must be a string, got 1`));
    expect(() => createTestProcess({ env: 'RXRUN_LOG=json' as never })).toThrow(TypeError);
  });
});

describe('a real process with RXRUN_LOG=json', () => {
  it('writes JSON lines to stderr, and a real SIGTERM stops it', async () => {
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'jsonLogApp.js')], {
      cwd: __dirname,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '', RXRUN_LOG: 'json' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready') && resolve());
        child.on('close', () => reject(new Error(`exited before ready\n${stderr}`)));
      });
      child.kill('SIGTERM');
      expect(await exited).toBe('SIGTERM');
    } finally {
      child.kill('SIGKILL');
    }
    const records = stderr.trim().split('\n').map((line) => JSON.parse(line) as LifecycleLogRecord);
    // Every event, debug ones included (a collector filters on level).
    expect(records.map((record) => `${record.level} ${record.event === 'phase' ? record.phase : record.event}`)).toEqual([
      'debug starting', 'debug running', 'info shutdown-requested', 'debug stopping', 'debug draining', 'info tasks-cancelled',
      'debug finalizing', 'info finalizers-start', 'debug finalizer-start', 'debug finalizer-end', 'debug stopped', 'info stopped',
    ]);
    for (const record of records) {
      expect(record).toMatchObject({ app: 'orders', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    }
    expect(records.at(-1)).toMatchObject({ phase: 'stopped', status: 'ok', reason: 'SIGTERM' });
  }, 60_000);
});
