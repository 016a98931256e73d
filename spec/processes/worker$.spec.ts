/**
 * worker$ with real worker threads: messages out, the exit as a value, a crash (an uncaught exception
 * or a non-zero exit) to the app's policy, and the stop sequence (the stop message → `terminate()` at
 * the deadline). Nothing here depends on speed: each test reacts to the thread's messages and the
 * app's lifecycle events.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { filter, lastValueFrom, take, tap, toArray, type Observable } from 'rxjs';
import {
  ChildExitError, ChildKilledError, ChildModuleNotFoundError, WorkerThreadError, runApp$, worker$, type AppContext, type AppOutcome, type LifecycleEvent,
  type WorkerEvent,
} from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

const THREAD = path.join(__dirname, 'fixtures', 'thread.js');
const TIMEOUT = 60_000;

async function runToEnd(
  main: (app: AppContext) => Observable<unknown>,
  shutdownTimeout = 20_000,
  until: 'shutdown' | 'main-complete' = 'shutdown',
): Promise<{ events: LifecycleEvent[]; outcome: AppOutcome }> {
  const port = createTestProcess({ ipc: false });
  const events = await lastValueFrom(runApp$(main, { process: port, logger: false, shutdownTimeout, until }).pipe(toArray()));
  const last = events[events.length - 1];
  if (last?.type !== 'stopped') throw new Error('the app did not stop');
  return { events, outcome: last.outcome };
}

const isUp = (event: WorkerEvent) => event.type === 'message' && (event.message as { type?: string }).type === 'up';
const threadSteps = (events: readonly LifecycleEvent[]) =>
  events.flatMap((e) =>
    e.type === 'child-stopping' && e.kind === 'thread' ? [e.step] : e.type === 'child-exited' && e.kind === 'thread' ? [`exited ${e.code}`] : [],
  );

describe('worker$', () => {
  it('a file that does not exist errors at once (ENOENT named), before any thread is started', () => {
    const missing = path.join(__dirname, 'fixtures', 'no-such-thread.js');
    let caught: unknown;
    let started = false;
    worker$(missing).subscribe({ next: () => (started = true), error: (error: unknown) => (caught = error) });
    expect(started).toBe(false);
    expect(caught).toBeInstanceOf(ChildModuleNotFoundError);
    expect(caught).toMatchObject({ code: 'ENOENT', path: missing, where: 'worker$' });
  });

  it('inside an app, a missing file is a task error: the policy stops the app with it', async () => {
    const { outcome } = await runToEnd(() => worker$('./spec/processes/fixtures/nope.js'));
    expect(outcome.status).toBe('error');
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildModuleNotFoundError);
  }, TIMEOUT);

  it('emits start, every message the thread posts, then the exit record (code 0), then completes', async () => {
    const events = await lastValueFrom(worker$(pathToFileURL(THREAD), { workerData: { mode: 'done' } }).pipe(toArray()));
    const start = events[0] as Extract<WorkerEvent, { type: 'start' }>;
    expect(start).toMatchObject({ type: 'start', threadId: expect.any(Number) });
    expect(start.worker).toBeInstanceOf(Worker);
    expect(events.slice(1)).toEqual([
      { type: 'message', message: { type: 'result', value: 42, threadId: start.threadId } },
      { type: 'message', message: { type: 'result', value: 43 } },
      { type: 'exit', code: 0 },
    ]);
  }, TIMEOUT);

  it('adopts a running Worker: its messages out, its exit as the end', async () => {
    const worker = new Worker(THREAD, { workerData: { mode: 'done' } });
    const threadId = worker.threadId;
    const events = await lastValueFrom(worker$(worker).pipe(toArray()));
    expect(events[0]).toMatchObject({ type: 'start', threadId });
    expect((events[0] as Extract<WorkerEvent, { type: 'start' }>).worker).toBe(worker);
    expect(events.filter((e) => e.type === 'message')).toHaveLength(2);
    expect(events[events.length - 1]).toEqual({ type: 'exit', code: 0 });
    // Once exited, it cannot be adopted again: an error at once rather than a wait for an exit that has passed.
    let caught: unknown;
    worker$(worker).subscribe({ error: (error: unknown) => (caught = error) });
    expect(caught).toBeInstanceOf(RangeError);
  }, TIMEOUT);

  it('app shutdown stops a cooperative thread with the stop message alone, and waits for its exit before finalizing', async () => {
    const seen: unknown[] = [];
    const { events, outcome } = await runToEnd((app) =>
      worker$(THREAD, { name: 'coop', workerData: { mode: 'cooperative' } }).pipe(
        tap((e) => {
          if (e.type === 'message') seen.push(e.message);
          if (isUp(e)) app.stop();
        }),
      ),
    );
    expect(outcome.status).toBe('ok');
    expect(outcome.errors).toEqual([]);
    expect(threadSteps(events)).toEqual(['message', 'exited 0']);
    expect(events.find((e) => e.type === 'child-started')).toMatchObject({ kind: 'thread', name: 'coop', id: expect.any(Number) });
    expect(events.find((e) => e.type === 'protected-pending')).toMatchObject({ names: ['worker$ coop'] });
    const exitedAt = events.findIndex((e) => e.type === 'child-exited');
    const finalizingAt = events.findIndex((e) => e.type === 'phase' && e.phase === 'finalizing');
    expect(exitedAt).toBeGreaterThan(-1);
    expect(exitedAt).toBeLessThan(finalizingAt);
  }, TIMEOUT);

  it('a thread that ignores the stop message is terminated at the deadline and named in the outcome', async () => {
    const { events, outcome } = await runToEnd((app) =>
      worker$(THREAD, { name: 'stubborn', terminateAfter: 300, workerData: { mode: 'ignore-message' } }).pipe(tap((e) => isUp(e) && app.stop())),
    );
    expect(threadSteps(events)).toEqual(['message', 'terminate', 'exited 1']);
    const message = events.find((e) => e.type === 'child-stopping' && e.step === 'message') as LifecycleEvent;
    const terminate = events.find((e) => e.type === 'child-stopping' && e.step === 'terminate') as LifecycleEvent;
    expect(terminate.at - message.at).toBeGreaterThanOrEqual(300);
    expect([message, terminate]).toMatchObject([{ overdue: false }, { overdue: true }]);
    expect(outcome.status).toBe('error');
    expect(outcome.report).toBeUndefined();
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ source: 'child', name: 'stubborn' });
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildKilledError);
    expect(outcome.errors[0]?.error).toMatchObject({ step: 'terminate', child: 'stubborn' });
    expect((outcome.errors[0]?.error as Error).message).toMatch(/child 'stubborn' \(\d+\) did not stop within \d+ ms; terminated/);
  }, TIMEOUT);

  it('inside a short budget the deadline moves in: the thread is terminated before the app\'s own budget runs out', async () => {
    const { events, outcome } = await runToEnd(
      (app) => worker$(THREAD, { name: 'stubborn', terminateAfter: 60_000, workerData: { mode: 'ignore-message' } }).pipe(tap((e) => isUp(e) && app.stop())),
      1000,
    );
    expect(threadSteps(events)).toEqual(['message', 'terminate', 'exited 1']);
    expect(outcome.report).toBeUndefined();
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildKilledError);
  }, TIMEOUT);

  it('stopMessage false: the thread is terminated at once, a clean stop', async () => {
    const { events, outcome } = await runToEnd((app) =>
      worker$(THREAD, { stopMessage: false, workerData: { mode: 'ignore-message' } }).pipe(tap((e) => isUp(e) && app.stop())),
    );
    expect(threadSteps(events)).toEqual(['terminate', 'exited 1']);
    // The stop itself, not a deadline missed: an info line, not the "did not stop in time" warning.
    expect(events.find((e) => e.type === 'child-stopping')).toMatchObject({ step: 'terminate', overdue: false });
    expect(outcome.status).toBe('ok');
  }, TIMEOUT);

  it('an uncaught exception in the thread is a WorkerThreadError that the app\'s policy sees', async () => {
    const { events, outcome } = await runToEnd(() =>
      worker$(THREAD, { name: 'cruncher', workerData: { mode: 'crash' } }).pipe(
        tap(postWhenUp('crash')),
      ),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.reason).toMatchObject({ kind: 'error' });
    const error = outcome.errors[0]?.error as WorkerThreadError;
    expect(error).toBeInstanceOf(WorkerThreadError);
    expect(error).toMatchObject({ thread: 'cruncher', code: 1 });
    expect((error.cause as Error).message).toBe('thread boom');
    expect(threadSteps(events)).toEqual(['exited 1']);
  }, TIMEOUT);

  it('a thread that exits with a non-zero code by itself is a ChildExitError', async () => {
    const { outcome } = await runToEnd(() =>
      worker$(THREAD, { name: 'quitter', workerData: { mode: 'exit-2' } }).pipe(tap(postWhenUp('exit'))),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildExitError);
    expect(outcome.errors[0]?.error).toMatchObject({ child: 'quitter', code: 2, signal: null });
  }, TIMEOUT);

  it('unsubscribing outside a shutdown (take) stops the thread with the same sequence', async () => {
    const { events, outcome } = await runToEnd(
      () => worker$(THREAD, { workerData: { mode: 'cooperative' } }).pipe(filter(isUp), take(1)),
      20_000,
      'main-complete',
    );
    expect(threadSteps(events)).toEqual(['message', 'exited 0']);
    expect(outcome.status).toBe('ok');
  }, TIMEOUT);

  it('validates its arguments, naming the option', () => {
    expect(() => worker$(42 as never)).toThrow(TypeError);
    expect(() => worker$('')).toThrow(RangeError);
    expect(() => worker$(THREAD, { terminateAfter: -1 })).toThrow(/terminateAfter/);
    expect(() => worker$(THREAD, { terminateAfter: 'soon' as never })).toThrow(/terminateAfter/);
    expect(() => worker$(THREAD, { argv: [1] as never })).toThrow(/argv\[0\]/);
    expect(() => worker$(THREAD, { execArgv: 'x' as never })).toThrow(/execArgv/);
    expect(() => worker$(THREAD, { env: 'x' as never })).toThrow(/env/);
    expect(() => worker$(THREAD, { resourceLimits: { maxOldGenerationSizeMb: -1 } })).toThrow(RangeError);
    expect(() => worker$(THREAD, { resourceLimits: { heap: 1 } as never })).toThrow(/heap/);
    expect(() => worker$(THREAD, { name: 3 as never })).toThrow(/name/);
    expect(() => worker$(THREAD, { scheduler: {} as never })).toThrow(/scheduler/);
    expect(() => worker$(THREAD, { bogus: 1 } as never)).toThrow(/bogus/);
    expect(() => worker$(new URL('http://example.com/x.js'))).toThrow(/file: URL/);
    const fake = { threadId: 1, postMessage() {}, terminate() {}, on() {}, off() {}, once() {} } as unknown as Worker;
    expect(() => worker$(fake, { workerData: 1 })).toThrow(/workerData/);
  });
});

/** Posts `message` to the thread once it says it is up. */
function postWhenUp(message: string): (event: WorkerEvent) => void {
  let worker: Worker | undefined;
  return (event) => {
    if (event.type === 'start') worker = event.worker;
    if (isUp(event)) worker?.postMessage(message);
  };
}
