import { Observable, UnsubscriptionError, type MonoTypeOperatorFunction } from 'rxjs';
import { HeldSubscriber } from './HeldSubscriber.js';

/**
 * Runs the source so that an error thrown by its teardown — whether the source ended on its own or
 * was unsubscribed — goes to `onTeardownError` instead of escaping into whatever called `complete()`
 * or `unsubscribe()` (RxJS rethrows it there, where it can stall a `concat` or surface as an
 * uncaught exception). Values and notifications pass through unchanged.
 */
export function guardTeardown<T>(onTeardownError: (error: unknown) => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      // Added before the source runs (as RxJS's share does): a downstream that lets go during the source's
      // synchronous emissions reaches it there, and a synchronous firehose stops. Its own `unsubscribe`
      // catches what the source's teardown throws.
      const held = new HeldSubscriber<T>(subscriber, onTeardownError);
      subscriber.add(held);
      held.run(source);
    });
}

/** The errors a teardown threw, one by one (RxJS wraps several in an `UnsubscriptionError`) (internal). */
export function teardownErrors(error: unknown): readonly unknown[] {
  return error instanceof UnsubscriptionError ? error.errors : [error];
}
