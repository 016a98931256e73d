/**
 * The `probes` marble example of docs/servers-and-probes.md, verbatim (between the markers): it runs
 * here; spec/package/samples.spec.ts checks that the guide's copy matches.
 */
// readme-example:start
import { NEVER, defer, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { probes, type Probes } from 'rxrun';
import { runTestApp } from 'rxrun/testing';

test('ready$: up once the db check answers, down from the SIGTERM on, complete at stopped', () => {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
    let health!: Probes;
    const app = runTestApp((ctx) => {
      health = probes({ app: ctx, checks: { db: () => cold('--a|') }, checkTimeout: 5 });
      ctx.onShutdown(() => timer(3), { name: 'flush' }); // stopping: frames 6 → 9
      return NEVER;
    });
    app.port.signal('SIGTERM', 6);

    expectObservable(defer(() => health.ready$)).toBe('f-t 3ms f 2ms |', { t: true, f: false });
    expectObservable(defer(() => health.live$)).toBe('t 8ms (f|)', { t: true, f: false });
  });
});
// readme-example:end
