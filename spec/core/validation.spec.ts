import { NEVER, asyncScheduler, of } from 'rxjs';
import { fromAbortSignal, runApp, runApp$, shutdownWaitsFor, type AppContext, type RunAppOptions, exitStatusFor, type AppOutcome } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { collect, newScheduler } from '../support/lifecycle';

type ErrorClass = typeof TypeError | typeof RangeError;

/** Both forms must throw at call time, with the right class and a message naming the option. */
function expectBadOptions(options: unknown, type: ErrorClass, names: RegExp): void {
  expect(() => runApp$(NEVER, options as RunAppOptions)).toThrow(type);
  expect(() => runApp$(NEVER, options as RunAppOptions)).toThrow(names);
  expect(() => runApp$(options as RunAppOptions)).toThrow(names);
  expect(() => runApp(NEVER, options as RunAppOptions)).toThrow(type);
  expect(() => runApp(NEVER, options as RunAppOptions)).toThrow(names);
}

describe('bad input is refused at call time, naming the option', () => {
  it.each<[string, unknown, RegExp]>([
    ['a string', 'main', /'main'/],
    ['a number', 42, /'main'/],
    ['null', null, /'main'/],
    ['an array holding a non-observable', [of(1), 'x'], /'main\[1\]'/],
    ['an array holding a promise', [Promise.resolve(1)], /'main\[0\]'/],
  ])('main as %s → TypeError', (_, main, name) => {
    expect(() => runApp$(main as never)).toThrow(TypeError);
    expect(() => runApp$(main as never)).toThrow(name);
    expect(() => runApp(main as never)).toThrow(TypeError);
  });

  it.each([-1, NaN, Infinity, -Infinity, 2 ** 31])('shutdownTimeout %p → RangeError', (value) => {
    expectBadOptions({ shutdownTimeout: value }, RangeError, /shutdownTimeout/);
  });

  it('non-number durations → TypeError', () => {
    expectBadOptions({ shutdownTimeout: '10' }, TypeError, /shutdownTimeout/);
    expectBadOptions({ signalCoalesceWindow: -5 }, RangeError, /signalCoalesceWindow/);
  });

  it('an unknown signal name → RangeError naming the option and the signal', () => {
    expectBadOptions({ signals: ['SIGNOPE'] }, RangeError, /signals.*SIGNOPE/);
    expectBadOptions({ signals: ['TERM'] }, RangeError, /signals/);
    expectBadOptions({ forceSignals: ['SIGFOO'] }, RangeError, /forceSignals/);
    expectBadOptions({ signals: 'SIGTERM' }, TypeError, /signals/);
    expectBadOptions({ signals: [15] }, TypeError, /signals/);
  });

  it.each(['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL'])('the forbidden signal %s → RangeError', (signal) => {
    expectBadOptions({ signals: ['SIGTERM', signal] }, RangeError, new RegExp(`signals.*${signal}`));
    expectBadOptions({ forceSignals: [signal] }, RangeError, new RegExp(`forceSignals.*${signal}`));
  });

  it('an unknown option key → TypeError naming it', () => {
    expectBadOptions({ shutdownTimeOut: 10 }, TypeError, /shutdownTimeOut/);
    expectBadOptions({ timeout: 10 }, TypeError, /'timeout'/);
  });

  it.each<[string, unknown]>([
    ['until', 'forever'],
    ['onTaskError', 'ignore'],
    ['exitCode', 'always-zero'],
  ])('an unknown value for %s → RangeError', (name, value) => {
    expectBadOptions({ [name]: value }, RangeError, new RegExp(name));
  });

  // Was a RangeError (issue #9): a value of the wrong type is a TypeError, as everywhere else.
  it.each<[string, unknown]>([
    ['until', 1],
    ['exitCode', 0],
    ['onTaskError', false],
  ])('a %s of the wrong type → TypeError', (name, value) => {
    expectBadOptions({ [name]: value }, TypeError, new RegExp(name));
  });

  it.each<[string, unknown, RegExp]>([
    ['logger', 'console', /'logger'/],
    ['logger', true, /'logger'/],
    ['logger', { info: 'yes' }, /logger\.info/],
    ['executors', { close: () => undefined }, /'executors'/],
    ['executors', [{}], /executors\[0\]/],
    ['executors', [{ close: () => undefined }, { stop: () => undefined }], /executors\[1\]/],
    ['scheduler', {}, /'scheduler'/],
    ['scheduler', { now: 1, schedule: () => undefined }, /'scheduler'/],
    ['process', {}, /'process'/],
    ['process', process, /'process'/],
    ['ipcShutdown', 'yes', /'ipcShutdown'/],
    ['handleProcessErrors', 1, /'handleProcessErrors'/],
  ])('a bad %s (%p) → TypeError', (name, value, message) => {
    expectBadOptions({ [name]: value }, TypeError, message);
  });

  it('accepts good options without throwing', () => {
    expect(() =>
      runApp$(NEVER, {
        until: 'main-complete',
        signals: ['SIGHUP', 'SIGUSR2'],
        shutdownTimeout: 0,
        onTaskError: 'isolate',
        executors: [{ destroy: () => undefined }],
        logger: { info: () => undefined },
        exitCode: () => 0,
        scheduler: asyncScheduler,
        process: createTestProcess(),
        signalCoalesceWindow: 0,
        forceSignals: [],
      }),
    ).not.toThrow();
  });

  it('the operator form takes no second argument', () => {
    expect(() => runApp$({} as never, {} as never)).toThrow(/no second argument/);
  });

  describe('AppContext methods', () => {
    let app: AppContext | undefined;

    beforeAll(() => {
      newScheduler().run(() => {
        const test = runTestApp((ctx) => {
          app = ctx;
          return NEVER;
        });
        collect(test.events$);
        test.port.signal('SIGTERM', 1);
      });
    });

    it.each<[string, () => void, ErrorClass, RegExp]>([
      ['spawn(42)', () => app?.spawn(42 as never), TypeError, /app\.spawn.*'task'/],
      ['spawn(null)', () => app?.spawn(null as never), TypeError, /app\.spawn.*'task'/],
      ['spawn(task, "name")', () => app?.spawn(NEVER, 'name' as never), TypeError, /app\.spawn.*'options'/],
      ['spawn(task, {name: 1})', () => app?.spawn(NEVER, { name: 1 as never }), TypeError, /app\.spawn.*'name'/],
      ['onShutdown("x")', () => app?.onShutdown('x' as never), TypeError, /app\.onShutdown.*'hook'/],
      ['onShutdown(fn, {timeout: -1})', () => app?.onShutdown(() => undefined, { timeout: -1 }), RangeError, /app\.onShutdown.*'timeout'/],
      ['onShutdown(fn, {timeout: NaN})', () => app?.onShutdown(() => undefined, { timeout: NaN }), RangeError, /'timeout'/],
      ['onShutdown(fn, {name: 2})', () => app?.onShutdown(() => undefined, { name: 2 as never }), TypeError, /'name'/],
      ['defer(undefined)', () => app?.defer(undefined as never), TypeError, /app\.defer.*'finalizer'/],
      ['defer(fn, {timeout: Infinity})', () => app?.defer(() => undefined, { timeout: Infinity }), RangeError, /app\.defer.*'timeout'/],
      ['defer(fn, [])', () => app?.defer(() => undefined, [] as never), TypeError, /app\.defer.*'options'/],
    ])('%s', (_, call, type, message) => {
      expect(app).toBeDefined();
      expect(call).toThrow(type);
      expect(call).toThrow(message);
    });

    it('refuses hooks once stopping ended and finalizers once stopped, with a clear error', () => {
      expect(() => app?.onShutdown(() => undefined, { name: 'late' })).toThrow(/app\.onShutdown: hook 'late'.*stopped/);
      expect(() => app?.defer(() => undefined, { name: 'late' })).toThrow(/app\.defer: finalizer 'late'.*stopped/);
    });
  });

  it.each<[string, unknown, unknown, RegExp]>([
    ['a string app', 'app', undefined, /'app'/],
    ['a config with a bad name', { name: 1 }, undefined, /'name'/],
    ['a config with a bad shield', { shield: 'yes' }, undefined, /'shield'/],
    ['a config with an unknown key', { shielded: true }, undefined, /shielded/],
    ['a config and a second config', { name: 'a' }, { name: 'b' }, /'app'/],
  ])('shutdownWaitsFor with %s → TypeError', (_, first, second, message) => {
    expect(() => shutdownWaitsFor(first as never, second as never)).toThrow(TypeError);
    expect(() => shutdownWaitsFor(first as never, second as never)).toThrow(message);
  });

  it.each([undefined, null, {}, { aborted: false }, 'signal'])('fromAbortSignal(%p) → TypeError', (value) => {
    expect(() => fromAbortSignal(value as never)).toThrow(TypeError);
    expect(() => fromAbortSignal(value as never)).toThrow(/'signal'/);
  });

  it.each<[unknown, ErrorClass, RegExp]>([
    ['linux', TypeError, /'config'/],
    [{ platform: 'mars' }, RangeError, /'platform'/],
    [{ ipc: 'no' }, TypeError, /'ipc'/],
    [{ scheduler: {} }, TypeError, /'scheduler'/],
    [{ signals: [] }, TypeError, /'signals'/],
  ])('createTestProcess(%p) → %p', (config, type, message) => {
    expect(() => createTestProcess(config as never)).toThrow(type);
    expect(() => createTestProcess(config as never)).toThrow(message);
  });

  it('createTestProcess refuses a bad delay', () => {
    const port = createTestProcess();
    expect(() => port.signal('SIGTERM', -1)).toThrow(RangeError);
    expect(() => port.message('shutdown', NaN)).toThrow(/'delay'/);
  });
});

// Regression (found in review), the defect it guards against: inputs that are accepted silently although every public function should throw a
// TypeError/RangeError naming the option.
const okSignalOutcome: AppOutcome = {
  status: 'ok', reason: { kind: 'signal', signal: 'SIGTERM' }, laterReasons: [], error: undefined, errors: [],
  report: undefined, openHandles: [], shutdownMs: 0,
};

describe('validation gaps', () => {
  it('runApp$(aPromise) throws a TypeError naming main (before the fix: it is taken as an options object and an operator is returned)', () => {
    // isPlainObject() accepts any non-array, non-Observable object; a Promise (e.g. an async main called
    // by mistake: runApp$(main())) has no own keys, so checkKnownKeys passes.
    expect(() => runApp$(Promise.resolve(NEVER) as never)).toThrow(TypeError);
  });

  describe('unknown keys in AppContext option objects (a typo silently drops the step timeout)', () => {
    let app: AppContext | undefined;
    const port = createTestProcess();
    beforeAll(() => {
      runApp$((ctx) => {
        app = ctx;
        return NEVER;
      }, { process: port, logger: false }).subscribe();
    });
    afterAll(() => port.signal('SIGTERM'));
    it.each<[string, () => void, RegExp]>([
      ['defer(fn, { timout })', () => app?.defer(() => undefined, { timout: 1000 } as never), /timout/],
      ['onShutdown(fn, { timout })', () => app?.onShutdown(() => undefined, { timout: 1000 } as never), /timout/],
      ['spawn(task, { nmae })', () => app?.spawn(NEVER, { nmae: 'x' } as never), /nmae/],
    ])('%s → TypeError naming it', (_, call, message) => {
      expect(app).toBeDefined();
      expect(call).toThrow(TypeError);
      expect(call).toThrow(message);
    });
  });

  it("exitStatusFor(outcome, 'zero-on-gracefull') → RangeError (before the fix: silently treated as 'conventional', 143)", () => {
    expect(() => exitStatusFor(okSignalOutcome, 'zero-on-gracefull' as never)).toThrow(RangeError);
  });

  it("createTestProcess: a non-number delay is a TypeError, not a RangeError", () => {
    expect(() => createTestProcess().signal('SIGTERM', '10' as never)).toThrow(TypeError);
  });

  it('runTestApp(main, 5) → TypeError naming options (before the fix: spread of a number is {}, accepted)', () => {
    expect(() => runTestApp(NEVER, 5 as never)).toThrow(TypeError);
  });
});
