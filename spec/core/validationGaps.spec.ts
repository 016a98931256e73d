// Regression (found in review), the defect it guards against: inputs that are accepted silently although every public function should throw a
// TypeError/RangeError naming the option.
import { NEVER } from 'rxjs';
import { exitStatusFor, runApp$, type AppContext, type AppOutcome } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';

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
