// `detaching` is a process-wide flag for the whole synchronous extent of `shutdown$.next()`,
// so *any* unsubscription that a shutdown$ subscriber causes is treated as the app's own — including
// a switchMap cancelling its stale inner. README: "Any other unsubscription, before or during shutdown,
// cancels the work as usual (so switchMap and race still cancel)".
import { map, merge, switchMap, tap, timer } from 'rxjs';
import { runApp$, shutdownWaitsFor, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

it('a periodic save with a final checkpoint on shutdown (switchMap) cancels the stale save', () => {
  const testScheduler = newScheduler();
  const saved: string[] = [];
  let events: LifecycleEvent[] = [];
  testScheduler.run(() => {
    const port = createTestProcess();
    port.signal('SIGTERM', 5);
    events = collect(
      runApp$(
        (app) =>
          // save at frame 3, and a final checkpoint when shutdown starts; a newer save supersedes the older.
          merge(timer(3).pipe(map(() => 'periodic')), app.shutdown$.pipe(map(() => 'final'))).pipe(
            switchMap((kind) =>
              timer(10).pipe(tap(() => saved.push(`${kind} @${testScheduler.now()}`)), shutdownWaitsFor(app, { name: `save ${kind}` })),
            ),
          ),
        { process: port, logger: false },
      ),
    );
  });
  // before the fix: ['periodic @13', 'final @15'] — the superseded save was detached, not cancelled, and ran
  // concurrently with the final one (two writers), and the app waited for it.
  expect(saved).toEqual(['final @15']);
  const pending = events.find((e) => e.type === 'protected-pending');
  expect(pending?.type === 'protected-pending' && pending.names).toEqual(['save final']);
  expect(outcomeOf(events).status).toBe('ok');
});
