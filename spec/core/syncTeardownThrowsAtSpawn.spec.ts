// Regression (found in review), the defect it guards against: a task that completes synchronously and whose teardown throws. Observable.subscribe() runs the
// teardown at once (the Task is already closed) inside spawn(): the error escapes spawn() instead of going
// through Task.unsubscribe's teardownFailed (source 'teardown'). From main it is then reported as a 'main'
// error, which always starts a shutdown — even under onTaskError: 'isolate'.
import { NEVER, Observable } from 'rxjs';
import { runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

const syncDoneBadTeardown = () =>
  new Observable<never>((subscriber) => {
    subscriber.complete();
    return () => {
      throw new Error('teardown failed');
    };
  });

describe('synchronous completion + throwing teardown at spawn time', () => {
  it("from main, under onTaskError 'isolate': recorded as a 'teardown' error and the app keeps running", () => {
    const events: LifecycleEvent[] = [];
    const port = createTestProcess();
    runApp$([NEVER, syncDoneBadTeardown()], { process: port, logger: false, onTaskError: 'isolate' }).subscribe((e) => events.push(e));
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.record.source] : []));
    const requested = events.some((e) => e.type === 'shutdown-requested');
    port.signal('SIGTERM');
    expect(errors).toEqual(['teardown']); // before the fix: ['main']
    expect(requested).toBe(false); // before the fix: true — the 'main' source bypasses the isolate policy
  });

  it('app.spawn does not throw the teardown error at its caller; it reports it', () => {
    const events: LifecycleEvent[] = [];
    const port = createTestProcess();
    let spawnIt: (() => unknown) | undefined;
    runApp$(
      (app) => {
        spawnIt = () => app.spawn(syncDoneBadTeardown(), { name: 'quick' });
        return NEVER;
      },
      { process: port, logger: false, onTaskError: 'isolate' },
    ).subscribe((e) => events.push(e));
    expect(() => spawnIt?.()).not.toThrow(); // before the fix: UnsubscriptionError thrown out of app.spawn
    expect(events.flatMap((e) => (e.type === 'error' ? [e.record.source] : []))).toEqual(['teardown']);
    port.signal('SIGTERM');
  });
});
