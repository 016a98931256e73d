/**
 * fork$ with real child processes and real signals: messages out, the exit as a value, a crash to the
 * app's policy, and the stop sequence (IPC message → SIGTERM after a grace → SIGKILL at the deadline).
 * Nothing here depends on speed: each test reacts to the child's messages and lifecycle events.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { filter, lastValueFrom, take, tap, toArray, type Observable } from 'rxjs';
import {
  ChildExitError, ChildKilledError, ChildModuleNotFoundError, fork$, runApp$, type AppContext, type AppOutcome, type ForkEvent, type LifecycleEvent,
} from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

const CHILD = path.join(__dirname, 'fixtures', 'child.js');
const TIMEOUT = 60_000;

/** Runs an app (real scheduler, test process port) to its end; every event and the outcome. */
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

const isUp = (event: ForkEvent) => event.type === 'message' && (event.message as { type?: string }).type === 'up';
const childSteps = (events: readonly LifecycleEvent[]) =>
  events.flatMap((e) => (e.type === 'child-stopping' ? [e.step] : e.type === 'child-exited' ? [`exited ${e.signal ?? e.code}`] : []));
/** Running (a zombie waiting for an init that does not reap is not running). */
const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

describe('fork$', () => {
  it('a module path that does not exist errors at once (ENOENT named), before anything is forked', () => {
    const missing = path.join(__dirname, 'fixtures', 'no-such-child.js');
    let caught: unknown;
    // Synchronous: the error is there when subscribe returns, so no process was started.
    fork$(missing).subscribe({ error: (error: unknown) => (caught = error) });
    expect(caught).toBeInstanceOf(ChildModuleNotFoundError);
    expect(caught).toMatchObject({ code: 'ENOENT', path: missing });
    expect((caught as Error).message).toContain(`ENOENT: no such module '${missing}'`);
  });

  it('inside an app, a missing module is a task error: the policy stops the app with it', async () => {
    const { outcome } = await runToEnd(() => fork$('./spec/processes/fixtures/nope.js'));
    expect(outcome.status).toBe('error');
    expect(outcome.reason).toMatchObject({ kind: 'error' });
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildModuleNotFoundError);
  }, TIMEOUT);

  it('emits spawn, the IPC messages and the output lines, then the exit record (code 0), then completes', async () => {
    const events = await lastValueFrom(fork$(CHILD, ['done'], { output: 'lines' }).pipe(toArray()));
    const spawn = events[0];
    expect(spawn).toMatchObject({ type: 'spawn', pid: expect.any(Number) });
    const rest = events.slice(1);
    expect(rest.filter((e) => e.type === 'message')).toEqual([
      { type: 'message', message: { type: 'up', pid: (spawn as { pid: number }).pid } },
      { type: 'message', message: { type: 'result', value: 42 } },
    ]);
    expect(rest.filter((e) => e.type === 'line')).toEqual(expect.arrayContaining([
      { type: 'line', stream: 'stdout', line: 'line one' },
      { type: 'line', stream: 'stdout', line: 'line two' },
      { type: 'line', stream: 'stdout', line: 'no newline at the end' },
      { type: 'line', stream: 'stderr', line: 'a warning' },
    ]));
    expect(events[events.length - 1]).toEqual({ type: 'exit', pid: (spawn as { pid: number }).pid, code: 0, signal: null });
  }, TIMEOUT);

  it('a child that crashes (exit 3) is a ChildExitError that the app\'s policy sees', async () => {
    const { outcome } = await runToEnd(() =>
      fork$(CHILD, ['crash'], { name: 'cruncher' }).pipe(tap((e) => e.type === 'spawn' && e.child.send('crash'))),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.reason).toMatchObject({ kind: 'error' });
    const error = outcome.errors[0]?.error;
    expect(error).toBeInstanceOf(ChildExitError);
    expect(error).toMatchObject({ child: 'cruncher', code: 3, signal: null });
  }, TIMEOUT);

  it('app shutdown stops an rxrun child with the IPC message alone, and waits for it before finalizing', async () => {
    const { events, outcome } = await runToEnd((app) =>
      fork$(CHILD, ['rxrun'], { name: 'rx' }).pipe(tap((e) => isUp(e) && app.stop())),
    );
    expect(outcome.status).toBe('ok');
    expect(outcome.errors).toEqual([]);
    expect(childSteps(events)).toEqual(['message', 'exited 0']);
    // Protected work: the child's exit comes before finalizing.
    const exitedAt = events.findIndex((e) => e.type === 'child-exited');
    const finalizingAt = events.findIndex((e) => e.type === 'phase' && e.phase === 'finalizing');
    expect(exitedAt).toBeGreaterThan(-1);
    expect(exitedAt).toBeLessThan(finalizingAt);
    expect(events.find((e) => e.type === 'protected-pending')).toMatchObject({ names: ['fork$ rx'] });
  }, TIMEOUT);

  it('a child that ignores the shutdown message gets SIGTERM after the grace; its exit by SIGTERM is a clean stop', async () => {
    const { events, outcome } = await runToEnd((app) =>
      fork$(CHILD, ['ignore-message'], { sigtermAfter: 200, sigkillAfter: 10_000 }).pipe(tap((e) => isUp(e) && app.stop())),
    );
    expect(childSteps(events)).toEqual(['message', 'SIGTERM', 'exited SIGTERM']);
    const message = events.find((e) => e.type === 'child-stopping' && e.step === 'message') as LifecycleEvent;
    const sigterm = events.find((e) => e.type === 'child-stopping' && e.step === 'SIGTERM') as LifecycleEvent;
    expect(sigterm.at - message.at).toBeGreaterThanOrEqual(200);
    expect(outcome.status).toBe('ok');
  }, TIMEOUT);

  it('a child that ignores SIGTERM is SIGKILLed at the deadline and named in the outcome', async () => {
    let pid = 0;
    const { events, outcome } = await runToEnd((app) =>
      fork$(CHILD, ['ignore-sigterm'], { name: 'stubborn', sigtermAfter: 100, sigkillAfter: 300 }).pipe(
        tap((e) => {
          if (e.type === 'spawn') pid = e.pid;
          if (isUp(e)) app.stop();
        }),
      ),
    );
    expect(childSteps(events)).toEqual(['message', 'SIGTERM', 'SIGKILL', 'exited SIGKILL']);
    const message = events.find((e) => e.type === 'child-stopping' && e.step === 'message') as LifecycleEvent;
    const sigkill = events.find((e) => e.type === 'child-stopping' && e.step === 'SIGKILL') as LifecycleEvent;
    expect(sigkill.at - message.at).toBeGreaterThanOrEqual(300);
    expect(outcome.status).toBe('error');
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({ source: 'child', name: 'stubborn' });
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildKilledError);
    expect((outcome.errors[0]?.error as Error).message).toMatch(/child 'stubborn' \(\d+\) did not stop within \d+ ms; killed with SIGKILL/);
    expect(alive(pid)).toBe(false);
  }, TIMEOUT);

  it('inside a short budget the deadline moves in: the child is killed before the app\'s own budget runs out', async () => {
    const { events, outcome } = await runToEnd((app) =>
      fork$(CHILD, ['ignore-sigterm'], { name: 'stubborn', sigtermAfter: 5000, sigkillAfter: 60_000 }).pipe(tap((e) => isUp(e) && app.stop())),
    1000);
    expect(childSteps(events)).toEqual(['message', 'SIGTERM', 'SIGKILL', 'exited SIGKILL']);
    // Named by fork$ itself; the app's budget was not exceeded.
    expect(outcome.status).toBe('error');
    expect(outcome.report).toBeUndefined();
    expect(outcome.errors[0]?.error).toBeInstanceOf(ChildKilledError);
  }, TIMEOUT);

  it('unsubscribing outside a shutdown (take) stops the child with the same sequence', async () => {
    const { events, outcome } = await runToEnd(
      () => fork$(CHILD, ['ignore-message'], { name: 'taken', sigtermAfter: 50 }).pipe(filter(isUp), take(1)),
      20_000,
      'main-complete',
    );
    expect(childSteps(events)).toEqual(['message', 'SIGTERM', 'exited SIGTERM']);
    expect(outcome.status).toBe('ok');
  }, TIMEOUT);
});
