// Timer drift: 1,000 ticks at 10 ms in real time, `timer$` (asyncScheduler) against `setInterval` and
// RxJS `interval`, run side by side in this one process (same load for all three), repeated.
// For each, callback k (1..1000) is expected at start + k·10 ms (timer$ with firstDelay 10 has the same
// phase); lateness = actual − expected by performance.now(); drift = lateness of callback 1000.
//   node bench/timer-drift.mjs [--reps=3] [--ticks=1000] [--period=10]
import { createRequire } from 'node:module';
import { fmt, markdownTable, median, option, printTable, quantile, repoDir, stamp, updateSection, writeResults } from './lib/common.mjs';

const require = createRequire(`${repoDir}/`);
const { timer$ } = require('rxrun');
const { EMPTY, interval, take } = require('rxjs');

const REPS = option('reps', 3);
const TICKS = option('ticks', 1000);
const PERIOD = option('period', 10);

const IMPLS = [
  {
    key: 'timer$',
    chart: 'timer$',
    label: '`timer$(10, tick, { firstDelay: 10 })` (asyncScheduler)',
    run: (record, done) => {
      let subscription;
      // missedTicks 'skip' (the default): after a stall only the latest due tick fires; k follows the tick number.
      subscription = timer$(PERIOD, (n) => {
        if (record(n + 1) >= TICKS) {
          subscription?.unsubscribe();
          done();
        }
        return EMPTY;
      }, { firstDelay: PERIOD }).subscribe();
    },
  },
  {
    key: 'setInterval',
    chart: 'setInterval',
    label: '`setInterval(cb, 10)`',
    run: (record, done) => {
      let k = 0;
      const handle = setInterval(() => {
        k += 1;
        if (record(k) === TICKS) {
          clearInterval(handle);
          done();
        }
      }, PERIOD);
    },
  },
  {
    key: 'interval',
    chart: 'RxJS interval',
    label: 'RxJS `interval(10)`',
    run: (record, done) => {
      interval(PERIOD).pipe(take(TICKS)).subscribe({ next: (i) => record(i + 1), complete: done });
    },
  },
];

/** Runs every implementation at once; resolves with each one's lateness per callback (ms). */
function round() {
  return Promise.all(
    IMPLS.map(
      (impl) =>
        new Promise((resolve) => {
          const late = [];
          const start = performance.now();
          // Callback k (from 1) is expected at start + k·PERIOD.
          const record = (k) => {
            late.push(performance.now() - (start + k * PERIOD));
            late.ks.push(k);
            return k;
          };
          late.ks = []; // the callback number of each lateness (timer$ skips the ticks it missed)
          impl.run(record, () => resolve([impl.key, late]));
        }),
    ),
  ).then((entries) => new Map(entries));
}

const started = Date.now();
const perRep = new Map(IMPLS.map((impl) => [impl.key, []]));
// Lateness over time for bench/results/timer-drift.json (the chart): every STEP-th callback of every round.
const STEP = Math.max(1, Math.round(TICKS / 200));
const series = [];
for (let rep = 0; rep < REPS; rep += 1) {
  const result = await round();
  for (const impl of IMPLS) {
    const late = result.get(impl.key);
    if (impl.key !== 'timer$' && late.length !== TICKS) throw new Error(`${impl.key}: ${late.length} callbacks, expected ${TICKS}`);
    for (let i = 0; i < late.length; i += 1) {
      const k = late.ks[i];
      if (k % STEP === 0 || i === 0) series.push({ impl: impl.key, label: impl.chart, round: rep + 1, k, tMs: k * PERIOD, lateMs: Number(late[i].toFixed(3)) });
    }
    perRep.get(impl.key).push({ skipped: TICKS - late.length, drift: late[late.length - 1], median: median(late), p99: quantile(late, 0.99), max: Math.max(...late), min: Math.min(...late) });
  }
  process.stderr.write(`timer-drift: round ${rep + 1}/${REPS}\r`);
}
process.stderr.write('\n');

const summary = new Map(
  IMPLS.map((impl) => {
    const reps = perRep.get(impl.key);
    return [impl.key, {
      drift: median(reps.map((r) => r.drift)),
      worstDrift: Math.max(...reps.map((r) => Math.abs(r.drift))),
      median: median(reps.map((r) => r.median)),
      p99: median(reps.map((r) => r.p99)),
      min: Math.min(...reps.map((r) => r.min)),
      skipped: reps.map((r) => r.skipped).join(' / '),
    }];
  }),
);
const ratio = (a, b) => (Math.abs(b) < 1e-9 ? 'n/a' : `${fmt(Math.abs(a) / Math.abs(b), 3)}×`);
const t = summary.get('timer$');
const rows = IMPLS.map((impl) => {
  const s = summary.get(impl.key);
  return [
    impl.label, fmt(s.drift), fmt(s.worstDrift), fmt(s.median), fmt(s.p99), fmt(s.min), s.skipped,
    impl.key === 'timer$' ? '—' : ratio(t.drift, s.drift),
  ];
});
const header = [
  'timer', `drift at tick ${TICKS} ms (median of ${REPS})`, 'worst abs(drift) ms', 'lateness median ms', 'lateness p99 ms', 'lateness min ms',
  'ticks skipped (late) per round',
  'timer$ drift ÷ this drift',
];
printTable(header, rows);
// No accumulated drift: the last tick is no later than a typical tick's p99 lateness (+1 ms for Date.now's ms grain).
const bounded = t.worstDrift <= t.p99 + 1;
console.log(`timer$ drift bounded by per-tick lateness (abs(drift) ≤ p99 + 1 ms): ${bounded ? 'met' : 'MISSED'}`);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
writeResults('timer-drift', `node bench/timer-drift.mjs --reps=${REPS} --ticks=${TICKS} --period=${PERIOD}`, {
  reps: REPS, ticks: TICKS, periodMs: PERIOD,
  summary: IMPLS.map((impl) => ({ impl: impl.key, label: impl.chart, ...summary.get(impl.key) })),
  series,
});

updateSection('timer-drift', `
## Timer drift (\`timer$\` vs \`setInterval\` vs RxJS \`interval\`, real time)

Command: \`node bench/timer-drift.mjs --reps=${REPS} --ticks=${TICKS} --period=${PERIOD}\` (took ${seconds} s).
${stamp()}

The three timers run **side by side in one process** (same event loop, same load), ${TICKS} callbacks each at
${PERIOD} ms, ${REPS} rounds in sequence. Each callback only records \`performance.now()\`; callback k is expected at
start + k·${PERIOD} ms (\`timer$\` gets \`firstDelay: ${PERIOD}\` so that all three share the same phase). Lateness =
actual − expected; *drift* = the lateness of callback ${TICKS}. \`timer$\` runs with its default \`missedTicks: 'skip'\`: when
the process stalls past several due times it fires only the latest one (callback k = tick number + 1, so skipped ticks
do not count as lateness; they are listed). \`timer$\` anchors every due time on its start
(\`scheduler.now()\`, i.e. \`Date.now()\`, ms grain — so a tick can land up to 1 ms "early" by \`performance.now()\`),
while \`setInterval\` (and \`interval\`, which runs on it) re-arms from each callback, so lateness adds up.

${markdownTable(header, rows)}

No accumulated drift for \`timer$\` (worst abs(drift) ≤ its per-tick p99 lateness + 1 ms): **${bounded ? 'met' : 'missed'}**.
`);
