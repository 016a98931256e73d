// Task churn (1,000,000 short tasks through an app vs raw RxJS merge) and memory per live task
// (100,000 idle tasks in an app vs 100,000 raw subscriptions to the same observable).
// Every trial runs in a fresh process; rxrun and raw trials alternate (interleaved) in the same run.
//   node bench/task-churn.mjs [--reps=7] [--count=1000000] [--live=100000]
import {
  fixture, fmt, markdownTable, median, option, printTable, quantile, runJson, shuffle, stamp, updateSection,
} from './lib/common.mjs';

const REPS = option('reps', 7);
const COUNT = option('count', 1_000_000);
const LIVE = option('live', 100_000);
const started = Date.now();

const VARIANTS = [
  { key: 'spawn', what: '`app.spawn(of(i))` in a running app', raw: '`subject.next(of(i))` into `subject.pipe(mergeAll())`' },
  { key: 'main-merge', what: 'main returns `range(0, n).pipe(mergeMap(i => of(i)))`, `until: \'main-complete\'`', raw: 'the same pipe subscribed' },
  { key: 'main-array', what: 'main returns an array of n `of(i)` (each a task), `until: \'main-complete\'`', raw: '`from(array).pipe(mergeAll())` (= `merge(...array)`)' },
];
const KINDS = [
  { key: 'timer', what: '`timer(1h)` (an idle timer task)' },
  { key: 'never', what: '`NEVER` (no work: pure per-subscription overhead)' },
];

// --- churn ---
const churn = new Map(VARIANTS.map((v) => [v.key, { rxrun: [], raw: [], rxrunCpu: [], rawCpu: [] }]));
for (let rep = 0; rep < REPS; rep += 1) {
  const round = shuffle(VARIANTS.flatMap((v) => ['rxrun', 'raw'].map((impl) => ({ v, impl }))));
  for (const { v, impl } of round) {
    const result = await runJson([fixture('churn-child.cjs'), impl, v.key, String(COUNT)]);
    churn.get(v.key)[impl].push(result.ms);
    churn.get(v.key)[`${impl}Cpu`].push(result.cpuMs);
  }
  process.stderr.write(`task-churn: churn round ${rep + 1}/${REPS}\r`);
}
process.stderr.write('\n');

// --- memory ---
const memory = new Map(KINDS.map((k) => [k.key, { rxrun: [], raw: [] }]));
for (let rep = 0; rep < REPS; rep += 1) {
  const round = shuffle(KINDS.flatMap((k) => ['rxrun', 'raw'].map((impl) => ({ k, impl }))));
  for (const { k, impl } of round) {
    const result = await runJson(['--expose-gc', fixture('memory-child.cjs'), impl, k.key, String(LIVE)]);
    memory.get(k.key)[impl].push(result.bytesPerTask);
  }
  process.stderr.write(`task-churn: memory round ${rep + 1}/${REPS}\r`);
}
process.stderr.write('\n');
const seconds = ((Date.now() - started) / 1000).toFixed(0);

const churnHeader = ['path', 'rxrun median ms', 'raw median ms', 'rxrun tasks/s', 'raw tasks/s', 'throughput ratio', 'per-rep ratios (min–max)', 'ratio on CPU time', 'target ≥ 0.7×'];
const churnRows = VARIANTS.map((v) => {
  const { rxrun, raw, rxrunCpu, rawCpu } = churn.get(v.key);
  const cpuRatio = median(rawCpu) / median(rxrunCpu);
  const rx = median(rxrun);
  const rw = median(raw);
  const ratio = rw / rx;
  const pairs = rxrun.map((ms, i) => raw[i] / ms);
  return {
    v, ratio,
    cells: [v.key, fmt(rx, 0), fmt(rw, 0), Math.round(COUNT / rx * 1000).toLocaleString('en-US'), Math.round(COUNT / rw * 1000).toLocaleString('en-US'),
      `${fmt(ratio)}×`, `${fmt(Math.min(...pairs))}–${fmt(Math.max(...pairs))}`, `${fmt(cpuRatio)}×`, ratio >= 0.7 ? 'met' : '**missed**'],
  };
});
const memHeader = ['task source', 'rxrun bytes/task', 'raw bytes/task', 'ratio', 'rxrun IQR', 'target ≤ 1.5×'];
const memRows = KINDS.map((k) => {
  const { rxrun, raw } = memory.get(k.key);
  const rx = median(rxrun);
  const rw = median(raw);
  const ratio = rx / rw;
  return {
    k, ratio,
    cells: [k.key, fmt(rx, 0), fmt(rw, 0), `${fmt(ratio)}×`, `${fmt(quantile(rxrun, 0.25), 0)}–${fmt(quantile(rxrun, 0.75), 0)}`, ratio <= 1.5 ? 'met' : '**missed**'],
  };
});

printTable(churnHeader, churnRows.map((r) => r.cells.map((c) => String(c).replace(/\*/g, ''))));
console.log();
printTable(memHeader, memRows.map((r) => r.cells.map((c) => String(c).replace(/\*/g, ''))));

updateSection('task-churn', `
## 2. Task churn and memory per live task

Command: \`node bench/task-churn.mjs --reps=${REPS} --count=${COUNT} --live=${LIVE}\` (took ${seconds} s).
${stamp()}

**Churn**: ${COUNT.toLocaleString('en-US')} short tasks (\`of(i)\`: subscribe, one value, complete — all synchronous), one fresh
process per trial (\`bench/fixtures/churn-child.cjs\`), after a 50,000-task warm-up of the same path in that process.
${REPS} rounds, each running every (path, implementation) pair once in random order. Throughput ratio =
rxrun tasks/s ÷ raw tasks/s (medians of wall time; the target is judged on this); the per-rep column pairs the
k-th rxrun and raw trial of the same round; "ratio on CPU time" uses the process's user+system CPU time over the
same interval (includes GC helper threads), a cross-check that other load on a shared machine disturbs less.

${VARIANTS.map((v) => `- \`${v.key}\`: rxrun — ${v.what}; raw — ${v.raw}. ${v.key === 'spawn' ? 'Timed: the spawn loop.' : 'Timed: start until `stopped` (rxrun) / `complete` (raw).'}`).join('\n')}

${markdownTable(churnHeader, churnRows.map((r) => r.cells))}

**Memory per live task**: \`node --expose-gc bench/fixtures/memory-child.cjs <rxrun|raw> <timer|never> ${LIVE}\`.
rxrun: a running app (\`runApp$\`, logger off) gets ${LIVE.toLocaleString('en-US')} × \`app.spawn(source$)\`; raw:
${LIVE.toLocaleString('en-US')} × \`source$.subscribe()\` pushed into an array. \`heapUsed\` after two \`gc()\` calls, before and
after; (after − before) / N. Both paths are warmed (1,000 subscribe/unsubscribe) before the baseline. Medians of ${REPS}.

${KINDS.map((k) => `- \`${k.key}\`: source$ = ${k.what}.`).join('\n')}

${markdownTable(memHeader, memRows.map((r) => r.cells))}
`);
