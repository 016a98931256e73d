import { Subscription, type Observer } from 'rxjs';

/** What a {@link Task} tells the runtime that owns it. */
export interface TaskOwner {
  /** The task's source errored (called before the task is torn down). */
  taskFailed(task: Task, error: unknown): void;
  /** The task's own teardown threw. */
  teardownFailed(error: unknown): void;
  /** The task ended (completed, failed or cancelled) and its teardown has run. */
  taskEnded(task: Task): void;
}

/**
 * One task of an app: the Subscription `app.spawn` returns, the observer its source is subscribed
 * with, and a node of the app's {@link TaskRoot} — one object, because RxJS subscribes an object that
 * is both an Observer and a Subscription as is (no SafeSubscriber, no closures), which keeps a live
 * task about as cheap as a raw subscription.
 */
export class Task extends Subscription implements Observer<unknown> {
  before: Task | undefined;
  after: Task | undefined;
  root: TaskRoot | undefined;

  constructor(
    // A number stands for the default name `task#N`, built only when someone asks for it.
    private readonly label: string | number,
    private readonly owner: TaskOwner,
  ) {
    super();
    this.before = undefined;
    this.after = undefined;
    this.root = undefined;
  }

  get name(): string {
    return typeof this.label === 'number' ? `task#${this.label}` : this.label;
  }

  next(): void {
    // A task's values are its own business; the app only watches how it ends.
  }

  error(error: unknown): void {
    if (this.closed) return;
    // Reported first: removing the last task may request a 'main-complete' shutdown that would
    // otherwise win the reason, or even reach `stopped` before the error is recorded.
    this.owner.taskFailed(this, error);
    this.unsubscribe();
  }

  complete(): void {
    this.unsubscribe();
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.root?.remove(this);
    try {
      super.unsubscribe();
    } catch (error) {
      // Thrown here, it would escape to whatever ended the source, as an unhandled error.
      this.owner.teardownFailed(error);
    }
    // After the teardown, so that a 'main-complete' shutdown never sees this task's timer still live.
    this.owner.taskEnded(this);
  }
}

/**
 * The app's root subscription: its live tasks in start order, with O(1) add and remove (an RxJS
 * parent Subscription removes a child with a linear search, quadratic when many tasks are live and
 * short ones come and go).
 */
export class TaskRoot {
  private head: Task | undefined;
  private tail: Task | undefined;
  private count = 0;
  // Once torn down, removals are ignored: a task's teardown may end a sibling that is still ahead in
  // the walk, and unlinking it then would cut the rest of the walk short.
  private tornDown = false;

  get size(): number {
    return this.count;
  }

  add(task: Task): void {
    if (this.tornDown) {
      task.unsubscribe();
      return;
    }
    task.root = this;
    task.before = this.tail;
    if (this.tail === undefined) this.head = task;
    else this.tail.after = task;
    this.tail = task;
    this.count += 1;
  }

  remove(task: Task): void {
    if (this.tornDown || task.root !== this) return;
    task.root = undefined;
    if (task.before === undefined) this.head = task.after;
    else task.before.after = task.after;
    if (task.after === undefined) this.tail = task.before;
    else task.after.before = task.before;
    task.before = undefined;
    task.after = undefined;
    this.count -= 1;
  }

  /** The live tasks' names in start order (at most `limit`). */
  names(limit = Infinity): string[] {
    const names: string[] = [];
    for (let task = this.head; task !== undefined && names.length < limit; task = task.after) names.push(task.name);
    return names;
  }

  /** Unsubscribes every live task, first to last; the root is empty afterwards. */
  tearDown(): void {
    this.tornDown = true;
    let task = this.head;
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
    while (task !== undefined) {
      const following = task.after;
      task.root = undefined;
      task.before = undefined;
      task.after = undefined;
      task.unsubscribe();
      task = following;
    }
  }
}
