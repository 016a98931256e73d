/**
 * Disagreements between the documented `@throws` / `@returns` and the code, found while writing the
 * public functions' TSDoc (issue #9), each pinned by a test that failed before its fix.
 */
import * as http from 'node:http';
import { NEVER, Observable } from 'rxjs';
import {
  NoCurrentAppError, outcomeError, probes, runApp, runApp$, serve$, shutdownWaitsFor, taskGroup, timer$, type AppOutcome,
} from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

describe('documented throws', () => {
  it('runApp: a port that throws while binding rejects the promise and leaves the port free for the next runApp', async () => {
    const port = createTestProcess();
    const onSignal = port.onSignal.bind(port);
    let refuse = true;
    const flaky = {
      ...port,
      onSignal: (signal: NodeJS.Signals, listener: () => void) => {
        if (refuse) throw new Error('no signals here');
        return onSignal(signal, listener);
      },
    };
    await expect(runApp(() => NEVER, { process: flaky, logger: false })).rejects.toThrow('no signals here');
    refuse = false;
    let second: Promise<AppOutcome> | undefined;
    expect(() => (second = runApp((app) => (app.stop(), NEVER), { process: flaky, logger: false }))).not.toThrow();
    expect((await second)?.status).toBe('ok');
  });

  it.each([
    ['shutdownWaitsFor', () => shutdownWaitsFor({ name: '' })],
    ['timer$', () => timer$(1000, () => undefined, { name: '' })],
    ['probes', () => probes({ name: '' })],
    ['serve$', () => serve$(http.createServer(), 0, { name: '' })],
  ])('%s refuses an empty name with a RangeError naming it', (_label, call) => {
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/'name'/);
  });

  it("serve$ and probes answer a port of the wrong type with a TypeError, out of range with a RangeError", () => {
    expect(() => serve$(http.createServer(), { port: '80' as never })).toThrow(TypeError);
    expect(() => serve$(http.createServer(), { port: 70000 })).toThrow(RangeError);
    const health = probes();
    expect(() => health.serve$({ port: '80' as never })).toThrow(TypeError);
    expect(() => health.serve$({ port: -1 })).toThrow(RangeError);
  });

  it('outcomeError names a non-outcome instead of failing inside', () => {
    expect(() => outcomeError(undefined as never)).toThrow(TypeError);
    expect(() => outcomeError(undefined as never)).toThrow(/outcomeError: 'outcome' must be an AppOutcome/);
  });

  it('taskGroup: a done$ refused with NoCurrentAppError leaves the group idle, so a later subscription starts it', () => {
    const start = () => runApp$(() => NEVER, { process: createTestProcess(), logger: false }).subscribe();
    const group = taskGroup({ name: 'g' });
    let ran = false;
    // Spawned before any app runs: queued until done$ is subscribed.
    group.spawn(new Observable<never>((subscriber) => ((ran = true), subscriber.complete())), { name: 'queued' });
    const first = start();
    let stopSecond = () => undefined as void;
    runApp$((app) => ((stopSecond = () => app.stop()), NEVER), { process: createTestProcess(), logger: false }).subscribe();
    let refused: unknown;
    group.done$.subscribe({ error: (error: unknown) => (refused = error) });
    expect(refused).toBeInstanceOf(NoCurrentAppError);
    stopSecond(); // stops at once: nothing to wait for
    // One app left: the group resolves it now, and its child runs to the end.
    expect(ran).toBe(false);
    let completed = false;
    group.done$.subscribe({ complete: () => (completed = true) });
    expect(ran).toBe(true); // the child queued before the refusal starts
    expect(completed).toBe(true);
    first.unsubscribe();
  });
});
