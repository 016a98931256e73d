/**
 * RxJS's standard "stops a synchronous firehose" test, for every operator and task source rxrun ships:
 * a source that emits synchronously until its subscriber is closed must stop as soon as whatever is
 * downstream lets go — inside its own synchronous emissions. Subscribing the source before the
 * teardown is in place (the bug) keeps it spinning: SIGTERM can never run. The loop is bounded
 * (`LIMIT`) so that a regression fails instead of hanging.
 */
import { NEVER, Observable, map, switchMap, take, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { resource$, shutdownWaitsFor, supervise, taskGroup, timer$, untilShutdown, type AppContext } from 'rxrun';
import { runTestApp } from 'rxrun/testing';

const LIMIT = 1000;

/** Emits 0, 1, 2… synchronously while its subscriber is open (at most LIMIT); records what it emitted. */
function firehose(emitted: number[]): Observable<number> {
  return new Observable<number>((subscriber) => {
    for (let i = 0; i < LIMIT && !subscriber.closed; i += 1) {
      emitted.push(i);
      subscriber.next(i);
    }
  });
}

/** Runs `main` in a test app on a TestScheduler until it stops by itself or at frame 100. */
function inApp(main: (app: AppContext) => unknown): void {
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ flush }) => {
    const app = runTestApp(main as never);
    app.port.signal('SIGTERM', 100);
    app.outcome$.subscribe();
    flush();
  });
}

describe('a synchronous firehose stops as soon as downstream lets go', () => {
  it('shutdownWaitsFor', () => {
    const emitted: number[] = [];
    const seen: number[] = [];
    inApp((app) => {
      firehose(emitted).pipe(shutdownWaitsFor(app), take(3)).subscribe((value) => seen.push(value));
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('shutdownWaitsFor without an app running errors before the source runs (nothing to protect it in)', () => {
    const emitted: number[] = [];
    const errors: unknown[] = [];
    firehose(emitted).pipe(shutdownWaitsFor({ name: 'alone' }), take(3)).subscribe({ error: (error: unknown) => errors.push(error) });
    expect(errors).toEqual([expect.objectContaining({ name: 'NoCurrentAppError' })]);
    expect(emitted).toEqual([]);
  });

  it('untilShutdown', () => {
    const emitted: number[] = [];
    inApp((app) => {
      firehose(emitted).pipe(untilShutdown(app), take(3)).subscribe();
    });
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('supervise', () => {
    const emitted: number[] = [];
    inApp((app) => {
      supervise(firehose(emitted), { app }).pipe(take(3)).subscribe();
    });
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('taskGroup: a child cancelled by its group from inside its own emissions', () => {
    const emitted: number[] = [];
    inApp((app) => {
      const group = taskGroup({ app });
      group.spawn(firehose(emitted).pipe(tap((value) => value === 2 && group.cancel())));
      return group.done$;
    });
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('timer$: a tick whose values downstream takes only three of', () => {
    const emitted: number[] = [];
    inApp((app) => {
      timer$(10, () => firehose(emitted), { app }).pipe(take(3)).subscribe();
    });
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('resource$: an acquire that emits synchronously is taken once', () => {
    const emitted: number[] = [];
    inApp((app) => {
      resource$(() => firehose(emitted), () => undefined, { app }).pipe(take(1)).subscribe();
    });
    expect(emitted).toEqual([0]);
  });

  it('app.spawn: a running app stopped from inside a task\'s emissions tears the task down there', () => {
    const emitted: number[] = [];
    inApp((app) => {
      timer(5).subscribe(() => app.spawn(firehose(emitted).pipe(tap((value) => value === 2 && app.stop()))));
      return NEVER;
    });
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('main: a running app stopped from inside main\'s emissions tears main down there', () => {
    const emitted: number[] = [];
    inApp((app) => timer(5).pipe(switchMap(() => firehose(emitted).pipe(tap((value) => value === 2 && app.stop())))));
    expect(emitted).toEqual([0, 1, 2]);
  });

  it('main through map: the root lets go of a main whose downstream completes', () => {
    const emitted: number[] = [];
    inApp(() => firehose(emitted).pipe(map((value) => value * 2), take(3)));
    expect(emitted).toEqual([0, 1, 2]);
  });
});
