// resolveSettings and checkMain on their own (internal; issue 9): every default, every check's exact
// message, and which logger each `logger` value gives.
import { NEVER, asyncScheduler, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createTestProcess, type TestProcess } from 'rxrun/testing';
import { checkMain, resolveSettings } from '../../lib/core/resolveSettings';
import type { Executor } from '../../lib/core/types';

const W = 'where';
const resolve = (options: Record<string, unknown>, port: TestProcess = createTestProcess()) => resolveSettings(W, { process: port, ...options });

describe('checkMain (mutants)', () => {
  it('accepts a function, an Observable, an array of Observables, and returns it as is', () => {
    const factory = () => NEVER;
    const list = [NEVER, of(1)];
    expect(checkMain(W, factory)).toBe(factory);
    expect(checkMain(W, NEVER)).toBe(NEVER);
    expect(checkMain(W, list)).toBe(list);
    expect(checkMain(W, [])).toEqual([]);
  });

  it('refuses an array element that is not an Observable, by its index', () => {
    expect(() => checkMain(W, [NEVER, 'x'])).toThrow(new TypeError(`where: 'main[1]' must be an Observable, got "x"`));
    expect(() => checkMain(W, [Promise.resolve(1)])).toThrow(TypeError);
    expect(() => checkMain(W, [Promise.resolve(1)])).toThrow(/^where: 'main\[0\]' must be an Observable, got /);
  });

  it('refuses anything else', () => {
    expect(() => checkMain(W, 7)).toThrow(new TypeError(`where: 'main' must be an Observable, an array of Observables or a function (app) => tasks, got 7`));
  });
});

describe('resolveSettings (mutants)', () => {
  it('the defaults', () => {
    const port = createTestProcess();
    const settings = resolveSettings(W, { process: port });
    expect(settings).toMatchObject({
      name: undefined,
      until: 'shutdown',
      signals: ['SIGINT', 'SIGTERM'],
      ipcShutdown: true,
      shutdownTimeout: 25_000,
      onTaskError: 'shutdown',
      handleProcessErrors: true,
      executors: [],
      exitCode: 'conventional',
      signalCoalesceWindow: 250,
      forceSignals: ['SIGINT'],
      ready: undefined,
    });
    expect(settings.scheduler).toBe(asyncScheduler);
    expect(settings.port).toBe(port);
    expect(resolveSettings(W, { process: createTestProcess({ platform: 'win32' }) }).signals).toEqual(['SIGINT', 'SIGTERM', 'SIGBREAK']);
  });

  it('keeps what is given', () => {
    const scheduler = new TestScheduler(() => undefined);
    const executor: Executor = { close: () => undefined };
    const exitCode = () => 3;
    const ready = () => of(true);
    // Kept as given (copied where the settings hold their own array).
    const plain = {
      name: 'api',
      until: 'main-complete',
      signals: ['SIGTERM', 'SIGHUP'],
      ipcShutdown: false,
      shutdownTimeout: 5,
      onTaskError: 'isolate',
      handleProcessErrors: false,
      executors: [executor],
      signalCoalesceWindow: 0,
      forceSignals: ['SIGHUP'],
    } as const;
    const settings = resolve({ ...plain, signals: [...plain.signals], executors: [executor], forceSignals: [...plain.forceSignals], exitCode, scheduler, ready });
    expect(settings).toMatchObject(plain);
    expect([settings.exitCode, settings.scheduler, settings.ready]).toEqual([exitCode, scheduler, ready]);
    expect(resolve({ exitCode: 'zero-on-graceful' }).exitCode).toBe('zero-on-graceful');
  });

  it('forceSignals: SIGINT by default only when it is heard; an explicit list must be heard', () => {
    expect(resolve({ signals: ['SIGTERM'] }).forceSignals).toEqual([]);
    expect(resolve({ signals: ['SIGTERM'], forceSignals: [] }).forceSignals).toEqual([]);
    expect(resolve({ forceSignals: [] }).forceSignals).toEqual([]);
    expect(() => resolve({ signals: ['SIGTERM', 'SIGHUP'], forceSignals: ['SIGTERM', 'SIGINT'] })).toThrow(
      new RangeError(`where: option 'forceSignals' has SIGINT, which is not in 'signals' (SIGTERM, SIGHUP): it would never be heard`),
    );
  });

  it("name: a non-empty string", () => {
    expect(() => resolve({ name: '' })).toThrow(new RangeError(`where: option 'name' must not be empty`));
    expect(() => resolve({ name: 5 })).toThrow(new TypeError(`where: option 'name' must be a string, got 5`));
  });

  it('until, onTaskError and exitCode: each allowed value given explicitly, anything else named with the allowed list', () => {
    expect(resolve({ until: 'shutdown', onTaskError: 'shutdown', exitCode: 'conventional' })).toMatchObject({
      until: 'shutdown',
      onTaskError: 'shutdown',
      exitCode: 'conventional',
    });
    expect(() => resolve({ until: 'done' })).toThrow(new RangeError(`where: option 'until' must be one of 'shutdown', 'main-complete', got "done"`));
    expect(() => resolve({ onTaskError: 'ignore' })).toThrow(new RangeError(`where: option 'onTaskError' must be one of 'shutdown', 'isolate', got "ignore"`));
    expect(() => resolve({ exitCode: 'zero' })).toThrow(new RangeError(`where: option 'exitCode' must be one of 'conventional', 'zero-on-graceful', got "zero"`));
  });

  describe("'process'", () => {
    it('must be an object', () => {
      expect(() => resolveSettings(W, { process: 'port' })).toThrow(new TypeError(`where: option 'process' must be a ProcessPort, got "port"`));
      expect(() => resolveSettings(W, { process: null })).toThrow(new TypeError(`where: option 'process' must be a ProcessPort, got null`));
    });

    it.each(['onSignal', 'onMessage', 'onProcessError', 'keepAlive', 'activeResources', 'writeLine', 'exit', 'raise'])('must have %s()', (method) => {
      const port = { ...createTestProcess(), [method]: 'not a function' };
      expect(() => resolveSettings(W, { process: port })).toThrow(new TypeError(`where: option 'process' must be a ProcessPort; it has no ${method}()`));
    });
  });

  describe("'executors'", () => {
    it('an array of objects with close() or destroy()', () => {
      const closes = { close: () => undefined };
      const destroys = { destroy: () => undefined };
      expect(resolve({ executors: [closes, destroys] }).executors).toEqual([closes, destroys]);
      expect(() => resolve({ executors: closes })).toThrow(new TypeError(`where: option 'executors' must be an array, got a value of type object`));
      // A function is not an executor, even one with a close property.
      for (const bad of [null, 'pool', {}, { close: 1, destroy: 'x' }, Object.assign(() => undefined, { close: () => undefined })]) {
        expect(() => resolve({ executors: [closes, bad] })).toThrow(new TypeError(`where: option 'executors[1]' must have a close() or destroy() method`));
      }
    });
  });

  describe("'logger'", () => {
    it('false: none', () => {
      expect(resolve({ logger: false }).logger).toBeUndefined();
    });

    it("the default and 'text': lines through the port, info/warn/error only", () => {
      for (const logger of [undefined, 'text']) {
        const port = createTestProcess();
        const resolved = resolve({ logger }, port).logger;
        expect(Object.keys(resolved ?? {}).sort()).toEqual(['error', 'info', 'warn']);
        resolved?.info?.('i');
        resolved?.warn?.('w');
        resolved?.error?.('e');
        expect(port.lines).toEqual(['i', 'w', 'e']);
      }
    });

    it("'json' (or RXRUN_LOG=json): JSON lines through the port, with the app's name and the scheduler's time", () => {
      const scheduler = new TestScheduler(() => undefined);
      for (const [options, env] of [
        [{ logger: 'json' }, {}],
        [{}, { RXRUN_LOG: 'json' }],
      ] as const) {
        const port = createTestProcess({ env });
        const resolved = resolve({ ...options, name: 'api', scheduler }, port).logger;
        resolved?.info?.('rxrun: hello');
        expect(port.lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ time: '1970-01-01T00:00:00.000Z', level: 'info', app: 'api', msg: 'hello' }]);
      }
    });

    it("'text' wins over RXRUN_LOG=json; a logger object is used as is", () => {
      const port = createTestProcess({ env: { RXRUN_LOG: 'json' } });
      resolve({ logger: 'text' }, port).logger?.info?.('plain');
      expect(port.lines).toEqual(['plain']);
      const custom = { info: () => undefined, debug: undefined };
      expect(resolve({ logger: custom }, port).logger).toBe(custom);
    });

    it('anything else is a TypeError naming the option', () => {
      const message = (got: string) => new TypeError(`where: option 'logger' must be a console-like object, 'text', 'json' or false, got ${got}`);
      expect(() => resolve({ logger: 'console' })).toThrow(message('"console"'));
      expect(() => resolve({ logger: 42 })).toThrow(message('42'));
      expect(() => resolve({ logger: null })).toThrow(message('null'));
      expect(() => resolve({ logger: true })).toThrow(message('true'));
    });

    it.each(['debug', 'info', 'warn', 'error', 'record'])("a logger whose %s is not a function is a TypeError naming it", (method) => {
      expect(() => resolve({ logger: { [method]: 'yes' } })).toThrow(new TypeError(`where: option 'logger.${method}' must be a function`));
    });
  });

  describe("'ready'", () => {
    it('an Observable, a promise or a function, kept as is', () => {
      const fn = () => true;
      const promise = Promise.resolve(true);
      expect(resolve({ ready: fn }).ready).toBe(fn);
      expect(resolve({ ready: promise }).ready).toBe(promise);
      expect(resolve({ ready: NEVER }).ready).toBe(NEVER);
      expect(resolve({ ready: [1] }).ready).toEqual([1]);
    });

    it('anything else, a string included, is a TypeError naming the option', () => {
      const message = (got: string) => new TypeError(`where: option 'ready' must be an Observable, a promise or a function (app) => ObservableInput, got ${got}`);
      expect(() => resolve({ ready: 'yes' })).toThrow(message('"yes"'));
      expect(() => resolve({ ready: 1 })).toThrow(message('1'));
      expect(() => resolve({ ready: null })).toThrow(message('null'));
      expect(() => resolve({ ready: {} })).toThrow(message('a value of type object'));
    });
  });
});
