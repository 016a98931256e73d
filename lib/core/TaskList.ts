/** One live task in a {@link TaskList}. */
export interface TaskEntry {
  readonly name: string;
  prev: TaskEntry | undefined;
  next: TaskEntry | undefined;
  listed: boolean;
}

/**
 * The names of an app's live tasks, in start order: O(1) add and delete without allocation beyond
 * the entry. (A `Map` with a new key per task rehashes its table every few inserts when tasks start
 * and end at a high rate; that rehashing was the largest rxrun-specific cost of a short task.)
 */
export class TaskList {
  private head: TaskEntry | undefined;
  private tail: TaskEntry | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(name: string): TaskEntry {
    const entry: TaskEntry = { name, prev: this.tail, next: undefined, listed: true };
    if (this.tail === undefined) this.head = entry;
    else this.tail.next = entry;
    this.tail = entry;
    this.count += 1;
    return entry;
  }

  delete(entry: TaskEntry): boolean {
    if (!entry.listed) return false;
    entry.listed = false;
    if (entry.prev === undefined) this.head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === undefined) this.tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = undefined;
    entry.next = undefined;
    this.count -= 1;
    return true;
  }

  /** The names, in start order, as a new array. */
  names(): string[] {
    const names = new Array<string>(this.count);
    let index = 0;
    for (let entry = this.head; entry !== undefined; entry = entry.next) names[index++] = entry.name;
    return names;
  }

  *values(): IterableIterator<string> {
    for (let entry = this.head; entry !== undefined; entry = entry.next) yield entry.name;
  }

  clear(): void {
    for (let entry = this.head; entry !== undefined; entry = entry.next) entry.listed = false;
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
  }
}
