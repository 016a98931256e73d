/**
 * Virtual time for whole apps (`withVirtualTime` + `runVirtualApp` from `rxrun/testing`): async hooks
 * and finalizers, `setTimeout`/`Date.now` in user code, RxJS `asyncScheduler` timers, the shutdown
 * budget, step timeouts and `supervise` backoffs all run on one faked clock. Every assertion is on
 * virtual time (never on how long the test took). The first three tests are the testing guide's (docs/testing.md) examples,
 * verbatim (the last test checks that).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleepPromise } from 'node:timers/promises';
import { asyncScheduler, map, take, timer } from 'rxjs';
import { runApp, StepTimeoutError } from 'rxrun';
import { createTestProcess, VirtualTimeStallError } from 'rxrun/testing';

const realSetTimeout = globalThis.setTimeout;
const realDate = globalThis.Date;

/** Fake timers are gone: the globals are the real ones again. */
function expectRealTimers(): void {
  expect(globalThis.setTimeout).toBe(realSetTimeout);
  expect(globalThis.Date).toBe(realDate);
}

afterEach(expectRealTimers);

// readme-example:start
import { NEVER, defer, interval, switchMap } from 'rxjs';
import { supervise } from 'rxrun';
import { runVirtualApp, withVirtualTime } from 'rxrun/testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a worker whose async hook and finalizer take 5.2 virtual seconds', async () => {
  let poolClosedAt = -1;
  const app = await withVirtualTime(async (clock) => {
    const app = runVirtualApp((ctx) => {
      ctx.onShutdown(async () => { await sleep(200); }, { name: 'stop-consuming' });
      ctx.defer(async () => { await sleep(5000); poolClosedAt = clock.now; }, { name: 'pool' }); // await pool.end()
      return interval(1000); // the worker's loop
    });
    app.port.signal('SIGTERM', 10_000);
    await app.stopped; // virtual time runs until the app stops: a few real ms
    return app;
  });
  expect(poolClosedAt).toBe(15_200); // SIGTERM at 10 000, hook 200, finalizer 5000
  expect(app.outcome?.status).toBe('ok');
  expect(app.outcome?.shutdownMs).toBe(5200);
  expect(app.exitCode).toBe(143);
});

test('a finalizer that hangs is cut off by the 25 s budget, and named', async () => {
  const outcome = await withVirtualTime(async () => {
    const app = runVirtualApp((ctx) => {
      ctx.defer(() => new Promise(() => {}), { name: 'pool' }); // pool.end() stuck on a dead connection
      return NEVER;
    });
    app.port.signal('SIGTERM', 1000);
    return app.stopped;
  });
  expect(outcome.status).toBe('timeout');
  expect(outcome.shutdownMs).toBe(25_000); // the default budget, in virtual time
  expect(outcome.report?.pending).toEqual([{ kind: 'finalizer', name: 'pool', state: 'running' }]);
});

test('supervise backs off through a 10-minute outage, then runs until SIGTERM at 1 h', async () => {
  const MINUTE = 60_000;
  const connect = async () => {
    if (Date.now() < 10 * MINUTE) throw new Error('ECONNREFUSED'); // the broker is down for 10 minutes
    return 'connection';
  };
  const app = await withVirtualTime(async () => {
    const app = runVirtualApp(() =>
      supervise(defer(connect).pipe(switchMap(() => NEVER)), {
        name: 'consumer', backoff: { initial: 1000, factor: 2, max: MINUTE }, maxRestarts: Infinity,
      }),
    );
    app.port.signal('SIGTERM', 60 * MINUTE);
    await app.stopped;
    return app;
  });
  const restarts = app.events.flatMap((e) => (e.type === 'task-restart' ? [[e.at, e.delayMs]] : []));
  expect(restarts).toEqual([
    [0, 1000], [1000, 2000], [3000, 4000], [7000, 8000], [15_000, 16_000], [31_000, 32_000], // doubling
    ...[63_000, 123_000, 183_000, 243_000, 303_000, 363_000, 423_000, 483_000, 543_000].map((at) => [at, MINUTE]), // capped
  ]); // the restart at 603 000 connects
  expect(app.events.at(-1)?.at).toBe(60 * MINUTE);
  expect(app.outcome?.status).toBe('ok');
});
// readme-example:end

describe('withVirtualTime', () => {
  it('fakes setTimeout, setInterval, setImmediate and Date, and the timers RxJS asyncScheduler uses', async () => {
    const seen: string[] = [];
    const end = await withVirtualTime(async (clock) => {
      expect(Date.now()).toBe(0);
      expect(new Date().toISOString()).toBe('1970-01-01T00:00:00.000Z');
      setTimeout(() => seen.push(`timeout@${Date.now()}`), 300);
      const handle = setInterval(() => seen.push(`interval@${Date.now()}`), 250);
      setTimeout(() => clearInterval(handle), 600);
      setImmediate(() => seen.push(`immediate@${Date.now()}`));
      asyncScheduler.schedule(() => seen.push(`asyncScheduler@${asyncScheduler.now()}`), 400);
      interval(200).pipe(take(2)).subscribe((n) => seen.push(`interval$${n}@${Date.now()}`));
      await sleepPromise(100); // node:timers/promises too
      seen.push(`timers/promises@${clock.now}`);
      return clock.advance(900);
    });
    expect(seen).toEqual([
      'immediate@0', 'timers/promises@100', 'interval$0@200', 'interval@250', 'timeout@300',
      'asyncScheduler@400', 'interval$1@400', 'interval@500', // at 400: the action set first fires first
    ]);
    expect(end).toBe(1000);
  });

  it('leaves promises, queueMicrotask, process.nextTick and performance.now real', async () => {
    const realNow = performance.now;
    const order = await withVirtualTime(async () => {
      expect(performance.now).toBe(realNow);
      const steps: string[] = [];
      setTimeout(() => steps.push('timeout 0'), 0);
      setImmediate(() => steps.push('immediate'));
      await new Promise<void>((resolve) => process.nextTick(() => resolve(void steps.push('nextTick'))));
      await new Promise<void>((resolve) => queueMicrotask(() => resolve(void steps.push('microtask'))));
      await sleep(0);
      return steps;
    });
    // nextTick and microtasks run at once, without the clock; timers only when the clock moves
    // (a 0 ms timeout counts as 1 ms, as in Node).
    expect(order).toEqual(['nextTick', 'microtask', 'immediate', 'timeout 0']);
  });

  it('moves time only when nothing else can run: timers due together fire in the order they were set', async () => {
    const order = await withVirtualTime(async (clock) => {
      const steps: string[] = [];
      setTimeout(() => steps.push('a@50'), 50);
      setTimeout(() => {
        steps.push('b@50');
        void Promise.resolve().then(() => steps.push('b.then@50'));
      }, 50);
      setTimeout(() => steps.push('c@50'), 50);
      await clock.advance(50);
      steps.push(`advanced@${clock.now}`);
      return steps;
    });
    expect(order).toEqual(['a@50', 'b@50', 'b.then@50', 'c@50', 'advanced@50']);
  });

  it('starts the clock at the given epoch', async () => {
    const start = Date.parse('2030-01-01T00:00:00Z');
    const iso = await withVirtualTime(async (clock) => {
      await clock.advance(1500);
      return new Date().toISOString();
    }, { start });
    expect(iso).toBe('2030-01-01T00:00:01.500Z');
  });

  it('waits in real time for real I/O while no virtual timer is due', async () => {
    const result = await withVirtualTime(async (clock) => {
      const text = await readFile(__filename, 'utf8');
      await sleep(10);
      return { length: text.length, now: clock.now };
    });
    expect(result).toEqual({ length: readFileSync(__filename, 'utf8').length, now: 10 });
  });

  it('always uninstalls the fake timers: when the body throws, the error comes out as it was', async () => {
    const boom = new Error('boom');
    await expect(withVirtualTime(async () => {
      await sleep(100);
      throw boom;
    })).rejects.toBe(boom);
    expectRealTimers();
    await expect(withVirtualTime(() => {
      throw boom;
    })).rejects.toBe(boom);
    expectRealTimers();
  });

  it('rejects with what a virtual timer callback threw (Node would raise an uncaughtException)', async () => {
    const thrown = new Error('from a timer');
    await expect(withVirtualTime(async () => {
      setTimeout(() => {
        throw thrown;
      }, 100);
      await sleep(1000);
    })).rejects.toBe(thrown);
  });

  it('fails with VirtualTimeStallError when nothing can ever finish the body (an app with no shutdown point)', async () => {
    const failure = withVirtualTime(async () => {
      await sleep(500);
      return runVirtualApp(NEVER).stopped;
    });
    await expect(failure).rejects.toThrow(VirtualTimeStallError);
    const error = (await failure.catch((e: unknown) => e)) as VirtualTimeStallError;
    expect(error).toMatchObject({ name: 'VirtualTimeStallError', reason: 'idle', virtualNow: 500, runningApps: ['running'] });
    expect(error.message).toMatch(/no virtual timer is pending .* 1 virtual app is still running \(phase 'running'\).*shutdown point/);
  });

  it("fails with VirtualTimeStallError after 'maxTimers' timers (an app ticking forever)", async () => {
    const failure = withVirtualTime(() => runVirtualApp(interval(1000)).stopped, { maxTimers: 50 });
    const error = (await failure.catch((e: unknown) => e)) as VirtualTimeStallError;
    expect(error).toBeInstanceOf(VirtualTimeStallError);
    expect(error).toMatchObject({ reason: 'timer-limit', timersFired: 50, virtualNow: 50_000 });
    expect(error.message).toMatch(/50 virtual timers fired .*'maxTimers'/);
  });

  it('does not nest, and does not mix with jest.useFakeTimers()', async () => {
    await withVirtualTime(async () => {
      await expect(withVirtualTime(() => 1)).rejects.toThrow(/already inside a withVirtualTime block/);
    });
    jest.useFakeTimers();
    try {
      await expect(withVirtualTime(() => 1)).rejects.toThrow(/timers are already faked \(jest.useFakeTimers\(\)\?\)/);
    } finally {
      jest.useRealTimers();
    }
  });

  it('validates its arguments, naming them', async () => {
    await expect(withVirtualTime('body' as never)).rejects.toThrow(new TypeError(`withVirtualTime: 'body' must be a function, got "body"`));
    await expect(withVirtualTime(() => 1, { speed: 2 } as never)).rejects.toThrow(/unknown option 'speed'/);
    await expect(withVirtualTime(() => 1, { start: '0' } as never)).rejects.toThrow(TypeError);
    await expect(withVirtualTime(() => 1, { start: 0.5 })).rejects.toThrow(new RangeError(`withVirtualTime: option 'start' must be a whole number of epoch ms, got 0.5`));
    await expect(withVirtualTime(() => 1, { maxTimers: 0 })).rejects.toThrow(RangeError);
    await withVirtualTime(async (clock) => {
      expect(() => clock.advance(-1)).toThrow(RangeError);
      expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
      expect(() => clock.advance('5' as never)).toThrow(new TypeError(`clock.advance: 'ms' must be a number of ms, got "5"`));
    });
    expectRealTimers();
  });
});

describe('runVirtualApp', () => {
  it('needs a withVirtualTime block, and validates its options', async () => {
    expect(() => runVirtualApp(NEVER)).toThrow(/runVirtualApp: call it inside withVirtualTime/);
    await withVirtualTime(() => {
      expect(() => runVirtualApp(NEVER, 'x' as never)).toThrow(TypeError);
      expect(() => runVirtualApp(NEVER, { shutdownTimeout: -1 })).toThrow(RangeError);
    });
  });

  it("runs hook timeouts, the budget and the port's signals on the virtual clock", async () => {
    const app = await withVirtualTime(async () => {
      const app = runVirtualApp((ctx) => {
        ctx.onShutdown(() => sleep(60_000), { name: 'flush', timeout: 3000 });
        ctx.defer(async () => { await sleep(4000); }, { name: 'close', timeout: 10_000 });
        return NEVER;
      }, { shutdownTimeout: 20_000 });
      app.port.signal('SIGTERM', 2000);
      app.port.signal('SIGTERM', 2100); // within the 250 ms coalescing window: ignored
      await app.stopped;
      return app;
    });
    const at = (type: string, name?: string) =>
      app.events.find((e) => e.type === type && (name === undefined || ('name' in e && e.name === name)))?.at;
    expect(at('signal-coalesced')).toBe(2100);
    expect(at('hook-failed', 'flush')).toBe(5000);
    expect(app.outcome?.errors.map((r) => r.error)).toEqual([expect.any(StepTimeoutError)]);
    expect(at('finalizer-end', 'close')).toBe(9000);
    expect(app.outcome).toMatchObject({ status: 'error', shutdownMs: 7000 });
  });

  it('abandons an app still running when the block ends, leaving no listener behind', async () => {
    const port = createTestProcess();
    let finalized = false;
    const phase = await withVirtualTime(async (clock) => {
      const app = runVirtualApp((ctx) => {
        ctx.defer(() => void (finalized = true));
        return interval(10);
      }, { process: port });
      expect(port.listenerCount()).toBeGreaterThan(0);
      await clock.advance(1000);
      return app.phase;
    });
    expect(phase).toBe('running');
    expect(port.listenerCount()).toBe(0);
    expect(port.keepAlives).toBe(0);
    expect(finalized).toBe(false); // abandoned: torn down, no finalizer
  });

  it('gives the events with virtual times, and the exit status per the exitCode option', async () => {
    const app = await withVirtualTime(async () => {
      const app = runVirtualApp(() => timer(3000).pipe(map(() => 'done')), { until: 'main-complete', exitCode: () => 7 });
      await app.stopped;
      return app;
    });
    expect(app.events.map((e) => `${e.type === 'phase' ? e.phase : e.type}@${e.at}`)).toEqual([
      'starting@0', 'running@0', 'ready-sent@0', 'shutdown-requested@3000', 'stopping@3000', 'draining@3000', 'tasks-cancelled@3000',
      'finalizing@3000', 'finalizers-start@3000', 'stopped@3000', 'stopped@3000',
    ]);
    expect(app.exitCode).toBe(7);
  });

  it('works for runApp with a test port too (the process form)', async () => {
    const port = createTestProcess();
    const outcome = await withVirtualTime(async () => {
      port.signal('SIGINT', 30_000);
      return runApp((ctx) => {
        ctx.defer(() => sleep(1500));
        return NEVER;
      }, { process: port, logger: false });
    });
    expect(outcome.shutdownMs).toBe(1500);
    expect(port.exitCode).toBe(130);
  });
});

test("the testing guide (docs/testing.md) shows this file's virtual-time examples verbatim", () => {
  const source = readFileSync(__filename, 'utf8');
  const example = /\/\/ readme-example:start\n([\s\S]*?)\/\/ readme-example:end\n/.exec(source)?.[1];
  expect(example).toBeDefined();
  const readme = readFileSync(path.join(__dirname, '..', '..', 'docs', 'testing.md'), 'utf8');
  expect(readme).toContain('```ts\n' + (example ?? '') + '```\n');
});
