/**
 * timer$ — the four policies side by side.
 *
 * Four timers tick every 100 ms; every tick takes 250 ms (longer than the period), so each policy has
 * to decide what happens when a tick is due while another runs. After DEMO_SECONDS the app stops
 * itself and prints one timeline row per policy (one column = 50 ms) and a summary line each:
 *
 *   digit  ticks running at that moment ('.' = none)
 *   x      the running tick was cancelled because the next was due   (policy 'cancel')
 *   s      a due tick was skipped because one was running            (policy 'skip')
 *   o      a due tick was dropped because the queue was full         (policy 'queue', maxQueued 2)
 *
 * Run: npm run build && node -r ts-node/register/transpile-only demos/timers/main.ts
 * Env: DEMO_SECONDS (default 3).
 */
import { merge, tap, timer } from 'rxjs';
import { runApp, timer$, type TimerPolicy } from 'rxrun';

const seconds = Number(process.env['DEMO_SECONDS'] ?? 3);
if (!(seconds > 0 && seconds <= 60)) throw new RangeError(`DEMO_SECONDS must be a number of seconds from 0 to 60, got '${process.env['DEMO_SECONDS']}'`);

const PERIOD = 100;
const TICK_MS = 250;
const COLUMN = 50;
const POLICIES: readonly TimerPolicy[] = ['accumulate', 'cancel', 'skip', 'queue'];

interface Record {
  readonly runs: { start: number; end: number | undefined }[];
  readonly marks: { at: number; mark: 'x' | 's' | 'o' }[];
  started: number;
  completed: number;
  cancelled: number;
  skipped: number;
  dropped: number;
  maxRunning: number;
}

const records = new Map<TimerPolicy, Record>(
  POLICIES.map((policy) => [policy, { runs: [], marks: [], started: 0, completed: 0, cancelled: 0, skipped: 0, dropped: 0, maxRunning: 0 }]),
);

void runApp((app) => {
  const start = app.scheduler.now();
  const elapsed = () => app.scheduler.now() - start;
  let stopping = false;
  app.onShutdown(() => {
    stopping = true; // the ticks the shutdown tears down are not the policy's cancellations
  });
  app.defer(() => printTimeline(Math.round(seconds * 1000)), { name: 'print timeline' });

  const timers = POLICIES.map((policy) => {
    const record = records.get(policy) as Record;
    return timer$(
      PERIOD,
      () => {
        const run = { start: elapsed(), end: undefined as number | undefined };
        return timer(TICK_MS).pipe(
          tap({
            subscribe: () => {
              record.started += 1;
              record.runs.push(run);
            },
            complete: () => {
              record.completed += 1;
              run.end = elapsed();
            },
            unsubscribe: () => {
              run.end = elapsed();
              if (stopping) return;
              record.cancelled += 1;
              record.marks.push({ at: elapsed(), mark: 'x' });
            },
          }),
        );
      },
      {
        policy,
        name: policy,
        ...(policy === 'queue' ? { maxQueued: 2 } : {}),
        onMissed: (miss) => {
          if (miss.reason === 'skipped') record.skipped += miss.count;
          else if (miss.reason === 'overflow') record.dropped += miss.count;
          if (miss.reason !== 'late') record.marks.push({ at: elapsed(), mark: miss.reason === 'skipped' ? 's' : 'o' });
        },
      },
    );
  });

  console.log(`timer$: period ${PERIOD} ms, every tick takes ${TICK_MS} ms; running for ${seconds} s…`);
  const timeLimit$ = timer(seconds * 1000).pipe(tap(() => app.stop(`DEMO_SECONDS=${seconds} elapsed`)));
  return merge(timeLimit$, ...timers);
});

function printTimeline(totalMs: number): void {
  const columns = Math.floor(totalMs / COLUMN);
  const ruler = Array.from({ length: columns }, (_, c) => (c % 20 === 0 ? String((c / 20) % 10) : c % 2 === 0 ? '^' : ' ')).join('');
  console.log(`one column = ${COLUMN} ms; ^ = a tick is due (every ${PERIOD} ms; the digits are seconds)`);
  console.log(`${'due'.padEnd(12)}${ruler}`);
  for (const policy of POLICIES) {
    const record = records.get(policy) as Record;
    let row = '';
    let maxRunning = 0;
    for (let c = 0; c < columns; c += 1) {
      const from = c * COLUMN;
      const to = from + COLUMN;
      const marks = record.marks.filter((m) => m.at >= from && m.at < to).map((m) => m.mark);
      const middle = from + COLUMN / 2;
      const running = record.runs.filter((r) => r.start <= middle && (r.end === undefined || r.end > middle)).length;
      maxRunning = Math.max(maxRunning, running);
      row += marks.includes('x') ? 'x' : marks.includes('o') ? 'o' : marks.includes('s') ? 's' : running === 0 ? '.' : String(Math.min(running, 9));
    }
    console.log(`${policy.padEnd(12)}${row}`);
    record.maxRunning = maxRunning;
  }
  console.log('');
  for (const policy of POLICIES) {
    const r = records.get(policy) as Record;
    console.log(
      `${`${policy}:`.padEnd(12)}started ${r.started}, completed ${r.completed}, cancelled ${r.cancelled}, skipped ${r.skipped}, dropped ${r.dropped}, at most ${r.maxRunning} at once`,
    );
  }
  console.log('legend: digit = ticks running, x = cancelled by the next tick, s = skipped (one was running), o = dropped (queue full)');
}
