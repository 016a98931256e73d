/**
 * Every TypeScript and JavaScript sample in README.md and docs/*.md is checked, and each says how:
 *
 * - **verbatim in a spec**: the sample is a `readme-example:start` … `readme-example:end` block of a
 *   spec file under spec/, which runs it (found automatically);
 * - otherwise an HTML comment on the line before the fence (invisible in the rendered page) names the
 *   check, and this file does it:
 *   - `<!-- sample: run -->` — compiled, then run with Node (`ts-node`, rxrun from dist/); it must
 *     end by itself with exit code 0;
 *   - `<!-- sample: run until "text" then SIGTERM -->` — compiled and run; once its output contains
 *     `text`, it gets SIGTERM and must end by that signal (rxrun's conventional exit);
 *   - `<!-- sample: compile — reason -->` — compiled only (type-checked against lib/), with the reason
 *     it cannot run standalone;
 *   - `<!-- sample: file path — reason -->` — the sample is that file of the repository, verbatim
 *     (which a test uses).
 *   After the mode, `| declarations` adds TypeScript declarations before the sample for compiling
 *   only (a fragment's `jobs$` or `server`), e.g. `<!-- sample: compile — a fragment | declare const
 *   jobs$: Observable<number> -->`; `Observable` and the other rxjs types named there are imported.
 *
 * A sample with none of these fails the first test: no sample goes unchecked. Compiling uses
 * tsconfig.json (strict; `rxrun` → lib/); samples run from a folder under the repository's ignored
 * `tmp/`, where `rxrun` resolves to the built dist/ (`npm test` builds first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const WORK = path.join(ROOT, 'tmp', `samples-${process.pid}`);

interface Sample {
  readonly where: string; // file:line
  readonly lang: 'ts' | 'js';
  readonly code: string;
  readonly directive: string | undefined;
}

function markdownFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => path.join('docs', name));
  return ['README.md', ...docs];
}

function samples(): Sample[] {
  const found: Sample[] = [];
  for (const file of markdownFiles()) {
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i += 1) {
      const open = /^```(ts|typescript|js|javascript)\s*$/.exec(lines[i] ?? '');
      if (!open) {
        if (/^```/.test(lines[i] ?? '')) {
          // Skip any other fenced block (text, sh, yaml …) to its closing fence.
          for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i += 1);
        }
        continue;
      }
      const start = i;
      const body: string[] = [];
      for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i] ?? ''); i += 1) body.push(lines[i] ?? '');
      const before = lines[start - 1] ?? '';
      const directive = /^<!-- sample: ([\s\S]*) -->$/.exec(before)?.[1];
      found.push({ where: `${file}:${start + 1}`, lang: open[1]?.startsWith('t') ? 'ts' : 'js', code: `${body.join('\n')}\n`, directive });
    }
  }
  return found;
}

/** The `readme-example` blocks of every spec file: samples shown verbatim there run as tests. */
function specExamples(): Map<string, string> {
  const blocks = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.spec.ts')) {
        const source = readFileSync(full, 'utf8');
        for (const match of source.matchAll(/\/\/ readme-example:start\n([\s\S]*?)\/\/ readme-example:end\n/g)) {
          blocks.set(match[1] ?? '', path.relative(ROOT, full));
        }
      }
    }
  };
  walk(path.join(ROOT, 'spec'));
  return blocks;
}

type Check =
  | { kind: 'spec'; spec: string }
  | { kind: 'run'; until?: string; declarations: string }
  | { kind: 'compile'; reason: string; declarations: string }
  | { kind: 'file'; file: string; reason: string };

function checkOf(sample: Sample, examples: Map<string, string>): Check | string {
  const spec = examples.get(sample.code);
  if (spec !== undefined) return { kind: 'spec', spec };
  if (sample.directive === undefined) return `${sample.where}: no <!-- sample: … --> line before it, and not a readme-example block of a spec`;
  const [head = '', declarations = ''] = sample.directive.split(' | ');
  let match: RegExpExecArray | null;
  if (head === 'run') return { kind: 'run', declarations };
  if ((match = /^run until "([^"]+)" then SIGTERM$/.exec(head))) return { kind: 'run', until: match[1] ?? '', declarations };
  if ((match = /^compile — (.+)$/.exec(head))) return { kind: 'compile', reason: match[1] ?? '', declarations };
  if ((match = /^file (\S+) — (.+)$/.exec(head))) return { kind: 'file', file: match[1] ?? '', reason: match[2] ?? '' };
  return `${sample.where}: unknown sample directive '${sample.directive}'`;
}

const all = samples();
const examples = specExamples();
const checked = all.map((sample) => ({ sample, check: checkOf(sample, examples) }));
const runnable = checked.filter((c): c is { sample: Sample; check: Exclude<Check, string> } => typeof c.check !== 'string');

const RXJS_TYPES = 'import type { Observable, ObservableInput, Subscription } from "rxjs";\n';
/** The file a sample is compiled (and run) as: its declarations, then the sample, as a module. */
function sourceOf(sample: Sample, check: Check, forRun: boolean): string {
  const declarations = 'declarations' in check && check.declarations !== '' && !forRun ? `${RXJS_TYPES}${check.declarations}\n` : '';
  return `${declarations}${sample.code}${sample.lang === 'ts' ? 'export {};\n' : ''}`;
}

const fileName = (index: number, sample: Sample): string => path.join(WORK, `sample${index}`, `main.${sample.lang}`);

beforeAll(() => {
  rmSync(WORK, { recursive: true, force: true });
  runnable.forEach(({ sample, check }, index) => {
    if (check.kind !== 'run' && check.kind !== 'compile') return;
    mkdirSync(path.dirname(fileName(index, sample)), { recursive: true });
    writeFileSync(fileName(index, sample), sourceOf(sample, check, false));
  });
});

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

test('every sample in README.md and docs/*.md says how it is checked', () => {
  expect(all.length).toBeGreaterThan(20);
  expect(checked.map((c) => c.check).filter((c): c is string => typeof c === 'string')).toEqual([]);
  // The README's one example runs: it is not only compiled.
  expect(checked.filter((c) => c.sample.where.startsWith('README.md:')).map((c) => typeof c.check === 'string' ? c.check : c.check.kind)).toEqual(['run']);
});

test('every sample shown verbatim from a spec or a file matches it', () => {
  const files = runnable.filter((c) => c.check.kind === 'file');
  for (const { sample, check } of files) {
    if (check.kind !== 'file') continue;
    expect({ where: sample.where, same: existsSync(path.join(ROOT, check.file)) && readFileSync(path.join(ROOT, check.file), 'utf8') === sample.code }).toEqual({ where: sample.where, same: true });
  }
  expect(runnable.filter((c) => c.check.kind === 'spec').length).toBeGreaterThan(0);
});

test('every TypeScript sample that is run or compiled type-checks against lib/ (strict)', () => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const files = runnable.flatMap(({ sample, check }, index) => (check.kind === 'run' || check.kind === 'compile') ? [fileName(index, sample)] : []);
  const program = ts.createProgram({
    rootNames: files,
    // Samples show usage: an unused name in a fragment is not an error there.
    options: { ...config.options, noEmit: true, allowJs: true, checkJs: false, noUnusedLocals: false, noUnusedParameters: false },
  });
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const file = diagnostic.file;
    const index = file ? files.indexOf(path.resolve(file.fileName)) : -1;
    const entry = index >= 0 ? runnable.filter((c) => c.check.kind === 'run' || c.check.kind === 'compile')[index] : undefined;
    const line = file && diagnostic.start !== undefined ? file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
    return `${entry?.sample.where ?? file?.fileName ?? '?'} (+${line}): ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 120_000);

/** Runs a sample with Node; with `until`, sends SIGTERM once the output contains it. */
function run(file: string, until: string | undefined): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; sentSigterm: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', file], {
      cwd: path.dirname(file),
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let sentSigterm = false;
    // A bound, not an assertion: a sample that never ends (or never prints `until`) fails the test.
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (until !== undefined && !sentSigterm && output.includes(until)) {
        sentSigterm = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, output, sentSigterm });
    });
  });
}

const toRun = runnable.flatMap(({ sample, check }, index) => (check.kind === 'run' ? [{ sample, check, index }] : []));

test.each(toRun.map((entry) => [entry.sample.where, entry] as const))('the sample at %s runs as the docs say', async (_where, { sample, check, index }) => {
  if (check.kind !== 'run') throw new Error('not a run check');
  // Run without the compile-only declarations.
  writeFileSync(fileName(index, sample), sourceOf(sample, check, true));
  const result = await run(fileName(index, sample), check.until);
  if (check.until === undefined) {
    expect({ code: result.code, signal: result.signal, output: result.output }).toEqual({ code: 0, signal: null, output: result.output });
  } else {
    expect({ sentSigterm: result.sentSigterm, signal: result.signal, output: result.output }).toEqual({ sentSigterm: true, signal: 'SIGTERM', output: result.output });
  }
}, 90_000);

test('the compile-only samples each give their reason', () => {
  const compileOnly = runnable.filter((c) => c.check.kind === 'compile');
  for (const { check } of compileOnly) if (check.kind === 'compile') expect(check.reason.length).toBeGreaterThan(10);
});
