// How the core's own events are logged, event by event (internal; issue 9): the human lines, by
// level, and the fields of the JSON records.
import { coreEventLog, describeReason } from '../../lib/core/coreEventLog';
import { logWithoutStack } from '../../lib/core/errors';
import type { AppOutcome, CoreLifecycleEvent, Logger, PendingReport } from '../../lib/core/types';
import { anOutcome } from '../support/lifecycle';

/** Every line the event writes, as `level text`. */
function linesOf(event: CoreLifecycleEvent): string[] {
  const lines: string[] = [];
  const logger: Logger = {
    debug: (line) => lines.push(`debug ${line}`),
    info: (line) => lines.push(`info ${line}`),
    warn: (line) => lines.push(`warn ${line}`),
    error: (line) => lines.push(`error ${line}`),
  };
  coreEventLog.lines(logger, event);
  return lines;
}

const report: PendingReport = {
  cause: 'timeout',
  phase: 'draining',
  budgetMs: 500,
  pending: [
    { kind: 'protected', name: 'save', state: 'running' },
    { kind: 'finalizer', name: 'db', state: 'skipped' },
  ],
  activeHandles: ['Timeout'],
};

const outcome = (overrides: Partial<AppOutcome>): AppOutcome => anOutcome(overrides);

/** An error whose stack is not its message, to tell the two apart. */
function errorWithStack(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}\n    at somewhere (file.js:1:1)`;
  return error;
}

describe('describeReason (mutants)', () => {
  it('says each reason in words', () => {
    expect(describeReason(undefined)).toBe('no request');
    expect(describeReason({ kind: 'signal', signal: 'SIGHUP' })).toBe('SIGHUP');
    expect(describeReason({ kind: 'message', message: 'shutdown' })).toBe('IPC shutdown message');
    expect(describeReason({ kind: 'disconnect' })).toBe('IPC channel to the parent closed');
    expect(describeReason({ kind: 'main-complete' })).toBe('main completed');
    expect(describeReason({ kind: 'error', error: new RangeError('too far') })).toBe('error: RangeError: too far');
    expect(describeReason({ kind: 'error', error: 'plain' })).toBe('error: plain');
  });

  it("names app.stop()'s detail: a string as is, else as JSON, else its type", () => {
    expect(describeReason({ kind: 'stop' })).toBe('app.stop()');
    expect(describeReason({ kind: 'stop', detail: 'deploy' })).toBe('app.stop(deploy)');
    expect(describeReason({ kind: 'stop', detail: { by: 'admin' } })).toBe('app.stop({"by":"admin"})');
    expect(describeReason({ kind: 'stop', detail: () => undefined })).toBe('app.stop(function)');
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(describeReason({ kind: 'stop', detail: circular })).toBe('app.stop(object)');
    expect(describeReason({ kind: 'stop', detail: 10n })).toBe('app.stop(bigint)');
  });
});

describe('coreEventLog.lines (mutants)', () => {
  it('phases and repeated signals at debug', () => {
    expect(linesOf({ type: 'phase', phase: 'draining', at: 0 })).toEqual(['debug rxrun: phase draining']);
    expect(linesOf({ type: 'signal-coalesced', signal: 'SIGINT', at: 0 })).toEqual([
      'debug rxrun: SIGINT repeated within the coalescing window; ignored',
    ]);
  });

  it('the first shutdown request and later ones', () => {
    const reason = { kind: 'signal', signal: 'SIGTERM' } as const;
    expect(linesOf({ type: 'shutdown-requested', reason, first: true, at: 0 })).toEqual(['info rxrun: SIGTERM; entering shutdown phase']);
    expect(linesOf({ type: 'shutdown-requested', reason, first: false, at: 0 })).toEqual([
      'info rxrun: SIGTERM during shutdown (already stopping)',
    ]);
  });

  it('a refused task at warn', () => {
    expect(linesOf({ type: 'task-refused', name: 'late', at: 0 })).toEqual(["warn rxrun: task 'late' not started: shutdown under way"]);
  });

  it('an error with its stack, named or not; one of a class marked logWithoutStack on one line', () => {
    const error = errorWithStack('db down');
    expect(linesOf({ type: 'error', record: { source: 'task', name: 'main[1]', error }, at: 0 })).toEqual([
      "error rxrun: task 'main[1]' failed: Error: db down\n    at somewhere (file.js:1:1)",
    ]);
    expect(linesOf({ type: 'error', record: { source: 'uncaughtException', error }, at: 0 })).toEqual([
      'error rxrun: uncaughtException failed: Error: db down\n    at somewhere (file.js:1:1)',
    ]);
    class GaveUp extends Error {}
    logWithoutStack(GaveUp);
    const quiet = new GaveUp('gave up\nafter 3');
    quiet.stack = 'GaveUp: gave up\n    at internals (lib.js:1:1)';
    expect(linesOf({ type: 'error', record: { source: 'task', name: 'consumer', error: quiet }, at: 0 })).toEqual([
      "error rxrun: task 'consumer' failed: Error: gave up after 3",
    ]);
  });

  it('cancelled tasks and protected work counted, one or several', () => {
    expect(linesOf({ type: 'tasks-cancelled', count: 1, names: ['a'], at: 0 })).toEqual(['info rxrun: cancelling 1 task']);
    expect(linesOf({ type: 'tasks-cancelled', count: 3, names: ['a', 'b', 'c'], at: 0 })).toEqual(['info rxrun: cancelling 3 tasks']);
    expect(linesOf({ type: 'protected-pending', count: 1, names: ['save'], at: 0 })).toEqual(['info rxrun: waiting for 1 protected task: save']);
    // The event names only the first ones: the rest is counted from `count`.
    expect(linesOf({ type: 'protected-pending', count: 4, names: ['save', 'save'], at: 0 })).toEqual([
      'info rxrun: waiting for 4 protected tasks: save ×2, … 2 more',
    ]);
  });

  it('hooks at debug; finalizers counted when there are some; an executor named', () => {
    expect(linesOf({ type: 'hook-start', kind: 'hook', name: 'flush', at: 0 })).toEqual(["debug rxrun: running shutdown hook 'flush'"]);
    expect(linesOf({ type: 'finalizers-start', count: 0, at: 0 })).toEqual([]);
    expect(linesOf({ type: 'finalizers-start', count: 1, at: 0 })).toEqual(['info rxrun: running 1 finalizer']);
    expect(linesOf({ type: 'finalizers-start', count: 2, at: 0 })).toEqual(['info rxrun: running 2 finalizers']);
    expect(linesOf({ type: 'finalizer-start', kind: 'finalizer', name: 'db', at: 0 })).toEqual([]);
    expect(linesOf({ type: 'finalizer-start', kind: 'executor', name: 'pool', at: 0 })).toEqual([
      "info rxrun: waiting for executor 'pool' to shut down",
    ]);
  });

  it('writes nothing for the events that only mark progress', () => {
    expect(linesOf({ type: 'hook-end', kind: 'hook', name: 'flush', at: 0 })).toEqual([]);
    expect(linesOf({ type: 'finalizer-end', kind: 'finalizer', name: 'db', at: 0 })).toEqual([]);
    expect(linesOf({ type: 'hook-failed', kind: 'hook', name: 'flush', error: new Error('x'), at: 0 })).toEqual([]);
    expect(linesOf({ type: 'protected-drained', at: 0 })).toEqual([]);
  });

  it('a budget overrun and a forced stop at warn, with what was cut off', () => {
    expect(linesOf({ type: 'timeout', report, at: 0 })).toEqual([
      "warn rxrun: shutdown budget exceeded in phase draining; cut off: protected 'save' (running), finalizer 'db' (skipped); open handles: Timeout",
    ]);
    expect(linesOf({ type: 'forced', report: { ...report, cause: 'forced', phase: 'finalizing' }, at: 0 })).toEqual([
      "warn rxrun: forced stop in phase finalizing; cut off: protected 'save' (running), finalizer 'db' (skipped); open handles: Timeout",
    ]);
  });

  it('stopped: the handles left open (only when there are some), then the bye line', () => {
    expect(linesOf({ type: 'stopped', outcome: outcome({}), at: 0 })).toEqual(['info rxrun: stopped (ok, SIGTERM) after 12 ms. Bye!']);
    expect(linesOf({ type: 'stopped', outcome: outcome({ status: 'error', reason: { kind: 'main-complete' }, openHandles: ['Timeout', 'Timeout'] }), at: 0 })).toEqual([
      'warn rxrun: handles left open by the app: Timeout ×2',
      'info rxrun: stopped (error, main completed) after 12 ms. Bye!',
    ]);
  });

  it('a logger without the level writes nothing for it, and does not throw, whatever the event', () => {
    const reason = { kind: 'signal', signal: 'SIGTERM' } as const;
    const events: CoreLifecycleEvent[] = [
      { type: 'phase', phase: 'running', at: 0 },
      { type: 'shutdown-requested', reason, first: true, at: 0 },
      { type: 'shutdown-requested', reason, first: false, at: 0 },
      { type: 'signal-coalesced', signal: 'SIGINT', at: 0 },
      { type: 'task-refused', name: 'late', at: 0 },
      { type: 'error', record: { source: 'task', error: 'x' }, at: 0 },
      { type: 'tasks-cancelled', count: 1, names: ['a'], at: 0 },
      { type: 'hook-start', kind: 'hook', name: 'flush', at: 0 },
      { type: 'protected-pending', count: 1, names: ['save'], at: 0 },
      { type: 'finalizers-start', count: 1, at: 0 },
      { type: 'finalizer-start', kind: 'executor', name: 'pool', at: 0 },
      { type: 'timeout', report, at: 0 },
      { type: 'forced', report, at: 0 },
      { type: 'stopped', outcome: outcome({ openHandles: ['Timeout'] }), at: 0 },
    ];
    for (const event of events) {
      expect(linesOf(event)).not.toEqual([]);
      expect(() => coreEventLog.lines({}, event)).not.toThrow();
    }
  });
});

describe('coreEventLog.fields (mutants)', () => {
  const { fields } = coreEventLog;

  it('the events without fields of their own', () => {
    expect(fields({ type: 'phase', phase: 'running', at: 3 })).toEqual({});
    expect(fields({ type: 'protected-drained', at: 3 })).toEqual({});
  });

  it('requests, coalesced signals, refused tasks', () => {
    expect(fields({ type: 'shutdown-requested', reason: { kind: 'stop', detail: 'deploy' }, first: false, at: 0 })).toEqual({
      reason: 'app.stop(deploy)',
      first: false,
    });
    expect(fields({ type: 'signal-coalesced', signal: 'SIGINT', at: 0 })).toEqual({ signal: 'SIGINT' });
    expect(fields({ type: 'task-refused', name: 'late', at: 0 })).toEqual({ task: 'late' });
  });

  it('an error: its source, the name under the source when there is one, the error as a record', () => {
    const error = errorWithStack('boom');
    expect(fields({ type: 'error', record: { source: 'hook', name: 'flush', error }, at: 0 })).toEqual({
      source: 'hook',
      hook: 'flush',
      error: { name: 'Error', message: 'boom', stack: error.stack },
    });
    const unnamed = fields({ type: 'error', record: { source: 'unhandledRejection', error: 'x' }, at: 0 });
    expect(unnamed).toEqual({ source: 'unhandledRejection', error: { message: 'non-Error value: "x"' } });
    expect(Object.keys(unnamed)).toEqual(['source', 'error']);
  });

  it('counts with a copy of the names', () => {
    const names = ['a', 'b'];
    for (const type of ['tasks-cancelled', 'protected-pending'] as const) {
      const result = fields({ type, count: 5, names, at: 0 });
      expect(result).toEqual({ count: 5, names: ['a', 'b'] });
      expect(result['names']).not.toBe(names);
    }
    expect(fields({ type: 'finalizers-start', count: 2, at: 0 })).toEqual({ count: 2 });
  });

  it('hooks and finalizers: the kind, the name under the kind, the error when one failed', () => {
    for (const type of ['hook-start', 'hook-end', 'finalizer-start', 'finalizer-end'] as const) {
      expect(fields({ type, kind: 'executor', name: 'pool', at: 0 })).toEqual({ kind: 'executor', executor: 'pool' });
    }
    for (const type of ['hook-failed', 'finalizer-failed'] as const) {
      expect(fields({ type, kind: 'finalizer', name: 'db', error: new TypeError('t'), at: 0 })).toMatchObject({
        kind: 'finalizer',
        finalizer: 'db',
        error: { name: 'TypeError', message: 't' },
      });
    }
  });

  it('a budget overrun or forced stop: cause, budget, the pending items (only their fields), a copy of the handles', () => {
    const pending = [{ kind: 'hook', name: 'flush', state: 'running', extra: 'not logged' }] as unknown as PendingReport['pending'];
    for (const type of ['timeout', 'forced'] as const) {
      const result = fields({ type, report: { ...report, pending }, at: 0 });
      expect(result).toEqual({ cause: 'timeout', budgetMs: 500, pending: [{ kind: 'hook', name: 'flush', state: 'running' }], activeHandles: ['Timeout'] });
      expect(result['activeHandles']).not.toBe(report.activeHandles);
    }
  });

  it('stopped: status, reason, time, how many errors, a copy of the open handles', () => {
    const openHandles = ['Timeout'];
    const result = fields({
      type: 'stopped',
      outcome: outcome({ status: 'error', errors: [{ source: 'task', error: 'a' }, { source: 'main', error: 'b' }], openHandles }),
      at: 0,
    });
    expect(result).toEqual({ status: 'error', reason: 'SIGTERM', shutdownMs: 12, errorCount: 2, openHandles: ['Timeout'] });
    expect(result['openHandles']).not.toBe(openHandles);
  });
});
