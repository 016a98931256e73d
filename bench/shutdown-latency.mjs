// Shutdown latency: SIGTERM -> child 'exit', measured from the parent, for an app holding N idle
// timer tasks, rxrun vs a bare-Node floor vs close-with-grace, interleaved in the same run.
//   node bench/shutdown-latency.mjs [--reps=9] [--settle=300]
import {
  fixture, fmt, markdownTable, median, option, printTable, quantile, shuffle, sigtermToExit, stamp, updateSection, writeResults,
} from './lib/common.mjs';

const REPS = option('reps', 9);
const SETTLE_MS = option('settle', 300);
const SIZES = [1, 10_000, 100_000];
const IMPLS = [
  { key: 'floor', label: 'bare Node (floor)', file: 'shutdown-floor.cjs', expect: 'SIGTERM' },
  { key: 'rxrun', label: 'rxrun runApp', file: 'shutdown-rxrun.cjs', expect: 'SIGTERM' },
  { key: 'cwg', label: 'close-with-grace', file: 'shutdown-cwg.cjs', expect: 0 },
  // Context only (no target): the same root teardown in raw RxJS, to separate RxJS's cost from rxrun's.
  { key: 'rxjs', label: 'raw RxJS root (context)', file: 'shutdown-rxjs.cjs', expect: 'SIGTERM' },
];

const trial = (impl, n) =>
  sigtermToExit({ file: fixture(impl.file), args: [String(n)], expect: impl.expect, settleMs: SETTLE_MS, label: `${impl.key} N=${n}` });

const samples = new Map(); // `${impl}:${n}` -> ms[]
for (const impl of IMPLS) for (const n of SIZES) samples.set(`${impl.key}:${n}`, []);

const started = Date.now();
// Warm the file system cache once per fixture (not recorded).
for (const impl of IMPLS) await trial(impl, 1);
for (let rep = 0; rep < REPS; rep += 1) {
  // Every round runs each (implementation, N) once, in a fresh random order: interleaved.
  const round = shuffle(IMPLS.flatMap((impl) => SIZES.map((n) => ({ impl, n }))));
  for (const { impl, n } of round) samples.get(`${impl.key}:${n}`).push(await trial(impl, n));
  process.stderr.write(`shutdown-latency: round ${rep + 1}/${REPS}\r`);
}
process.stderr.write('\n');

const med = (key, n) => median(samples.get(`${key}:${n}`));
const rows = [];
const checks = [];
for (const n of SIZES) {
  const floor = med('floor', n);
  for (const impl of IMPLS) {
    const values = samples.get(`${impl.key}:${n}`);
    const m = median(values);
    rows.push([
      n.toLocaleString('en-US'), impl.label, fmt(m), `${fmt(quantile(values, 0.25))}–${fmt(quantile(values, 0.75))}`,
      fmt(Math.min(...values)), `${fmt(m / floor)}×`,
    ]);
  }
  const ratio = med('rxrun', n) / floor;
  checks.push({ n, ratio, met: ratio <= 1.2 });
}

// Linearity: the marginal cost per task (median(N) - median(1)) / (N - 1) at 100k vs at 10k.
const slope = (key, n) => (med(key, n) - med(key, 1)) / (n - 1) * 1000; // µs per task
const linear = IMPLS.map((impl) => {
  const s10 = slope(impl.key, 10_000);
  const s100 = slope(impl.key, 100_000);
  return { impl, s10, s100, growth: s100 / s10 };
});
const rxLinear = linear.find((l) => l.impl.key === 'rxrun');
const linearMet = rxLinear.growth <= 1.5;
const seconds = ((Date.now() - started) / 1000).toFixed(0);
writeResults('shutdown-latency', `node bench/shutdown-latency.mjs --reps=${REPS} --settle=${SETTLE_MS}`, {
  reps: REPS, settleMs: SETTLE_MS,
  rows: IMPLS.flatMap((impl) => SIZES.map((n) => {
    const values = samples.get(`${impl.key}:${n}`);
    return { impl: impl.key, label: impl.label, n, medianMs: median(values), q1Ms: quantile(values, 0.25), q3Ms: quantile(values, 0.75), minMs: Math.min(...values), samplesMs: values };
  })),
});

const header = ['N tasks', 'implementation', 'median ms', 'IQR ms', 'min ms', 'ratio to floor'];
printTable(header, rows);
console.log();
printTable(['implementation', 'µs/task at 10k', 'µs/task at 100k', 'growth'],
  linear.map((l) => [l.impl.label, fmt(l.s10, 3), fmt(l.s100, 3), `${fmt(l.growth)}×`]));
for (const c of checks) console.log(`target ≤ 1.2× floor at N=${c.n}: ${c.met ? 'MET' : 'MISSED'} (${fmt(c.ratio)}×)`);
console.log(`target linear in N (µs/task at 100k ≤ 1.5× µs/task at 10k): ${linearMet ? 'MET' : 'MISSED'} (${fmt(rxLinear.growth)}×)`);

updateSection('shutdown-latency', `
## 1. Shutdown latency (SIGTERM → process exit)

Command: \`node bench/shutdown-latency.mjs --reps=${REPS} --settle=${SETTLE_MS}\` (took ${seconds} s).
${stamp()}

Each child (\`bench/fixtures/shutdown-*.cjs\`) starts N idle timer tasks (rxrun: \`app.spawn(timer(1h))\` N times
under \`runApp\` with default options, phase log on a pipe; floor: N \`setInterval(noop, 1h)\` and one SIGTERM
handler that clears them, removes itself and re-raises SIGTERM; close-with-grace 2.5.0: the same handles cleared in
its close callback, after which it calls \`process.exit(0)\`; raw RxJS, for context only: N \`timer(1h).subscribe()\` in one
root \`Subscription\`, a SIGTERM handler that unsubscribes it and re-raises). The parent waits for the child's \`ready\` line plus
${SETTLE_MS} ms (so start-up GC is not counted), records the time, sends SIGTERM and stops the clock at the child's
\`exit\` event. ${REPS} rounds; each round runs every (implementation, N) pair once in a fresh random order. Exit status
checked on every trial (rxrun and floor: killed by SIGTERM = 143; close-with-grace: 0).

${markdownTable(header, rows)}

Marginal cost per task, (median(N) − median(1)) / (N − 1):

${markdownTable(['implementation', 'µs/task at 10k', 'µs/task at 100k', 'growth 10k→100k'],
  linear.map((l) => [l.impl.label, fmt(l.s10, 3), fmt(l.s100, 3), `${fmt(l.growth)}×`]))}

| target | figure | result |
| --- | --- | --- |
${checks.map((c) => `| rxrun ≤ 1.2× floor at N = ${c.n.toLocaleString('en-US')} | ${fmt(c.ratio)}× | ${c.met ? 'met' : '**missed**'} |`).join('\n')}
| rxrun linear in N (per-task cost at 100k ≤ 1.5× that at 10k) | ${fmt(rxLinear.growth)}× | ${linearMet ? 'met' : '**missed**'} |
`);
