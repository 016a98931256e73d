// Regression (found in review), the defect it guards against: an `app.events$` listener that reacts synchronously (here: stops the app once it is running,
// a "run once" job) re-enters emit(): the nested events reach the runApp$ subscriber before the event
// that triggered them, and an event emitted just before a synchronous run to `stopped` is lost.
import { NEVER, filter, timer } from 'rxjs';
import { runApp$, type AppMain, type LifecycleEvent, type RunAppOptions } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { label, newScheduler } from '../support/lifecycle';

function runWith(main: AppMain, options: RunAppOptions = {}): string[] {
  const events: LifecycleEvent[] = [];
  newScheduler().run(() => {
    runApp$(main, { process: createTestProcess(), logger: false, ...options }).subscribe((event) => events.push(event));
  });
  return events.map(label);
}

describe('runApp$ event order when an app.events$ listener reacts synchronously', () => {
  it('`phase:running` reaches the runApp$ subscriber before the shutdown it caused', () => {
    const labels = runWith((app) => {
      app.events$.pipe(filter((e) => e.type === 'phase' && e.phase === 'running')).subscribe(() => app.stop());
      app.onShutdown(() => timer(2), { name: 'flush' });
      return NEVER;
    });
    // before the fix: starting, shutdown-requested, stopping, hook-start, running, hook-end, …
    expect(labels.slice(0, 5)).toEqual([
      'phase:starting', 'phase:running', 'shutdown-requested:stop', 'phase:stopping', 'hook-start:flush',
    ]);
  });

  it('an `error` event is not lost when a listener of it stops the app (isolate policy)', () => {
    const labels = runWith(
      (app) => {
        app.events$.pipe(filter((e) => e.type === 'error')).subscribe(() => app.stop('fatal error seen'));
        return [NEVER, timer(3, app.scheduler).pipe(filter(() => { throw new Error('job failed'); }))];
      },
      { onTaskError: 'isolate' },
    );
    // before the fix: the 'error:task:main[1]' event never reaches runApp$ (it arrives after `stopped`/complete).
    expect(labels).toContain('error:task:main[1]');
    expect(labels.indexOf('error:task:main[1]')).toBeLessThan(labels.indexOf('shutdown-requested:stop'));
  });
});
