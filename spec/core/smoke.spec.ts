import { TestScheduler } from 'rxjs/testing';
import { map, interval, NEVER, timer, finalize } from 'rxjs';
import { runApp$, shutdownWaitsFor } from 'rxrun';
import { runTestApp, createTestProcess } from 'rxrun/testing';

describe('smoke', () => {
  it('runs phases', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ expectObservable }) => {
      const app = runTestApp((a) => {
        a.onShutdown(() => timer(2), { name: 'h' });
        a.defer(() => timer(3), { name: 'f' });
        return [interval(1), timer(100).pipe(shutdownWaitsFor(a, { name: 'p' }))];
      });
      app.port.signal('SIGTERM', 10);
      expectObservable(app.events$.pipe(map((e) => e.type + (e.type === 'phase' ? ':' + e.phase : '')))).toBe('');
    });
  });
});
