import { Observable, Subscription, type MonoTypeOperatorFunction, type Observer, type Subscriber } from 'rxjs';

/**
 * Runs the source so that an error thrown by its teardown — whether the source ended on its own or
 * was unsubscribed — goes to `onTeardownError` instead of escaping into whatever called `complete()`
 * or `unsubscribe()` (RxJS rethrows it there, where it can stall a `concat` or surface as an
 * uncaught exception). Values and notifications pass through unchanged.
 */
export function guardTeardown<T>(onTeardownError: (error: unknown) => void): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const guard = new TeardownGuard(subscriber, onTeardownError);
      try {
        source.subscribe(guard);
      } catch (error) {
        // A source that ended during subscribe runs its teardown right there, outside `unsubscribe`.
        onTeardownError(error);
      }
      return guard;
    });
}

// Both Observer and Subscription, so RxJS subscribes it as is and calls its own `unsubscribe`.
class TeardownGuard<T> extends Subscription implements Observer<T> {
  constructor(
    private readonly destination: Subscriber<T>,
    private readonly onTeardownError: (error: unknown) => void,
  ) {
    super();
  }

  next(value: T): void {
    if (!this.closed) this.destination.next(value);
  }

  error(error: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    this.destination.error(error);
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    this.destination.complete();
  }

  override unsubscribe(): void {
    if (this.closed) return;
    try {
      super.unsubscribe();
    } catch (error) {
      this.onTeardownError(error);
    }
  }
}
