// Shared helpers for the benchmark scripts: statistics, child processes, and RESULTS.md sections.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(benchDir, '..');
export const fixture = (name) => path.join(benchDir, 'fixtures', name);
export const resultsFile = path.join(benchDir, 'RESULTS.md');
export const resultsDir = path.join(benchDir, 'results');

/** JSON with one line per top-level field and per row of each array field (diffs stay readable). */
export function resultsJson(object) {
  const field = ([key, value]) => Array.isArray(value)
    ? `${JSON.stringify(key)}: [\n${value.map((row) => `  ${JSON.stringify(row)}`).join(',\n')}\n ]`
    : `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  return `{\n ${Object.entries(object).map(field).join(',\n ')}\n}\n`;
}

/**
 * Writes bench/results/<name>.json (what bench/charts.mjs draws from): `{ bench, command, measuredAt, machine, ...data }`.
 * The figures are the same ones the script writes into its RESULTS.md section.
 */
export function writeResults(name, command, data) {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  const m = machine();
  writeFileSync(file, resultsJson({ bench: name, command, measuredAt: new Date().toISOString(), machine: m, ...data }));
  console.log(`bench: wrote ${path.relative(repoDir, file)}`);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

/** A numeric CLI/env option: `--reps=9` or `BENCH_REPS=9`. */
export function option(name, fallback) {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  const env = process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const raw = flag ? flag.slice(name.length + 3) : env;
  return raw === undefined ? fallback : Number(raw);
}

/** Runs `node ...args` to completion and parses the last stdout line as JSON. */
export function runJson(args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop();
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code ?? signal}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`node ${args.join(' ')}: no JSON result in ${JSON.stringify(out.slice(-500))}`));
      }
    });
  });
}

export function machine() {
  let cores = os.cpus().length;
  try {
    cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    // nproc missing: keep os.cpus()
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const mem = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  let rxjsVersion = 'unknown';
  try {
    rxjsVersion = JSON.parse(readFileSync(path.join(repoDir, 'node_modules/rxjs/package.json'), 'utf8')).version;
  } catch {
    // leave unknown
  }
  return {
    node: process.version, platform: `${os.platform()} ${os.release()} ${os.arch()}`, cpu, cores, mem, rxjsVersion,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

/** Replaces (or appends) the block between `<!-- BEGIN name -->` and `<!-- END name -->` in RESULTS.md. */
export function updateSection(name, markdown) {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  let text = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# rxrun benchmarks\n';
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(resultsFile, text);
}

/** A one-line description of where and when a section was measured. */
export function stamp() {
  const m = machine();
  return `Measured ${new Date().toISOString()} on Node ${m.node}, ${m.cores} cores (${m.cpu}), ${m.platform}, rxjs ${m.rxjsVersion}; load average at start ${m.load}.`;
}

export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function shuffle(array) {
  for (let i = array.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

/**
 * Spawns `node <file> ...args`, waits for its `ready` line (plus `settleMs`), sends SIGTERM and
 * resolves with the ms until its 'exit'; rejects unless it ended with `expect` (a signal name or code).
 */
export function sigtermToExit({ file, args, expect, settleMs = 0, label, watchdogMs = 60_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { cwd: repoDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sentAt;
    const watchdog = setTimeout(() => child.kill('SIGKILL'), watchdogMs);
    const send = () => {
      sentAt = process.hrtime.bigint();
      child.kill('SIGTERM');
    };
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (sentAt === undefined && out.includes('ready\n')) {
        sentAt = null;
        if (settleMs > 0) setTimeout(send, settleMs);
        else send();
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const exitAt = process.hrtime.bigint();
      clearTimeout(watchdog);
      const status = signal ?? code;
      if (typeof sentAt !== 'bigint') return reject(new Error(`${label} exited before SIGTERM (${status}): ${err}`));
      if (status !== expect) return reject(new Error(`${label} ended with ${status}, expected ${expect}: ${err}`));
      resolve(Number(exitAt - sentAt) / 1e6);
    });
  });
}
