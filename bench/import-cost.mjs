// Import cost: loading rxrun vs loading rxjs alone, each in a fresh node process, interleaved.
// Two measures per trial: the time spent inside require()/import() (hrtime in the child), and the
// wall time of the whole process (spawn to exit, from the parent; includes Node's own start-up).
//   node bench/import-cost.mjs [--reps=31]
import { spawn } from 'node:child_process';
import {
  fixture, fmt, markdownTable, median, option, printTable, quantile, repoDir, shuffle, stamp, updateSection,
} from './lib/common.mjs';

const REPS = option('reps', 31);
const TARGETS = ['none', 'rxjs', 'rxrun', 'split'];
const FORMS = [
  { key: 'cjs', file: 'import-child.cjs', how: '`require()`' },
  { key: 'esm', file: 'import-child.mjs', how: '`await import()`' },
];
const started = Date.now();

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
      resolve({ ...JSON.parse(out.trim()), wallMs });
    });
  });
}

const samples = new Map();
for (const form of FORMS) for (const target of TARGETS) samples.set(`${form.key}:${target}`, { in: [], cpu: [], wall: [], own: [], ownCpu: [] });
for (const form of FORMS) for (const target of TARGETS) await trial(form, target); // warm the file cache
for (let rep = 0; rep < REPS; rep += 1) {
  for (const { form, target } of shuffle(FORMS.flatMap((form) => TARGETS.map((target) => ({ form, target }))))) {
    const result = await trial(form, target);
    const bucket = samples.get(`${form.key}:${target}`);
    bucket.in.push(result.requireMs);
    bucket.cpu.push(result.cpuMs);
    if (target === 'split') {
      bucket.own.push(result.ownMs);
      bucket.ownCpu.push(result.ownCpuMs);
    }
    bucket.wall.push(result.wallMs);
  }
  process.stderr.write(`import-cost: round ${rep + 1}/${REPS}\r`);
}
process.stderr.write('\n');
const seconds = ((Date.now() - started) / 1000).toFixed(0);

const header = ['form', 'module', 'in-process median ms', 'IQR', 'in-process CPU median ms', 'process wall median ms', 'IQR'];
const rows = [];
const checks = [];
const own = [];
for (const form of FORMS) {
  for (const target of TARGETS) {
    const s = samples.get(`${form.key}:${target}`);
    rows.push([form.key, { none: '(nothing)', split: 'rxjs, then rxrun' }[target] ?? target, fmt(median(s.in)), `${fmt(quantile(s.in, 0.25))}–${fmt(quantile(s.in, 0.75))}`,
      fmt(median(s.cpu)), fmt(median(s.wall)), `${fmt(quantile(s.wall, 0.25))}–${fmt(quantile(s.wall, 0.75))}`]);
  }
  const rx = samples.get(`${form.key}:rxrun`);
  const rj = samples.get(`${form.key}:rxjs`);
  checks.push({ form, measure: 'in-process', extra: median(rx.in) - median(rj.in) });
  checks.push({ form, measure: 'in-process CPU', extra: median(rx.cpu) - median(rj.cpu) });
  checks.push({ form, measure: 'process wall', extra: median(rx.wall) - median(rj.wall) });
  const split = samples.get(`${form.key}:split`);
  own.push({ form, ms: median(split.own), iqr: `${fmt(quantile(split.own, 0.25))}–${fmt(quantile(split.own, 0.75))}`, cpu: median(split.ownCpu) });
}

printTable(header, rows);
for (const o of own) console.log(`${o.form.key}: rxrun's own modules, loaded after rxjs in the same process: median ${fmt(o.ms)} ms (IQR ${o.iqr}), CPU ${fmt(o.cpu)} ms`);
for (const c of checks) console.log(`${c.form.key} ${c.measure}: rxrun − rxjs = ${fmt(c.extra)} ms → target ≤ +5 ms ${c.extra <= 5 ? 'MET' : 'MISSED'}`);

updateSection('import-cost', `
## 3. Import cost

Command: \`node bench/import-cost.mjs --reps=${REPS}\` (took ${seconds} s).
${stamp()}

Each trial is a fresh \`node bench/fixtures/import-child.{cjs,mjs} <none|rxjs|rxrun|split>\` (CJS: \`require()\`, ESM:
\`await import()\`; rxrun resolves to the built \`dist/\` through the package's self-reference, and loads rxjs itself).
"In-process" is the hrtime around the require/import inside the child ("in-process CPU": the child's user+system
CPU time over the same interval — less disturbed by other load on a shared machine); "process wall" is spawn to exit measured by
the parent (includes Node's start-up, the same for all). "rxjs, then rxrun" loads rxjs and then rxrun in one
process and times the second step alone: rxrun's own share, a paired measure that does not depend on the run-to-run
spread of rxjs's own load time. ${REPS} rounds, each running all eight (form, module) pairs once in random order;
the file cache is warmed first.

${markdownTable(header, rows)}

| target: rxrun ≤ rxjs + 5 ms | rxrun − rxjs (medians) | result |
| --- | --- | --- |
| paired: rxrun's own modules after rxjs, CJS | ${fmt(own[0].ms)} ms wall (IQR ${own[0].iqr}), ${fmt(own[0].cpu)} ms CPU | ${own[0].ms <= 5 ? 'met' : '**missed**'} |
| paired: rxrun's own modules after rxjs, ESM | ${fmt(own[1].ms)} ms wall (IQR ${own[1].iqr}), ${fmt(own[1].cpu)} ms CPU | ${own[1].ms <= 5 ? 'met' : '**missed**'} |
${checks.map((c) => `| ${c.form.key}, ${c.measure} | ${c.extra >= 0 ? '+' : ''}${fmt(c.extra)} ms | ${c.extra <= 5 ? 'met' : '**missed**'} |`).join('\n')}
`);
