import { NEVER, Observable, Subject, UnsubscriptionError, finalize, interval, takeUntil, type Subscription } from 'rxjs';
import { Task, TaskRoot, type TaskOwner } from '../../lib/core/TaskRoot.js';
import { runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

function recordingOwner(log: string[]): TaskOwner {
  return {
    taskFailed: (task, error) => log.push(`failed ${task.name} ${String(error)}`),
    teardownFailed: (error) =>
      log.push(`teardown-failed ${error instanceof UnsubscriptionError ? error.errors.map((each) => (each as Error).message).join() : String(error)}`),
    taskEnded: (task) => log.push(`ended ${task.name}`),
  };
}

describe('TaskRoot', () => {
  it('keeps live tasks in start order through removals anywhere', () => {
    const log: string[] = [];
    const root = new TaskRoot();
    const tasks = ['a', 'b', 'c', 'd'].map((name) => new Task(name, recordingOwner(log)));
    tasks.forEach((task) => root.add(task));
    expect(root.names()).toEqual(['a', 'b', 'c', 'd']);
    tasks[1]!.unsubscribe();
    tasks[0]!.unsubscribe();
    tasks[3]!.unsubscribe();
    expect(root.names()).toEqual(['c']);
    expect(root.size).toBe(1);
    root.add(new Task('e', recordingOwner(log)));
    expect(root.names()).toEqual(['c', 'e']);
    expect(root.names(1)).toEqual(['c']);
    expect(log).toEqual(['ended b', 'ended a', 'ended d']);
  });

  it('names a task by number only when asked, as task#N', () => {
    expect(new Task(7, recordingOwner([])).name).toBe('task#7');
  });

  it('tearDown unsubscribes every task first to last and empties the root', () => {
    const log: string[] = [];
    const root = new TaskRoot();
    for (const name of ['a', 'b', 'c']) {
      const task = new Task(name, recordingOwner(log));
      root.add(task);
      new Observable(() => () => log.push(`teardown ${name}`)).subscribe(task);
    }
    root.tearDown();
    expect(log).toEqual(['teardown a', 'ended a', 'teardown b', 'ended b', 'teardown c', 'ended c']);
    expect(root.size).toBe(0);
    expect(root.names()).toEqual([]);
  });
});

describe('Task', () => {
  it('is subscribed as is: the source sees the task itself as its subscriber', () => {
    const task = new Task('t', recordingOwner([]));
    let seen: unknown;
    new Observable((subscriber) => {
      seen = subscriber;
    }).subscribe(task);
    expect(seen).toBe(task);
  });

  it('reports an error before its teardown runs, then ends', () => {
    const log: string[] = [];
    const task = new Task('t', recordingOwner(log));
    const source = new Subject<void>();
    new Observable<void>((subscriber) => {
      const inner = source.subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        log.push('teardown');
      };
    }).subscribe(task);
    source.error('boom');
    expect(log).toEqual(['failed t boom', 'teardown', 'ended t']);
    expect(task.closed).toBe(true);
  });

  it('reports a teardown that throws instead of letting it escape, and still ends', () => {
    const log: string[] = [];
    const task = new Task('t', recordingOwner(log));
    const root = new TaskRoot();
    root.add(task);
    new Observable(() => () => {
      throw new Error('bad teardown');
    }).subscribe(task);
    expect(() => root.tearDown()).not.toThrow();
    expect(log).toEqual(['teardown-failed bad teardown', 'ended t']);
  });

  it('ignores values and notifications after it closed', () => {
    const log: string[] = [];
    const task = new Task('t', recordingOwner(log));
    NEVER.subscribe(task);
    task.complete();
    task.error('late');
    task.complete();
    expect(log).toEqual(['ended t']);
  });
});

describe('TaskRoot.tearDown when a task teardown touches a sibling', () => {
  // TaskRoot.tearDown() walks a list it has already detached, but Task.unsubscribe() still calls
  // root.remove() for tasks not yet visited. A task whose teardown unsubscribes the *next* task's handle
  // (e.g. `finalize(() => helper.unsubscribe())`) re-links the list so every task after that one is skipped:
  // they keep running after `stopped`, and TaskRoot.size goes negative.
  it('every task is torn down at draining even when a task cancels a sibling in its teardown', () => {
    const testScheduler = newScheduler();
    const tornDown: string[] = [];
    let events: LifecycleEvent[] = [];
    const tracked = (name: string) => new Observable<never>(() => () => void tornDown.push(name));
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      events = collect(
        runApp$(
          (app) => {
            let helper: Subscription | undefined;
            app.spawn(NEVER.pipe(finalize(() => helper?.unsubscribe())), { name: 'server' });
            helper = app.spawn(tracked('helper'), { name: 'helper' });
            app.spawn(tracked('poller'), { name: 'poller' });
            app.spawn(tracked('metrics'), { name: 'metrics' });
            return [];
          },
          { process: port, logger: false },
        ),
      );
    });
    expect(outcomeOf(events).status).toBe('ok');
    // before the fix: ['helper'] — 'poller' and 'metrics' are never unsubscribed and run on after `stopped`
    expect(tornDown.sort()).toEqual(['helper', 'metrics', 'poller']);
  });

  it('same, when a task teardown makes the next task *complete* (finalize(() => stop$.next()) + takeUntil(stop$))', () => {
    const testScheduler = newScheduler();
    const tornDown: string[] = [];
    let events: LifecycleEvent[] = [];
    const tracked = (name: string) => new Observable<never>(() => () => void tornDown.push(name));
    testScheduler.run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 1);
      events = collect(
        runApp$(
          () => {
            const stop$ = new Subject<void>();
            return [
              NEVER.pipe(finalize(() => stop$.next())),
              interval(1).pipe(takeUntil(stop$)),
              tracked('metrics'),
            ];
          },
          { process: port, logger: false },
        ),
      );
    });
    expect(outcomeOf(events).status).toBe('ok');
    expect(tornDown).toEqual(['metrics']); // before the fix: [] — 'metrics' keeps running after `stopped`
  });
});
