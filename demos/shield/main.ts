/**
 * The protected countdown: aiorun's `shutdown_waits_for()` example, rebuilt on rxrun.
 *
 * A countdown runs inside `shutdownWaitsFor(app)`. On Ctrl-C the app's root is torn down, so the
 * subscriber downstream of the operator is cancelled at once and prints "oh noes! cancelled" — but
 * the countdown itself is protected: it keeps ticking, prints "done!", and only then does the app
 * finish its shutdown and the process exit (with the SIGINT status).
 *
 * Without Ctrl-C the countdown completes, main completes, and the process exits 0.
 *
 * Run: npm run build && node -r ts-node/register/transpile-only demos/shield/main.ts
 * Env: COUNTDOWN_SECONDS (default 5).
 */
import { interval, last, map, take, tap } from 'rxjs';
import { runApp, shutdownWaitsFor } from 'rxrun';

const seconds = Number(process.env['COUNTDOWN_SECONDS'] ?? 5);
if (!Number.isInteger(seconds) || seconds < 1) {
  throw new RangeError(`COUNTDOWN_SECONDS must be a whole number of seconds >= 1, got '${process.env['COUNTDOWN_SECONDS']}'`);
}

runApp(
  (app) => {
    // The work that must not be interrupted (aiorun's `corofn`): ticks once a second, then "done!".
    const countdown$ = interval(1000).pipe(
      take(seconds),
      map((tick) => seconds - tick - 1),
      tap((left) => console.log(left > 0 ? `countdown: ${left} s left` : 'countdown: 0')),
      last(),
      tap(() => console.log('done!')),
    );

    console.log(`countdown: ${seconds} s (press Ctrl-C: the countdown is protected and still finishes)`);
    return countdown$.pipe(
      shutdownWaitsFor(app, { name: 'countdown' }),
      // Downstream of the operator is the part that *is* cancelled on shutdown (aiorun's
      // `except CancelledError`). `unsubscribe` fires only on cancellation, not on completion.
      tap({ unsubscribe: () => console.log('oh noes! cancelled (the countdown carries on)') }),
    );
  },
  // Stop by itself when the countdown is over, instead of waiting for a signal like a service.
  { until: 'main-complete' },
);
