// TaskRoot's linked list and Task's ending, case by case (internal; issue 9).
import { NEVER, Observable } from 'rxjs';
import { Task, TaskRoot, type TaskOwner } from '../../lib/core/TaskRoot';

function owner(log: string[]): TaskOwner {
  return {
    taskFailed: (task, error) => log.push(`failed ${task.name} ${String(error)}`),
    teardownFailed: (error) => log.push(`teardown-failed ${String(error)}`),
    taskEnded: (task) => log.push(`ended ${task.name}`),
  };
}

/** A root holding tasks named `names`, each subscribed to NEVER. */
function rootWith(names: string[], log: string[] = []) {
  const root = new TaskRoot();
  const tasks = names.map((name) => {
    const task = new Task(name, owner(log));
    root.add(task);
    NEVER.subscribe(task);
    return task;
  });
  return { root, tasks };
}

const links = (task: Task) => [task.root, task.before?.name, task.after?.name];

describe('TaskRoot (mutants)', () => {
  it('add links each task after the last one', () => {
    const { root, tasks } = rootWith(['a', 'b', 'c']);
    expect(links(tasks[0]!)).toEqual([root, undefined, 'b']);
    expect(links(tasks[1]!)).toEqual([root, 'a', 'c']);
    expect(links(tasks[2]!)).toEqual([root, 'b', undefined]);
    expect(root.size).toBe(3);
  });

  it('removing the last task, then adding: the new one follows the one before', () => {
    const { root, tasks } = rootWith(['a', 'b']);
    tasks[1]!.unsubscribe();
    expect(links(tasks[1]!)).toEqual([undefined, undefined, undefined]);
    expect(links(tasks[0]!)).toEqual([root, undefined, undefined]);
    const c = new Task('c', owner([]));
    root.add(c);
    expect(root.names()).toEqual(['a', 'c']);
    expect(links(c)).toEqual([root, 'a', undefined]);
  });

  it('removing the first and only task empties the root; an add starts it again', () => {
    const { root, tasks } = rootWith(['a']);
    tasks[0]!.unsubscribe();
    expect([root.size, root.names()]).toEqual([0, []]);
    const b = new Task('b', owner([]));
    root.add(b);
    expect([root.size, root.names(), links(b)]).toEqual([1, ['b'], [root, undefined, undefined]]);
  });

  it('removing the first of several: the next one becomes the first', () => {
    const { root, tasks } = rootWith(['a', 'b', 'c']);
    tasks[0]!.unsubscribe();
    expect(root.names()).toEqual(['b', 'c']);
    expect(links(tasks[1]!)).toEqual([root, undefined, 'c']);
    tasks[2]!.unsubscribe();
    expect(root.names()).toEqual(['b']);
    expect(links(tasks[1]!)).toEqual([root, undefined, undefined]);
    expect(root.size).toBe(1);
  });

  it('a task of another root is not removed (nor counted off)', () => {
    const first = rootWith(['a']);
    const second = rootWith(['b']);
    second.root.remove(first.tasks[0]!);
    expect([first.root.names(), first.root.size, second.root.names(), second.root.size]).toEqual([['a'], 1, ['b'], 1]);
    expect(links(first.tasks[0]!)).toEqual([first.root, undefined, undefined]);
  });

  it('names: at most the limit, and none for a limit of 0', () => {
    const { root } = rootWith(['a', 'b', 'c']);
    expect(root.names(0)).toEqual([]);
    expect(root.names(2)).toEqual(['a', 'b']);
    expect(root.names(5)).toEqual(['a', 'b', 'c']);
  });

  it('tearDown unlinks every task before ending it; removals during the walk are ignored; a later add ends the task at once', () => {
    const log: string[] = [];
    const root = new TaskRoot();
    const seen: unknown[][] = [];
    const tasks = ['a', 'b', 'c'].map((name) => new Task(name, owner(log)));
    for (const [index, task] of tasks.entries()) {
      root.add(task);
      new Observable<never>(() => () => {
        seen.push([task.name, ...links(task), root.size]);
        // a's teardown ends c, which is still ahead in the walk
        if (index === 0) tasks[2]!.unsubscribe();
      }).subscribe(task);
    }
    root.tearDown();
    expect(seen).toEqual([
      ['a', undefined, undefined, undefined, 0],
      // c was ended by a's teardown: still linked to b then (the walk had not reached it), but no longer in the root
      ['c', root, 'b', undefined, 0],
      ['b', undefined, undefined, undefined, 0],
    ]);
    expect(log).toEqual(['ended c', 'ended a', 'ended b']);
    expect([root.size, root.names()]).toEqual([0, []]);
    const late = new Task('late', owner(log));
    root.add(late);
    expect(late.closed).toBe(true);
    expect([root.size, root.names(), late.root]).toEqual([0, [], undefined]);
    expect(log).toEqual(['ended c', 'ended a', 'ended b', 'ended late']);
  });
});

describe('Task (mutants)', () => {
  it('ends once: a second unsubscribe, complete or error does nothing', () => {
    const log: string[] = [];
    const { root, tasks } = rootWith(['a', 'b'], log);
    tasks[0]!.unsubscribe();
    tasks[0]!.unsubscribe();
    tasks[0]!.complete();
    tasks[0]!.error('late');
    expect(log).toEqual(['ended a']);
    expect([root.size, root.names()]).toEqual([1, ['b']]);
  });

  it('an error: reported while the task is still in the root, then removed and ended', () => {
    const log: string[] = [];
    const root = new TaskRoot();
    const task = new Task('t', {
      ...owner(log),
      taskFailed: (failed, error) => log.push(`failed ${failed.name} ${String(error)} (in root: ${root.names().includes('t')})`),
    });
    root.add(task);
    task.error('boom');
    expect(log).toEqual(['failed t boom (in root: true)', 'ended t']);
    expect(root.size).toBe(0);
  });

  it('a value does nothing', () => {
    const log: string[] = [];
    const { tasks } = rootWith(['a'], log);
    tasks[0]!.next();
    expect([tasks[0]!.closed, log]).toEqual([false, []]);
  });
});
