import { Subscription, type Observable, type Observer } from 'rxjs';

/**
 * A subscriber that exists before the source is subscribed (internal). Whoever holds it can
 * unsubscribe it from inside the source's synchronous emissions: the source sees `closed` and stops
 * at once (RxJS sources check it), and nothing it still sends gets through — a plain
 * `subscribe(observer)` only returns its Subscription once a synchronous source has finished.
 *
 * An error thrown by the source's teardown (whether the source ended or was unsubscribed) goes to
 * `onTeardownError` instead of escaping into whoever called `unsubscribe()`. An `error` or `complete`
 * unsubscribes first (the source's teardown runs), then notifies.
 */
export class HeldSubscriber<T> extends Subscription implements Observer<T> {
  constructor(
    private readonly observer: Observer<T>,
    private readonly onTeardownError: (error: unknown) => void,
  ) {
    super();
  }

  /** Subscribes `source` with this subscriber (nothing when already unsubscribed). */
  run(source: Observable<T>): void {
    if (this.closed) return;
    try {
      source.subscribe(this);
    } catch (error) {
      // A source that ended during subscribe runs its teardown right there, outside `unsubscribe`.
      this.onTeardownError(error);
    }
  }

  next(value: T): void {
    if (!this.closed) this.observer.next(value);
  }

  error(error: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    this.observer.error(error);
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    this.observer.complete();
  }

  override unsubscribe(): void {
    // Stryker disable next-line ConditionalExpression: an early exit only — Subscription.unsubscribe() itself does nothing once closed
    if (this.closed) return;
    try {
      super.unsubscribe();
    } catch (error) {
      this.onTeardownError(error);
    }
  }
}
