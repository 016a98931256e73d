// Runs every benchmark in sequence (each updates its own section of bench/RESULTS.md; some also write
// bench/results/<name>.json), then stamps the header and draws bench/charts/*.svg (bench/charts.mjs). Run `npm run build` first: the benchmarks load the built dist/ through `require('rxrun')`.
//   node bench/run-all.mjs            (or: npm run bench, which builds first)
// Options are passed through to every script (e.g. --reps=N overrides each script's default).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchDir, machine, repoDir, resultsFile } from './lib/common.mjs';

if (!existsSync(path.join(repoDir, 'dist/cjs/index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
// rolling-restart.mjs and workers-throughput.mjs start the built cluster demo.
if (!existsSync(path.join(repoDir, 'dist/demos/cluster/main.js'))) {
  console.error('bench: dist/demos/cluster/main.js is missing; run `npm run build:demos` first');
  process.exit(1);
}
const scripts = ['shutdown-latency.mjs', 'task-churn.mjs', 'import-cost.mjs', 'budget-overrun.mjs', 'http-drain.mjs', 'timer-drift.mjs', 'rolling-restart.mjs', 'workers-throughput.mjs'];
const started = Date.now();
const loadBefore = machine().load;
for (const script of scripts) {
  console.log(`\n=== ${script} ===`);
  const result = spawnSync(process.execPath, [path.join(benchDir, script), ...process.argv.slice(2)], { cwd: repoDir, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`bench: ${script} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}
const m = machine();
const header = `<!-- BEGIN header -->
# rxrun benchmarks

Last full run: ${new Date().toISOString()} (\`node bench/run-all.mjs\`, ${((Date.now() - started) / 1000).toFixed(0)} s).
Machine: Node ${m.node}, ${m.cores} cores (\`nproc\`), ${m.cpu}, ${m.mem} RAM, ${m.platform}; rxjs ${m.rxjsVersion}.
Load average before / after the run: ${loadBefore} / ${m.load}.
<!-- END header -->`;
let text = readFileSync(resultsFile, 'utf8');
const from = text.indexOf('<!-- BEGIN header -->');
const to = text.indexOf('<!-- END header -->');
if (from >= 0 && to > from) text = text.slice(0, from) + header + text.slice(to + '<!-- END header -->'.length);
else text = `${header}\n\n${text.replace(/^# rxrun benchmarks\n/, '')}`;
writeFileSync(resultsFile, text);
console.log(`\nbench: wrote ${path.relative(repoDir, resultsFile)}`);
// The charts (bench/charts/*.svg) from the JSON results the scripts above wrote (bench/results/*.json).
console.log('\n=== charts.mjs ===');
const charts = spawnSync(process.execPath, [path.join(benchDir, 'charts.mjs')], { cwd: repoDir, stdio: 'inherit' });
if (charts.status !== 0) {
  console.error(`bench: charts.mjs failed (${charts.status ?? charts.signal})`);
  process.exit(1);
}
