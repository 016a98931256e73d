// Regression (found in review), the defect it guards against: finish() completes shutdown$ and events$ without a guard. A throwing teardown in a user's
// subscription to either (a `finalize` that flushes metrics, closes a client, …) throws out of finish():
// with shutdown$ the `stopped` event is never emitted; with events$ runApp$ never completes. The error
// escapes to whatever scheduled the last step (an uncaught exception after the app removed its
// listeners, in a real process) instead of reaching the outcome.
import { NEVER, finalize } from 'rxjs';
import { runApp$, type AppContext, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { label, newScheduler } from '../support/lifecycle';

function runUntilSigterm(setUp: (app: AppContext) => void): { labels: string[]; completed: boolean; escaped: unknown } {
  const events: LifecycleEvent[] = [];
  let completed = false;
  let escaped: unknown;
  try {
    newScheduler().run(() => {
      const port = createTestProcess();
      port.signal('SIGTERM', 5);
      runApp$((app) => {
        setUp(app);
        return NEVER;
      }, { process: port, logger: false }).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    });
  } catch (error) {
    escaped = error;
  }
  return { labels: events.map(label), completed, escaped };
}

describe('a throwing teardown in a shutdown$ / events$ subscriber', () => {
  it('shutdown$: the app still emits `stopped` (with the error in the outcome) and completes', () => {
    const result = runUntilSigterm((app) => {
      app.shutdown$.pipe(finalize(() => { throw new Error('close client'); })).subscribe();
    });
    expect(result.escaped).toBeUndefined(); // before the fix: UnsubscriptionError thrown out of the scheduler
    expect(result.labels[result.labels.length - 1]).toBe('stopped:error'); // before the fix: last is 'phase:stopped'
    expect(result.completed).toBe(true);
  });

  it('events$: runApp$ completes after `stopped`', () => {
    const result = runUntilSigterm((app) => {
      app.events$.pipe(finalize(() => { throw new Error('metrics flush'); })).subscribe();
    });
    expect(result.escaped).toBeUndefined(); // before the fix: UnsubscriptionError thrown out of the scheduler
    expect(result.completed).toBe(true); // before the fix: false — lastValueFrom(runApp$(…)) never settles
  });
});
