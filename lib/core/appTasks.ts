import { Subscription, type Observable, type ObservableInput } from 'rxjs';
import { Task, TaskRoot, type TaskOwner } from './TaskRoot.js';
import type { AppContext, AppMain, ErrorSource, SpawnOptions } from './types.js';
import { checkKnownKeys, checkName, checkObject, checkObservableInput, describe } from './validate.js';

/** What an app's tasks need from their runtime (internal). */
export interface TaskHost {
  /** No shutdown requested, and starting or running: a new task may start. */
  accepting(): boolean;
  /** A task was refused: shutdown is under way (or the app stopped). */
  refused(name: string): void;
  reportError(source: ErrorSource, name: string | undefined, error: unknown): void;
  reportTeardownError(error: unknown): void;
  /** A task ended while the root still stands (`until: 'main-complete'` watches this). */
  taskGone(): void;
}

/**
 * An app's tasks (internal): main's tasks and `app.spawn`'s, merged into one root that the draining
 * phase tears down at once. While the app's own shutdown unsubscribes (`detachWhile`), protected work
 * detaches instead of ending.
 */
export interface AppTasks {
  /** Tasks still running. */
  readonly size: number;
  /** Their names, at most `limit`. */
  names(limit?: number): string[];
  /** The root was torn down (draining, cut-off or abandon). */
  readonly tornDown: boolean;
  /** True while the app's own shutdown unsubscribes things (the root teardown, `untilShutdown`). */
  readonly detaching: boolean;
  /** `app.spawn`. */
  readonly spawn: (task: ObservableInput<unknown>, options?: SpawnOptions) => Subscription;
  /** Runs main (a factory is called with `context`) and spawns what it returns; its failures are main's errors. */
  startMain(main: AppMain, context: AppContext): void;
  /** Tears the root down once, as part of the app's own shutdown. */
  tearDown(): void;
  /** Runs `run` as part of the app's own shutdown: protected work it unsubscribes detaches. */
  readonly detachWhile: (run: () => void) => void;
}

export function createAppTasks(host: TaskHost): AppTasks {
  const root = new TaskRoot();
  let count = 0;
  let tornDown = false;
  let detaching = false;

  const owner: TaskOwner = {
    taskFailed: (task, error) => host.reportError('task', task.name, error),
    teardownFailed: (error) => host.reportTeardownError(error),
    taskEnded: () => {
      if (!tornDown) host.taskGone();
    },
  };

  function spawn(task: ObservableInput<unknown>, options?: SpawnOptions): Subscription {
    const where = 'app.spawn';
    // Stryker disable next-line ConditionalExpression: `false` is equivalent — checkSpawnName(where, undefined) checks an empty object and gives undefined too; the `true` twin (no name ever) is killed by appTasks.mutants.spec.ts
    const name = options === undefined ? undefined : checkSpawnName(where, options);
    const source = checkObservableInput(where, 'task', task);
    if (!host.accepting()) {
      host.refused(name ?? `task#${count + 1}`);
      const refused = new Subscription();
      refused.unsubscribe();
      return refused;
    }
    count += 1;
    const live = new Task(name ?? count, owner);
    root.add(live);
    try {
      source.subscribe(live);
    } catch (error) {
      // A task that ended during subscribe runs its teardown right there, outside `live.unsubscribe`.
      host.reportTeardownError(error);
    }
    return live;
  }

  function startMain(main: AppMain, context: AppContext): void {
    let produced: unknown;
    try {
      produced = typeof main === 'function' ? main(context) : main;
    } catch (error) {
      host.reportError('main', 'main', error);
      return;
    }
    const list = Array.isArray(produced) ? produced : [produced];
    list.forEach((task: unknown, index) => {
      const name = list.length === 1 ? 'main' : `main[${index}]`;
      let source: Observable<unknown>;
      try {
        // Stryker disable next-line StringLiteral: equivalent — these only name the error thrown here, which the catch below replaces with main's own
        source = checkObservableInput('main', 'task', task as ObservableInput<unknown>);
      } catch {
        const what = list.length === 1 ? describe(task) : `${describe(task)} as element ${index}`;
        host.reportError('main', name, new TypeError(`main: returned ${what}, which is not an ObservableInput (an Observable, a Promise, an iterable) or an array of them`));
        return;
      }
      try {
        spawn(source, { name });
      } catch (error) {
        host.reportError('main', name, error);
      }
    });
  }

  function detachWhile(run: () => void): void {
    const outer = detaching;
    detaching = true;
    try {
      run();
    } finally {
      detaching = outer;
    }
  }

  return {
    get size() {
      return root.size;
    },
    names: (limit) => root.names(limit),
    get tornDown() {
      return tornDown;
    },
    get detaching() {
      return detaching;
    },
    spawn,
    startMain,
    tearDown() {
      // Stryker disable next-line ConditionalExpression: `false` is an early exit only — TaskRoot.tearDown() on a torn-down root finds no task to end; the `true` twin (never tearing down) is killed by appTasks.mutants.spec.ts
      if (tornDown) return;
      tornDown = true;
      detachWhile(() => root.tearDown());
    },
    detachWhile,
  };
}

function checkSpawnName(where: string, options: unknown): string | undefined {
  const config = checkObject(where, 'options', options);
  checkKnownKeys(where, config, ['name']);
  return checkName(where, 'name', config['name']);
}
