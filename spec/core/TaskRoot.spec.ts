import { NEVER, Observable, Subject, UnsubscriptionError } from 'rxjs';
import { Task, TaskRoot, type TaskOwner } from '../../lib/core/TaskRoot.js';

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
