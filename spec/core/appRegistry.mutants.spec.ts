// The registry of apps on its own, over stand-in app internals (internal; issue 9): which app an
// operator finds, and where an error goes when no app can take it.
import {
  findRunningApp,
  isAppContext,
  markRunning,
  registerInternals,
  reportOr,
  reportOrWarn,
  resolveApp,
  type AppInternals,
} from '../../lib/core/appRegistry';
import { NoCurrentAppError } from '../../lib/core/errors';
import type { ProcessPort } from '../../lib/process/ProcessPort';
import type { AppContext, ErrorSource, Phase } from '../../lib/core/types';

interface StandIn {
  readonly internals: AppInternals;
  readonly context: AppContext;
  readonly reports: [ErrorSource, string | undefined, unknown][];
  readonly warnings: [string, string | undefined][];
  phase: Phase;
}

/** Stand-in internals: a context object, a phase the test sets, the reports and port warnings it got. */
function standIn(options: { warning?: boolean } = {}): StandIn {
  const context = {} as AppContext;
  const reports: StandIn['reports'] = [];
  const warnings: StandIn['warnings'] = [];
  const port = (options.warning === false ? {} : { warning: (message: string, type?: string) => warnings.push([message, type]) }) as ProcessPort;
  const app: StandIn = {
    context,
    reports,
    warnings,
    phase: 'running',
    internals: {
      context,
      get phase() {
        return app.phase;
      },
      port,
      reportError: (source: ErrorSource, name: string | undefined, error: unknown) => reports.push([source, name, error]),
    } as unknown as AppInternals,
  };
  return app;
}

/** Runs `body` with process.emitWarning captured. */
function withProcessWarnings(body: (calls: unknown[][]) => void): void {
  const calls: unknown[][] = [];
  const spy = jest.spyOn(process, 'emitWarning').mockImplementation(((...args: unknown[]) => void calls.push(args)) as never);
  try {
    body(calls);
  } finally {
    spy.mockRestore();
  }
}

describe('appRegistry (mutants)', () => {
  const running: AppInternals[] = [];
  const run = (app: StandIn) => {
    markRunning(app.internals, true);
    running.push(app.internals);
  };
  afterEach(() => {
    for (const internals of running.splice(0)) markRunning(internals, false);
  });

  describe('reportOr', () => {
    it('reports to an app that has not stopped, in every phase before stopped', () => {
      const app = standIn();
      const error = new Error('e');
      for (const phase of ['starting', 'running', 'stopping', 'draining', 'finalizing'] as const) {
        app.phase = phase;
        reportOr(app.internals, 'server', phase, error, () => {
          throw new Error('orElse must not run');
        });
      }
      expect(app.reports.map(([source, name, reported]) => [source, name, reported === error])).toEqual([
        ['server', 'starting', true],
        ['server', 'running', true],
        ['server', 'stopping', true],
        ['server', 'draining', true],
        ['server', 'finalizing', true],
      ]);
    });

    it('runs orElse instead once the app stopped, or without an app', () => {
      const app = standIn();
      app.phase = 'stopped';
      const elses: string[] = [];
      reportOr(app.internals, 'task', 'late', new Error('late'), () => elses.push('stopped'));
      reportOr(undefined, 'task', 'lonely', new Error('lonely'), () => elses.push('none'));
      expect(elses).toEqual(['stopped', 'none']);
      expect(app.reports).toEqual([]);
    });
  });

  describe('reportOrWarn', () => {
    it('reports to a running app; no warning anywhere', () => {
      const app = standIn();
      withProcessWarnings((calls) => {
        reportOrWarn(app.internals, 'child', 'worker', 'x', 'ChildError');
        expect(calls).toEqual([]);
      });
      expect(app.reports).toEqual([['child', 'worker', 'x']]);
      expect(app.warnings).toEqual([]);
    });

    it("after the stop, a warning through the app's port: an Error's message and name, else the value and the given type", () => {
      const app = standIn();
      app.phase = 'stopped';
      withProcessWarnings((calls) => {
        reportOrWarn(app.internals, 'server', 'api', new RangeError('too late'), 'ServeError');
        reportOrWarn(app.internals, 'server', 'api', 42, 'ServeError');
        expect(calls).toEqual([]);
      });
      expect(app.warnings).toEqual([
        ['too late', 'RangeError'],
        ['42', 'ServeError'],
      ]);
    });

    it("through the real process's warning when the port has none, or there is no app", () => {
      const app = standIn({ warning: false });
      app.phase = 'stopped';
      withProcessWarnings((calls) => {
        reportOrWarn(app.internals, 'server', 'api', new TypeError('gone'), 'ServeError');
        reportOrWarn(undefined, 'child', 'fork', 'plain', 'ChildError');
        expect(calls).toEqual([
          ['gone', { type: 'TypeError' }],
          ['plain', { type: 'ChildError' }],
        ]);
      });
    });
  });

  describe('isAppContext', () => {
    it('is true for a registered context only', () => {
      const app = standIn();
      expect(isAppContext(app.context)).toBe(false);
      registerInternals(app.internals);
      expect(isAppContext(app.context)).toBe(true);
      expect(isAppContext({})).toBe(false);
      expect(isAppContext(null)).toBe(false);
      expect(isAppContext(undefined)).toBe(false);
      expect(isAppContext('app')).toBe(false);
    });
  });

  describe('resolveApp', () => {
    it("an app given: its internals (running or not); an object that is not a context is a TypeError naming 'app'", () => {
      const app = standIn();
      registerInternals(app.internals);
      expect(resolveApp(app.context, 'op')).toBe(app.internals);
      run(standIn());
      expect(resolveApp(app.context, 'op')).toBe(app.internals);
      expect(() => resolveApp({} as AppContext, 'op')).toThrow(new TypeError("op: 'app' must be the AppContext passed to main"));
    });

    it('no app given: the one running app', () => {
      const app = standIn();
      run(app);
      expect(resolveApp(undefined, 'op')).toBe(app.internals);
    });

    it('no app given and none running: NoCurrentAppError saying so', () => {
      const call = () => resolveApp(undefined, 'untilShutdown()');
      expect(call).toThrow(NoCurrentAppError);
      expect(call).toThrow('untilShutdown(): no app is running in this process; pass the app (the AppContext main receives) explicitly');
    });

    it('no app given and several running: NoCurrentAppError with how many', () => {
      run(standIn());
      run(standIn());
      const call = () => resolveApp(undefined, 'op');
      expect(call).toThrow(NoCurrentAppError);
      expect(call).toThrow('op: 2 apps are running in this process; pass the app explicitly');
      run(standIn());
      expect(call).toThrow('op: 3 apps are running in this process; pass the app explicitly');
    });

    it('an app that stopped running is no longer found', () => {
      const first = standIn();
      const second = standIn();
      run(first);
      run(second);
      markRunning(first.internals, false);
      expect(resolveApp(undefined, 'op')).toBe(second.internals);
    });
  });

  describe('findRunningApp', () => {
    it('undefined when no app is given and none runs', () => {
      expect(findRunningApp(undefined, 'op')).toBeUndefined();
    });

    it('the one running app, or the given one even when none runs', () => {
      const given = standIn();
      registerInternals(given.internals);
      expect(findRunningApp(given.context, 'op')).toBe(given.internals);
      expect(() => findRunningApp({} as AppContext, 'op')).toThrow(TypeError);
      const app = standIn();
      run(app);
      expect(findRunningApp(undefined, 'op')).toBe(app.internals);
    });

    it('still throws when several run (ambiguous)', () => {
      run(standIn());
      run(standIn());
      expect(() => findRunningApp(undefined, 'op')).toThrow(NoCurrentAppError);
    });
  });
});
