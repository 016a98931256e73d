import { NEVER, of } from 'rxjs';
import { NoCurrentAppError, runApp$, supervise, taskGroup, type AppContext } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

// With several apps running and no `app` option, which one should see the restarts or own the group is
// ambiguous: the same NoCurrentAppError as shutdownWaitsFor, resource$ and serve$, never a silent "no app".
describe('several apps running and no app option', () => {
  const start = () => runApp$(() => NEVER, { process: createTestProcess(), logger: false }).subscribe();

  it('supervise errors with NoCurrentAppError', () => {
    const apps = [start(), start()];
    let error: unknown;
    supervise(of(1), { name: 'w' }).subscribe({ error: (e: unknown) => (error = e) });
    apps.forEach((app) => app.unsubscribe());
    expect(error).toBeInstanceOf(NoCurrentAppError);
  });

  it('a task group refuses the spawn with NoCurrentAppError', () => {
    const apps = [start(), start()];
    const group = taskGroup({ name: 'g' });
    expect(() => group.spawn(of(1), { name: 'one' })).toThrow(NoCurrentAppError);
    apps.forEach((app) => app.unsubscribe());
  });

  it('with the app given, both run as usual', () => {
    let ctx!: AppContext;
    const first = runApp$((app) => ((ctx = app), NEVER), { process: createTestProcess(), logger: false }).subscribe();
    const second = start();
    const values: number[] = [];
    supervise(of(1), { name: 'w', app: ctx, restart: 'never' }).subscribe((v) => values.push(v));
    [first, second].forEach((app) => app.unsubscribe());
    expect(values).toEqual([1]);
  });
});
