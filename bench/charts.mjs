// Draws bench/charts/*.svg from the benchmarks' JSON results in bench/results/*.json, with Vega-Lite
// (compiled to Vega, rendered to SVG headless in Node: no browser, no canvas). `npm run bench` ends with
// it; it also runs alone, on whatever results are there:
//   node bench/charts.mjs
// A results file that is missing is skipped with a printed line (each benchmark writes its own file).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { benchDir, median, repoDir, resultsDir } from './lib/common.mjs';

const chartsDir = path.join(benchDir, 'charts');
const WIDTH = 360;

/** bench/results/<name>.json, parsed; undefined when it is missing. */
function load(name) {
  const file = path.join(resultsDir, `${name}.json`);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8'));
}
/** The rows of a results file written by another benchmark: a bare array, `rows`, or its first array property. */
const rowsOf = (json) => {
  if (Array.isArray(json)) return json;
  const rows = Array.isArray(json.rows) ? json.rows : Object.values(json).find(Array.isArray);
  if (!rows) throw new Error(`charts: no rows in ${json.bench ?? 'a results file'}`);
  return rows;
};
const source = (json) => (Array.isArray(json) ? '' : ` — ${json.command ?? ''}${json.measuredAt ? `, ${json.measuredAt.slice(0, 10)}` : ''}`);

async function render(name, spec) {
  const vgSpec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    config: {
      font: 'Helvetica, Arial, sans-serif',
      title: { fontSize: 14, anchor: 'start', subtitleFontSize: 10, subtitleColor: '#555' },
      axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 420 },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
    },
    ...spec,
  }).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(chartsDir, { recursive: true });
  const file = path.join(chartsDir, `${name}.svg`);
  writeFileSync(file, svg);
  console.log(`charts: wrote ${path.relative(repoDir, file)}`);
}

const skip = (file, what) => console.log(`charts: bench/results/${file}.json is missing: no ${what} chart (run the benchmark that writes it)`);

/** Two horizontal bar charts side by side over the same categories: failed requests and a duration. */
function failedAndDuration({ title, subtitle, rows, category, order, failedTitle, durationField, durationTitle, durationRange }) {
  const yLeft = { field: category, type: 'nominal', sort: order, title: null };
  // The right-hand chart shares the categories: no second set of labels.
  const yRight = { ...yLeft, axis: null };
  const bar = (y, x, color) => ({ mark: { type: 'bar', color, height: { band: 0.7 } }, encoding: { y, x } });
  // The value, written just past the end of the bar (or of its min–max line).
  const text = (y, field, at = field) => ({
    mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
    encoding: { y, x: { field: at, type: 'quantitative' }, text: { field, type: 'quantitative', format: ',.0f' } },
  });
  const duration = {
    width: WIDTH * 0.8,
    layer: [
      bar(yRight, { field: durationField, type: 'quantitative', title: durationTitle, scale: { nice: true } }, '#4c78a8'),
      ...(durationRange ? [{
        mark: { type: 'rule', color: '#222' },
        encoding: { y: yRight, x: { field: durationRange[0], type: 'quantitative' }, x2: { field: durationRange[1] } },
      }] : []),
      text(yRight, durationField, durationRange ? durationRange[1] : durationField),
    ],
  };
  return {
    title: { text: title, subtitle },
    data: { values: rows },
    spacing: 70,
    bounds: 'flush',
    // Room for the value written past the longest duration bar.
    padding: { left: 5, top: 5, bottom: 5, right: 45 },
    hconcat: [
      { width: WIDTH * 0.6, layer: [bar(yLeft, { field: 'failed', type: 'quantitative', title: failedTitle, scale: { nice: true } }, '#e45756'), text(yLeft, 'failed')] },
      duration,
    ],
    resolve: { scale: { y: 'shared' } },
  };
}

// 1. HTTP drain: failed requests (Σ over reps) and SIGTERM→exit (median, min–max) per library.
const drain = load('http-drain');
if (!drain) skip('http-drain', 'HTTP drain');
else {
  const byImpl = new Map();
  for (const row of drain.drain) {
    const entry = byImpl.get(row.impl) ?? { label: row.label, failed: 0, exits: [] };
    entry.failed += row.failed;
    entry.exits.push(row.exitMs);
    byImpl.set(row.impl, entry);
  }
  const rows = [...byImpl.values()].map((e) => ({ implementation: e.label, failed: e.failed, exitMs: median(e.exits), exitMin: Math.min(...e.exits), exitMax: Math.max(...e.exits) }));
  await render('http-drain', failedAndDuration({
    title: 'HTTP drain: SIGTERM under keep-alive load',
    subtitle: [
      `${drain.busyConns} busy + ${drain.idleConns} sporadic keep-alive connections, ${drain.handlerMs} ms handler, ${drain.reps} reps`,
      'failed: Σ over reps; exit: median (line: min–max)',
      `bench/http-drain.mjs${drain.measuredAt ? `, ${drain.measuredAt.slice(0, 10)}` : ''} (bench/RESULTS.md, "HTTP drain")`,
    ],
    rows,
    category: 'implementation',
    order: rows.map((r) => r.implementation),
    failedTitle: `failed requests (Σ ${drain.reps} reps)`,
    durationField: 'exitMs',
    durationTitle: 'SIGTERM → exit, ms (median)',
    durationRange: ['exitMin', 'exitMax'],
  }));
}

// 2. Timer drift: lateness of each callback over time, round 1, the three timers side by side.
const drift = load('timer-drift');
if (!drift) skip('timer-drift', 'timer drift');
else {
  const rows = drift.series.filter((r) => r.round === 1).map((r) => ({ ...r, seconds: r.tMs / 1000 }));
  await render('timer-drift', {
    title: {
      text: `Timer drift: ${drift.ticks} ticks at ${drift.periodMs} ms, side by side in one process`,
      subtitle: [`lateness of callback k behind start + k·${drift.periodMs} ms (round 1 of ${drift.reps})`, 'setInterval and RxJS interval (which runs on it) overlap', `bench/timer-drift.mjs${source(drift).replace(/^ — [^,]*/, '')} (bench/RESULTS.md, "Timer drift")`],
    },
    width: WIDTH * 1.4,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'seconds', type: 'quantitative', title: 'time since start, s' },
      // symlog: the drifting timers reach hundreds of ms while timer$ stays within about ±1 ms of 0.
      y: { field: 'lateMs', type: 'quantitative', title: 'lateness, ms (symmetric log scale)', scale: { type: 'symlog' }, axis: { values: [-1, 0, 1, 10, 100, 1000, 10000].filter((v) => v <= Math.max(10, ...rows.map((r) => r.lateMs)) * 1.5) } },
      color: { field: 'label', type: 'nominal', title: 'timer', sort: ['timer$', 'setInterval', 'RxJS interval'], scale: { range: ['#4c78a8', '#e45756', '#f58518'] } },
      strokeDash: { field: 'label', type: 'nominal', title: 'timer', sort: ['timer$', 'setInterval', 'RxJS interval'], scale: { range: [[1, 0], [6, 3], [2, 2]] } },
    },
  });
}

// 3. Idle exit vs N: SIGTERM→exit with N idle timer tasks (shutdown-latency), median and IQR.
const latency = load('shutdown-latency');
if (!latency) skip('shutdown-latency', 'idle-exit vs N');
else {
  const rows = latency.rows.map((r) => ({ ...r, nLabel: r.n.toLocaleString('en-US') }));
  const order = [...new Set(rows.map((r) => r.label))];
  const encoding = {
    x: { field: 'nLabel', type: 'ordinal', title: 'N idle timer tasks', sort: [...new Set(rows.map((r) => r.nLabel))], axis: { labelAngle: 0 } },
    color: { field: 'label', type: 'nominal', title: 'implementation', sort: order, scale: { range: ['#54a24b', '#4c78a8', '#f58518', '#9d9d9d'] } },
  };
  await render('idle-exit', {
    title: {
      text: 'SIGTERM → exit of an idle app with N timer tasks',
      subtitle: [`median of ${latency.reps} runs (bars: interquartile range)`, `bench/shutdown-latency.mjs${latency.measuredAt ? `, ${latency.measuredAt.slice(0, 10)}` : ''} (bench/RESULTS.md, "Shutdown latency")`],
    },
    width: WIDTH * 1.2,
    height: 220,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { ...encoding, y: { field: 'medianMs', type: 'quantitative', title: 'SIGTERM → exit, ms' } } },
      { mark: { type: 'rule' }, encoding: { ...encoding, y: { field: 'q1Ms', type: 'quantitative' }, y2: { field: 'q3Ms' } } },
    ],
  });
}

// 4. Rolling restart (written by bench/rolling-restart.mjs): failed requests and restart duration per implementation.
const rolling = load('rolling-restart');
if (!rolling) skip('rolling-restart', 'rolling-restart');
else {
  const rows = rowsOf(rolling).map((r) => ({
    ...r,
    implementation: [r.impl, r.method, r.handlerMs === undefined ? undefined : `${r.handlerMs} ms handler`].filter((part) => part !== undefined && part !== '').join(' · '),
  }));
  await render('rolling-restart', failedAndDuration({
    title: 'Rolling restart under load',
    subtitle: ['failed requests and the median restart duration, per implementation', `bench/rolling-restart.mjs${rolling.measuredAt ? `, ${String(rolling.measuredAt).slice(0, 10)}` : ''} (bench/RESULTS.md)`],
    rows,
    category: 'implementation',
    order: rows.map((r) => r.implementation),
    failedTitle: 'failed requests',
    durationField: 'restartMsMedian',
    durationTitle: 'restart duration, ms (median)',
  }));
}

// 5. Kubernetes rollout simulation (written by the k8s benchmark): failed requests and rollout time.
const k8s = load('k8s-rollout');
if (!k8s) skip('k8s-rollout', 'Kubernetes rollout');
else {
  // One row per implementation and method: failed requests summed over the rounds, the median rollout.
  const groups = new Map();
  for (const r of rowsOf(k8s)) {
    const implementation = [r.impl, r.method].filter(Boolean).join(' · ');
    const group = groups.get(implementation) ?? { implementation, failed: 0, requests: 0, durations: [] };
    group.failed += r.failed ?? 0;
    group.requests += r.requests ?? 0;
    if (typeof r.rolloutMs === 'number') group.durations.push(r.rolloutMs);
    groups.set(implementation, group);
  }
  const median = (values) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
  };
  const rows = [...groups.values()].map(({ durations, ...group }) => ({ ...group, rolloutMs: median(durations) }));
  await render('k8s-rollout', failedAndDuration({
    title: 'Kubernetes rollout (simulated) under load',
    subtitle: ['failed requests (summed over the rollouts) and the median rollout duration', `bench/results/k8s-rollout.json${k8s.measuredAt ? `, ${String(k8s.measuredAt).slice(0, 10)}` : ''} (bench/RESULTS.md)`],
    rows,
    category: 'implementation',
    order: rows.map((r) => r.implementation),
    failedTitle: 'failed requests',
    durationField: 'rolloutMs',
    durationTitle: 'rollout duration, ms',
  }));
}
