import type { Observable, ObservableInput, SchedulerLike } from 'rxjs';
import type { AppContext } from '../core/types.js';

// Internal: what `resource$` attaches (non-enumerably) to the observable it returns, so that
// `resources$` can drive acquire and release of several resources itself (release order).

/** The key under which a `resource$` observable carries its spec. */
const RESOURCE_SPEC: unique symbol = Symbol('rxrun.resource');

export interface ResourceSpec {
  readonly acquire: () => ObservableInput<unknown>;
  readonly release: (resource: unknown) => ObservableInput<unknown> | void;
  /** `undefined`: `resource$` says `'resource'`, `resources$` uses the record key. */
  readonly name: string | undefined;
  readonly timeout: number | undefined;
  readonly app: AppContext | undefined;
  readonly scheduler: SchedulerLike | undefined;
  readonly onError: ((error: unknown, name: string) => void) | undefined;
}

export function attachSpec<T>(observable: Observable<T>, spec: ResourceSpec): Observable<T> {
  Object.defineProperty(observable, RESOURCE_SPEC, { value: spec, enumerable: false, writable: false, configurable: false });
  return observable;
}

export function specOf(value: unknown): ResourceSpec | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as { [RESOURCE_SPEC]?: ResourceSpec })[RESOURCE_SPEC];
}
