// Budget overrun: SIGTERM -> exit for an app whose shutdown never finishes, stuck in a hook, in
// protected work or in a finalizer, with a leaked interval and server. The bound: the
// process exits within budget + 1 s. Reference in the same run: close-with-grace with the same
// `delay` and a close callback that never resolves.
//   node bench/budget-overrun.mjs [--reps=5] [--budget=1000]
import { fixture, fmt, markdownTable, median, option, printTable, shuffle, sigtermToExit, stamp, updateSection } from './lib/common.mjs';

const REPS = option('reps', 5);
const BUDGET = option('budget', 1000);
const CASES = [
  { key: 'hook', label: 'rxrun, stuck in a hook (stopping)', file: 'overrun-rxrun.cjs', expect: 'SIGTERM' },
  { key: 'protected', label: 'rxrun, stuck in protected work (draining)', file: 'overrun-rxrun.cjs', expect: 'SIGTERM' },
  { key: 'finalizer', label: 'rxrun, stuck in a finalizer (finalizing)', file: 'overrun-rxrun.cjs', expect: 'SIGTERM' },
  { key: 'cwg', label: 'close-with-grace, close callback never resolves', file: 'overrun-cwg.cjs', expect: 1 },
];

const trial = (entry) =>
  sigtermToExit({ file: fixture(entry.file), args: [entry.key, String(BUDGET)], expect: entry.expect, label: entry.key, watchdogMs: BUDGET + 30_000 });

const samples = new Map(CASES.map((entry) => [entry.key, []]));
const started = Date.now();
for (let rep = 0; rep < REPS; rep += 1) {
  for (const entry of shuffle([...CASES])) samples.get(entry.key).push(await trial(entry));
  process.stderr.write(`budget-overrun: round ${rep + 1}/${REPS}\r`);
}
process.stderr.write('\n');

const reference = median(samples.get('cwg'));
const rows = CASES.map((entry) => {
  const values = samples.get(entry.key);
  const m = median(values);
  const worst = Math.max(...values);
  return [entry.label, fmt(m), fmt(worst), fmt(worst - BUDGET), `${fmt(m / reference)}×`, entry.key === 'cwg' ? '(reference)' : worst <= BUDGET + 1000 ? 'met' : '**missed**'];
});
const header = ['case', 'median ms', 'worst ms', 'worst − budget ms', 'ratio to close-with-grace', `exit ≤ budget + 1 s (${BUDGET + 1000} ms)`];
printTable(header, rows);
const seconds = ((Date.now() - started) / 1000).toFixed(0);

updateSection('budget-overrun', `
## 4. Budget overrun (SIGTERM → exit when shutdown can never finish)

Command: \`node bench/budget-overrun.mjs --reps=${REPS} --budget=${BUDGET}\` (took ${seconds} s).
${stamp()}

Each rxrun child (\`bench/fixtures/overrun-rxrun.cjs\`) runs \`runApp\` with \`shutdownTimeout: ${BUDGET}\` and one piece of
shutdown work that never completes — an \`onShutdown\` hook, a \`shutdownWaitsFor\` task or an \`app.defer\` finalizer — plus a
leaked \`setInterval\` and a listening \`net\` server that user code never closes. The reference
(\`bench/fixtures/overrun-cwg.cjs\`) is close-with-grace with \`delay: ${BUDGET}\`, a close callback that never resolves and
the same leaked handles. The parent sends SIGTERM once the child printed \`ready\` and times until \`exit\`; exit
status checked (rxrun: killed by the re-raised SIGTERM, 143; close-with-grace: 1). ${REPS} rounds, random order per round.
The bound from the issue is checked on the worst trial, not the median.

${markdownTable(header, rows)}
`);
