// Import cost, as a user's process pays it: a whole `node` process that loads rxrun (which loads rxjs)
// against one that loads rxjs alone, run in alternating pairs so that the machine's drift between runs
// cancels out of each pair's ratio. CommonJS (`require`) and ESM (`await import`) forms.
//   node bench/import-cost.mjs [--reps=41]   (pairs per form)
// Per pair: process wall time (spawn to exit, measured here: Node's start-up included) and the child's
// whole-process CPU time (user + system since its start, reported by the child just before it exits).
// Target: rxrun ≤ rxjs + 5 ms. Run `npm run build` first (the children load the built dist/).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  fixture, fmt, markdownTable, median, option, printTable, quantile, repoDir, stamp, updateSection,
} from './lib/common.mjs';

const PAIRS = option('reps', 41); // pairs per form (--reps, as run-all.mjs passes it to every script)
const TARGET_MS = 5;
const FORMS = [
  { key: 'cjs', file: 'import-child.cjs', how: '`require()`' },
  { key: 'esm', file: 'import-child.mjs', how: '`await import()`' },
];
if (!existsSync(path.join(repoDir, 'dist/cjs/index.js'))) {
  console.error('import-cost: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const started = Date.now();

/** One fresh process: `node bench/fixtures/import-child.{cjs,mjs} <rxjs|rxrun>`. */
function trial(form, target) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [fixture(form.file), target], { cwd: repoDir, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${form.key} ${target} exited ${code}`));
      const { processCpuMs } = JSON.parse(out.trim());
      resolve({ wallMs, cpuMs: processCpuMs });
    });
  });
}

const samples = new Map(FORMS.map((form) => [form.key, { rxrun: [], rxjs: [] }]));
for (const form of FORMS) for (const target of ['rxrun', 'rxjs']) await trial(form, target); // warm the file cache
for (let pair = 0; pair < PAIRS; pair += 1) {
  for (const form of FORMS) {
    // A B, then B A in the next pair: neither side always runs first.
    const order = pair % 2 === 0 ? ['rxrun', 'rxjs'] : ['rxjs', 'rxrun'];
    const result = {};
    for (const target of order) result[target] = await trial(form, target);
    const bucket = samples.get(form.key);
    bucket.rxrun.push(result.rxrun);
    bucket.rxjs.push(result.rxjs);
  }
  process.stderr.write(`import-cost: pair ${pair + 1}/${PAIRS}\r`);
}
process.stderr.write('\n');
const seconds = ((Date.now() - started) / 1000).toFixed(0);

const iqr = (values) => `${fmt(quantile(values, 0.25))}–${fmt(quantile(values, 0.75))}`;
const header = [
  'form', 'rxrun wall ms', 'rxjs wall ms', 'paired wall diff ms (IQR)', 'wall ratio (IQR)',
  'rxrun CPU ms', 'rxjs CPU ms', 'paired CPU diff ms (IQR)', 'CPU ratio (IQR)',
];
const rows = [];
const verdicts = [];
for (const form of FORMS) {
  const { rxrun, rxjs } = samples.get(form.key);
  const of = (list, key) => list.map((s) => s[key]);
  const paired = (key, combine) => rxrun.map((a, i) => combine(a[key], rxjs[i][key]));
  const wallDiff = paired('wallMs', (a, b) => a - b);
  const wallRatio = paired('wallMs', (a, b) => a / b);
  const cpuDiff = paired('cpuMs', (a, b) => a - b);
  const cpuRatio = paired('cpuMs', (a, b) => a / b);
  rows.push([
    form.key, fmt(median(of(rxrun, 'wallMs'))), fmt(median(of(rxjs, 'wallMs'))), `${fmt(median(wallDiff))} (${iqr(wallDiff)})`,
    `${fmt(median(wallRatio), 3)} (${fmt(quantile(wallRatio, 0.25), 3)}–${fmt(quantile(wallRatio, 0.75), 3)})`,
    fmt(median(of(rxrun, 'cpuMs'))), fmt(median(of(rxjs, 'cpuMs'))), `${fmt(median(cpuDiff))} (${iqr(cpuDiff)})`,
    `${fmt(median(cpuRatio), 3)} (${fmt(quantile(cpuRatio, 0.25), 3)}–${fmt(quantile(cpuRatio, 0.75), 3)})`,
  ]);
  verdicts.push({ form, wall: median(wallDiff), cpu: median(cpuDiff) });
}

printTable(header, rows);
const met = (ms) => (ms <= TARGET_MS ? 'met' : 'MISSED');
for (const v of verdicts) {
  console.log(`${v.form.key}: rxrun − rxjs, median of pairs: wall ${fmt(v.wall)} ms (${met(v.wall)}), CPU ${fmt(v.cpu)} ms (${met(v.cpu)}); target ≤ +${TARGET_MS} ms`);
}

updateSection('import-cost', `
## 3. Import cost

Command: \`node bench/import-cost.mjs --reps=${PAIRS}\` (took ${seconds} s).
${stamp()}

Whole processes, as a user's process pays for them: \`node bench/fixtures/import-child.{cjs,mjs} <rxrun|rxjs>\` loads
rxrun and reads its \`runApp\` (CJS: \`require('rxrun').runApp\`, ESM: \`(await import('rxrun')).runApp\`; rxrun resolves
to the built \`dist/\` through the package's self-reference, and loads rxjs itself) or loads rxjs alone, then exits. The two run in alternating pairs (rxrun first in
one pair, rxjs first in the next), ${PAIRS} pairs per form, after one warm-up run of each; each pair gives a difference
and a ratio, so the machine's drift between pairs cancels out. Wall: spawn to exit, measured by the parent (Node's
start-up included). CPU: the child's user + system time since it started, read just before it exits. Medians.

${markdownTable(header, rows)}

| target: rxrun ≤ rxjs + ${TARGET_MS} ms (median of paired differences) | wall | CPU |
| --- | --- | --- |
${verdicts.map((v) => `| ${v.form.key} | ${v.wall >= 0 ? '+' : ''}${fmt(v.wall)} ms: ${met(v.wall)} | ${v.cpu >= 0 ? '+' : ''}${fmt(v.cpu)} ms: ${met(v.cpu)} |`).join('\n')}
`);
