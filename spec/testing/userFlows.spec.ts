/**
 * User-style marble tests of whole shutdown flows, written only against the public API (`rxrun`,
 * `rxrun/testing`) and the README's guidance. They document how to test your own app's shutdown.
 */
import { NEVER, Subject, filter, map, mergeMap, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { runApp, shutdownWaitsFor, untilShutdown, type AppContext, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' } as const;

describe('user flows with rxrun/testing', () => {
  it('a job consumer: stops taking jobs on SIGTERM, drains, lets the in-flight save finish, then closes the db', () => {
    const saved: string[] = [];
    const log: string[] = [];
    newScheduler().run(({ hot, expectObservable }) => {
      // Jobs arrive at frames 2, 6 and 12; each save takes 5 frames.
      const jobs$ = hot<string>('--a---b-----c', { a: 'job-a', b: 'job-b', c: 'job-c' });
      const save = (job: string) => timer(5).pipe(tap(() => saved.push(job)));

      const app = runTestApp((ctx: AppContext) => {
        // The drain hook: readiness down, then 2 frames for the load balancer to notice.
        ctx.onShutdown(() => timer(2).pipe(tap({ subscribe: () => log.push('not ready') })), { name: 'drain' });
        ctx.defer(() => void log.push('db closed'), { name: 'db' });
        return jobs$.pipe(
          untilShutdown(ctx), // no new jobs once shutdown starts
          mergeMap((job) => save(job).pipe(shutdownWaitsFor(ctx, { name: `save ${job}` }))),
        );
      });
      app.port.signal('SIGTERM', 8); // job-b's save runs from 6 to 11

      // starting+running at 0; stopping at 8; the hook ends at 10; draining waits for job-b until 11.
      expectObservable(app.phases$).toBe('(sr) 4ms q-d(fx|)', PHASES);
      expectObservable(app.exitCode$).toBe('11ms (c|)', { c: 143 });
      expectObservable(
        app.events$.pipe(
          filter((e): e is Extract<LifecycleEvent, { type: 'protected-pending' }> => e.type === 'protected-pending'),
          map((e) => e.names),
        ),
      ).toBe('10ms p|', { p: ['save job-b'] }); // events$ completes at stopped
    });
    expect(saved).toEqual(['job-a', 'job-b']); // job-c arrived after shutdown began: never taken
    expect(log).toEqual(['not ready', 'db closed']);
  });

  it('a second SIGINT forces the stop and names what was cut off; a duplicate within 250 ms is ignored', () => {
    newScheduler().run(({ expectObservable }) => {
      const app = runTestApp((ctx) => [
        NEVER,
        timer(1000).pipe(shutdownWaitsFor(ctx, { name: 'upload' })), // a slow protected upload
      ]);
      app.port.signal('SIGINT', 10);
      app.port.signal('SIGINT', 20); // npm's duplicate: coalesced
      app.port.signal('SIGINT', 500); // the user presses Ctrl-C again: forced

      expectObservable(
        app.events$.pipe(
          filter((e) => e.type === 'signal-coalesced' || e.type === 'forced'),
          map((e) => e.type),
        ),
      ).toBe('20ms c 479ms (f|)', { c: 'signal-coalesced', f: 'forced' });
      expectObservable(
        app.outcome$.pipe(map((o) => ({ status: o.status, cutOff: o.report?.pending.map((p) => `${p.kind} ${p.name}`) }))),
      ).toBe('500ms (o|)', { o: { status: 'forced', cutOff: ['protected upload'] } });
      expectObservable(app.exitCode$).toBe('500ms (c|)', { c: 130 });
    });
  });

  it('runApp (the process form) with a test port: exit status and log lines, inside TestScheduler.run', async () => {
    const port = createTestProcess();
    let outcome: Promise<unknown> | undefined;
    newScheduler().run(() => {
      outcome = runApp(
        (ctx) => {
          ctx.defer(() => timer(3), { name: 'flush' });
          return NEVER;
        },
        { process: port, shutdownTimeout: 2 }, // the default logger writes to port.lines
      );
      port.signal('SIGTERM', 5);
    });
    // The finalizer needs 3 frames but the budget is 2: a timeout, which never exits 0.
    expect(port.raisedSignal).toBe('SIGTERM');
    expect(port.exitCode).toBe(143);
    expect(port.listenerCount()).toBe(0);
    expect(port.keepAlives).toBe(0);
    expect(port.lines.some((line) => line.includes("shutdown budget exceeded") && line.includes("finalizer 'flush' (running)"))).toBe(true);
    await expect(outcome).resolves.toMatchObject({ status: 'timeout', shutdownMs: 2 });
  });

  it('untilShutdown ends a ticker cleanly in stopping: its output is marble-tested through a Subject', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const ticks = new Subject<string>();
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => timer(3), { name: 'flush' });
        return cold<string>('-a-b-c-d-e-f').pipe(untilShutdown(ctx), tap(ticks));
      });
      app.port.signal('SIGTERM', 6);
      expectObservable(ticks).toBe('-a-b-c|'); // c at 5; SIGTERM at 6 completes it
      // The ticker completed in stopping, so draining had nothing left to cancel.
      expectObservable(
        app.events$.pipe(
          filter((e): e is Extract<LifecycleEvent, { type: 'tasks-cancelled' }> => e.type === 'tasks-cancelled'),
          map((e) => e.count),
        ),
      ).toBe('9ms (n|)', { n: 0 });
    });
  });
});

