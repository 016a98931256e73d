import { Observable } from 'rxjs';
import type { ProtectedTicket } from './appRegistry.js';

/** The work an app waits for while draining (`shutdownWaitsFor`, `serve$`'s drain…) (internal). */
export interface ProtectedWork {
  /** Registers work; its ticket's `done()` says it ended (once; later calls do nothing). */
  protect(name: string, cutOff: () => void): ProtectedTicket;
  readonly size: number;
  /** Names in registration order, at most `limit`. */
  names(limit?: number): string[];
  /**
   * Completes once nothing is registered — at subscribe already, if so: the last work may end between
   * the moment the app looks and the moment it starts waiting (a listener of `protected-pending` that
   * finishes it), and that moment cannot be missed.
   */
  whenIdle(): Observable<never>;
  /** Cuts everything registered off (the budget ran out, or a forced stop); errors go to `onError`. */
  cutOffAll(onError: (error: unknown) => void): void;
}

export function createProtectedWork(): ProtectedWork {
  const entries = new Map<number, { readonly name: string; readonly cutOff: () => void }>();
  const idleWaiters = new Set<() => void>();
  let nextId = 0;

  return {
    protect(name, cutOff) {
      // Stryker disable next-line AssignmentOperator: equivalent — ids only have to be unique; counting down gives unique ids too
      nextId += 1;
      const id = nextId;
      entries.set(id, { name, cutOff });
      return {
        done() {
          if (!entries.delete(id) || entries.size > 0) return;
          for (const waiter of [...idleWaiters]) waiter();
        },
      };
    },
    get size() {
      return entries.size;
    },
    names(limit = Infinity) {
      const names: string[] = [];
      for (const entry of entries.values()) {
        if (names.length >= limit) break;
        names.push(entry.name);
      }
      return names;
    },
    whenIdle() {
      return new Observable<never>((subscriber) => {
        const waiter = () => subscriber.complete();
        idleWaiters.add(waiter);
        if (entries.size === 0) waiter();
        // Stryker disable next-line ArrowFunction: not observable through the interface — a waiter left behind completes an unsubscribed subscriber, which ignores it; only the Set's memory differs
        return () => void idleWaiters.delete(waiter);
      });
    },
    cutOffAll(onError) {
      const cut = [...entries.values()];
      entries.clear();
      for (const entry of cut) {
        try {
          entry.cutOff();
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}
