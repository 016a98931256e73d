/**
 * The timer$ marble example of docs/timers-tasks-resources.md is this file's test, verbatim (between
 * the markers): it runs here; spec/package/samples.spec.ts checks that the guide's copy matches.
 */
// readme-example:start
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { timer$ } from 'rxrun';
import { runTestApp } from 'rxrun/testing';

test("timer$: 'skip' drops ticks due while one runs; 'finish' lets the running tick end before the app stops", () => {
  const misses: number[] = [];
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
    const work = cold('a-----b|'); // every tick takes 7 frames; one is due every 4
    const skip$ = timer$(4, (n) => work.pipe(map((v) => `${v}${n}`)), { policy: 'skip', onMissed: (m) => misses.push(m.n) });
    expectObservable(skip$, '^ 17ms !').toBe('a-----b-c-----d-e-', { a: 'a0', b: 'b0', c: 'a2', d: 'b2', e: 'a4' });

    const app = runTestApp(() => timer$(4, () => work, { onStop: 'finish', name: 'job' }));
    app.port.signal('SIGTERM', 5); // ticks 0 (0-7) and 1 (4-11) run on; no tick starts after 5
    expectObservable(app.phases$).toBe('(ab) 1ms (cd) 2ms (ef|)', {
      a: 'starting', b: 'running', c: 'stopping', d: 'draining', e: 'finalizing', f: 'stopped', // finalizing at 11
    });
  });
  expect(misses).toEqual([1, 3]); // ticks 1 and 3 were skipped
});
// readme-example:end
