/**
 * The flagship demo (`npm start`): a small job service showing a graceful shutdown end to end.
 *
 * - timers: a job arrives every 1.5 s (`interval`); a heartbeat reports every 5 s;
 * - each job is computed (cancellable: dropped on shutdown), then its result is written to a file
 *   in two steps through `shutdownWaitsFor` — a write in progress is never cut in half;
 * - an `onShutdown` hook marks the service not ready while every task is still alive;
 * - an `app.defer` finalizer closes the results file after the protected writes have finished;
 * - the default phase log on stderr narrates it all.
 *
 * Press Ctrl-C: entering shutdown → cancelling 3 tasks → waiting for the protected write →
 * running 1 finalizer → bye, and the process ends with the SIGINT status. Left alone, it stops
 * itself after DEMO_SECONDS (default 30) so `npm start` never runs forever unattended.
 *
 * Env: DEMO_SECONDS (default 30), DEMO_RESULTS_FILE (default <tmpdir>/rxrun-flagship-results.log).
 */
import { concat, defer, interval, map, mergeMap, tap, timer } from 'rxjs';
import { runApp, shutdownWaitsFor, type AppContext } from 'rxrun';
import { append$, closeResults, openResults, resultsPath } from './resultsFile';

const demoSeconds = Number(process.env['DEMO_SECONDS'] ?? 30);
if (!(demoSeconds > 0)) throw new RangeError(`DEMO_SECONDS must be a positive number, got '${process.env['DEMO_SECONDS']}'`);
const JOB_EVERY_MS = 1500;
const COMPUTE_MS = 300;
/** A slow disk, so that Ctrl-C is likely to land in the middle of a write. */
const WRITE_MS = 1000;

/** The service's two long-running tasks; `fd` is the results file. */
function jobService(app: AppContext, fd: number) {
  let saved = 0;
  const save$ = (id: number, result: number) =>
    concat(
      defer(() => {
        console.log(`job ${id}: writing result (protected)`);
        return append$(fd, `job ${id}: result=${result}`);
      }),
      timer(WRITE_MS).pipe(mergeMap(() => append$(fd, ' ok\n'))),
    ).pipe(tap({ complete: () => console.log(`job ${id}: saved (${++saved} so far)`) }));

  const heartbeat$ = interval(5000).pipe(tap(() => console.log(`heartbeat: ${saved} job(s) saved`)));

  const jobs$ = interval(JOB_EVERY_MS).pipe(
    map((n) => n + 1),
    mergeMap((id) =>
      // Computing is cheap to redo: it is simply cancelled on shutdown.
      timer(COMPUTE_MS).pipe(
        map(() => id * id),
        // Saving is not: the app waits for a started write before it finalizes.
        mergeMap((result) => save$(id, result).pipe(shutdownWaitsFor(app, { name: `save job ${id}` }))),
      ),
    ),
  );
  return { heartbeat$, jobs$ };
}

runApp((app) => {
  const fd = openResults();
  app.onShutdown(() => console.log('hook: service marked not ready; no new jobs'), { name: 'mark not ready' });
  // Runs after every protected write has drained, so the file is closed with nothing in flight.
  app.defer(
    () => closeResults(fd).then(() => console.log(`finalizer: closed ${resultsPath}`)),
    { name: 'close results file', timeout: 2000 },
  );

  console.log(`rxrun flagship demo (pid ${process.pid})`);
  console.log(`  a job every ${JOB_EVERY_MS / 1000} s; results are appended to ${resultsPath}`);
  console.log(`  press Ctrl-C for a graceful shutdown (it stops by itself after ${demoSeconds} s; set DEMO_SECONDS to change)`);

  const { heartbeat$, jobs$ } = jobService(app, fd);
  const timeLimit$ = timer(demoSeconds * 1000).pipe(tap(() => app.stop(`DEMO_SECONDS=${demoSeconds} elapsed`)));
  return [heartbeat$, jobs$, timeLimit$];
});
