/**
 * The supervisor demo: a flaky worker restarted with exponential backoff (aiotools' Supervisor /
 * Erlang's restart intensity, on rxrun).
 *
 * Two workers run in a (fail-fast) `taskGroup`: `steady` processes a job every 300 ms; `flaky` does
 * the same but loses its "connection" after a few jobs (2, 1, 3, … jobs per run). `supervise`
 * restarts it after 200, 400, 800, … ms (at most 2 s; at most 5 restarts within 5 s, which this
 * schedule never exceeds); each restart is an app lifecycle event, printed with its delay. After
 * DEMO_SECONDS (default 6) the app stops gracefully and exits 0.
 *
 * With DEMO_GIVE_UP=1 the flaky worker fails at once on every run: after 3 restarts within 5 s the
 * supervisor gives up; that fails the group (cancelling `steady`), the group's error escalates
 * through the app's error policy, and the process exits 1.
 *
 * Run: npm run build && node -r ts-node/register/transpile-only demos/supervisor/main.ts
 */
import { defer, filter, interval, map, mergeMap, take, tap, throwError, timer, concat } from 'rxjs';
import { runApp, supervise, taskGroup, type LifecycleEvent } from 'rxrun';

const seconds = Number(process.env['DEMO_SECONDS'] ?? 6);
if (!Number.isFinite(seconds) || seconds <= 0) {
  throw new RangeError(`DEMO_SECONDS must be a positive number of seconds, got '${process.env['DEMO_SECONDS']}'`);
}
const giveUp = process.env['DEMO_GIVE_UP'] === '1';

/** Jobs per run of the flaky worker, in turn: it fails after that many. */
const JOBS_PER_RUN = giveUp ? [0] : [2, 1, 3];

runApp((app) => {
  app.events$
    .pipe(filter((e): e is Extract<LifecycleEvent, { type: 'task-restart' | 'task-gave-up' }> => e.type === 'task-restart' || e.type === 'task-gave-up'))
    .subscribe((e) => {
      if (e.type === 'task-restart') {
        console.log(`supervisor: restart #${e.attempt} of ${e.name} in ${e.delayMs} ms (${e.error instanceof Error ? e.error.message : 'completed'})`);
      } else {
        console.log(`supervisor: gave up on ${e.name} after ${e.restarts} restarts`);
      }
    });

  let run = 0;
  const flaky$ = defer(() => {
    run += 1;
    const current = run;
    const jobs = JOBS_PER_RUN[(current - 1) % JOBS_PER_RUN.length] as number;
    console.log(`flaky: run ${current} connected`);
    return concat(
      interval(300).pipe(take(jobs), tap((job) => console.log(`flaky: run ${current} job ${job + 1}`))),
      timer(100).pipe(mergeMap(() => throwError(() => new Error(`run ${current}: connection lost`)))),
    );
  });

  const steady$ = interval(300).pipe(map((job) => job + 1), tap((job) => console.log(`steady: job ${job}`)));

  // Fail-fast: if the supervisor gives up, the group fails, `steady` is cancelled, and the app stops with the error.
  const workers = taskGroup({ name: 'workers' });
  workers.events$
    .pipe(filter((e) => e.type === 'failed' || e.type === 'cancelled'))
    .subscribe((e) => console.log(`group: ${e.name} ${e.type}`));
  workers.spawn(steady$, { name: 'steady' });
  workers.spawn(
    supervise(flaky$, { name: 'flaky', backoff: { initial: 200, factor: 2, max: 2000 }, maxRestarts: giveUp ? 3 : 5, within: 5_000 }),
    { name: 'flaky' },
  );

  console.log(`supervisor demo: running for ${seconds} s${giveUp ? ' (DEMO_GIVE_UP: the flaky worker never recovers)' : ''}`);
  app.spawn(timer(seconds * 1000).pipe(tap(() => app.stop('demo time is up'))), { name: 'demo-timer' });
  return workers.done$;
});
