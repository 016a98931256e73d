// The error funnel on its own (internal): order, events, shutdown requests, teardown errors (issue 9).
import { UnsubscriptionError } from 'rxjs';
import { createErrorFunnel } from '../../lib/core/errorFunnel';
import type { CoreLifecycleEvent, ErrorSource, Logger, ShutdownReason } from '../../lib/core/types';

function setup(options: { stopped?: boolean; onTaskError?: 'shutdown' | 'isolate' } = {}) {
  const published: CoreLifecycleEvent[] = [];
  const lines: string[] = [];
  const requests: ShutdownReason[] = [];
  let stopped = options.stopped ?? false;
  const logger: Logger = { error: (line) => lines.push(line) };
  const funnel = createErrorFunnel({
    isStopped: () => stopped,
    now: () => 7,
    publish: (event) => published.push(event),
    log: (write) => write(logger),
    requestShutdown: (reason) => requests.push(reason),
    onTaskError: options.onTaskError ?? 'shutdown',
  });
  return { funnel, published, lines, requests, stop: () => (stopped = true) };
}

describe('errorFunnel', () => {
  it('keeps errors in order and publishes each as an error event at now()', () => {
    const { funnel, published, lines } = setup();
    const boom = new Error('boom');
    funnel.report('task', 'save', boom);
    funnel.report('hook', undefined, 'text');
    expect(funnel.errors).toEqual([
      { source: 'task', name: 'save', error: boom },
      { source: 'hook', error: 'text' },
    ]);
    expect('name' in (funnel.errors[1] as object)).toBe(false);
    expect(published).toEqual([
      { type: 'error', record: { source: 'task', name: 'save', error: boom }, at: 7 },
      { type: 'error', record: { source: 'hook', error: 'text' }, at: 7 },
    ]);
    expect(lines).toEqual([]);
  });

  it("asks for a shutdown for main's errors and, under 'shutdown', for work errors only", () => {
    const { funnel, requests } = setup();
    const sources: ErrorSource[] = ['main', 'task', 'protected', 'uncaughtException', 'unhandledRejection', 'hook', 'finalizer', 'executor', 'teardown', 'logger', 'tick', 'group'];
    for (const source of sources) funnel.report(source, undefined, source);
    expect(requests).toEqual(['main', 'task', 'protected', 'uncaughtException', 'unhandledRejection'].map((error) => ({ kind: 'error', error })));
  });

  it("under 'isolate' only main's errors ask for a shutdown", () => {
    const { funnel, requests, published } = setup({ onTaskError: 'isolate' });
    for (const source of ['task', 'protected', 'uncaughtException', 'unhandledRejection', 'main'] as const) funnel.report(source, undefined, source);
    expect(requests).toEqual([{ kind: 'error', error: 'main' }]);
    expect(published).toHaveLength(5);
  });

  it('after the app stopped: kept and logged, neither published nor a shutdown request', () => {
    const { funnel, published, lines, requests, stop } = setup();
    stop();
    const boom = new Error('late');
    funnel.report('main', undefined, boom);
    funnel.report('task', 'x', { a: 1 });
    expect(funnel.errors).toEqual([
      { source: 'main', error: boom },
      { source: 'task', name: 'x', error: { a: 1 } },
    ]);
    expect(published).toEqual([]);
    expect(requests).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[0]?.startsWith('rxrun: main error while the app stopped: ')).toBe(true);
    expect(lines[0]).toContain('late');
    expect(lines[1]).toBe('rxrun: task error while the app stopped: non-Error value: {"a":1}');
  });

  it('a logger without error() is skipped after the stop', () => {
    const published: CoreLifecycleEvent[] = [];
    const funnel = createErrorFunnel({
      isStopped: () => true,
      now: () => 0,
      publish: (event) => published.push(event),
      log: (write) => write({}),
      requestShutdown: () => undefined,
      onTaskError: 'shutdown',
    });
    expect(() => funnel.report('task', undefined, 'x')).not.toThrow();
    expect(funnel.errors).toHaveLength(1);
  });

  it('reports each error of an UnsubscriptionError on its own, as teardown errors', () => {
    const { funnel, published, requests } = setup();
    const a = new Error('a');
    const b = new Error('b');
    funnel.reportTeardown(new UnsubscriptionError([a, b]));
    funnel.reportTeardown('plain');
    expect(funnel.errors).toEqual([
      { source: 'teardown', error: a },
      { source: 'teardown', error: b },
      { source: 'teardown', error: 'plain' },
    ]);
    expect(published).toHaveLength(3);
    expect(requests).toEqual([]);
  });

  it('complete() completes the subject and reports what its teardown threw', () => {
    const { funnel } = setup();
    let completed = 0;
    funnel.complete({ complete: () => void (completed += 1) });
    expect(completed).toBe(1);
    expect(funnel.errors).toEqual([]);
    const boom = new Error('teardown');
    funnel.complete({
      complete: () => {
        throw new UnsubscriptionError([boom]);
      },
    });
    expect(funnel.errors).toEqual([{ source: 'teardown', error: boom }]);
  });

  it('keep() adds a record without an event or a shutdown request', () => {
    const { funnel, published, requests } = setup();
    const record = { source: 'logger' as const, error: new Error('log') };
    funnel.keep(record);
    expect(funnel.errors).toEqual([record]);
    expect(published).toEqual([]);
    expect(requests).toEqual([]);
  });
});
