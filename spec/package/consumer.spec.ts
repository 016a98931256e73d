/**
 * The published package, as a user gets it: `npm pack` → install the tarball into an empty project →
 * run an app from ESM and from CommonJS, and compile TypeScript against both entry points.
 *
 * `npm pack` runs in a copy of the package sources (lib/, package.json, tsconfigs, README) whose
 * node_modules is a link to ours: `prepack` cleans and rebuilds dist/ there, so the tarball proves
 * the build-in-prepack path without deleting the working tree's dist/ under tests running beside us.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repoDir = path.resolve(__dirname, '..', '..');
const tsc = path.join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc');
const rxjsVersion = (JSON.parse(readFileSync(path.join(repoDir, 'node_modules', 'rxjs', 'package.json'), 'utf8')) as { version: string }).version;

let workDir = '';
let consumerDir = '';
let packedFiles: string[] = [];

function run(command: string, args: string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe', timeout: 180_000, maxBuffer: 256 * 1024 * 1024, ...options }) as string;
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) failed with status ${failed.status}\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`,
      { cause: error },
    );
  }
}

/** Runs a file with node in the consumer project; throws (with its output) unless it exits 0. */
function node(file: string): string {
  return run(process.execPath, [file], consumerDir);
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rxrun-consumer-'));
  const sourceDir = path.join(workDir, 'source');
  const packDir = path.join(workDir, 'pack');
  consumerDir = path.join(workDir, 'consumer');
  for (const dir of [sourceDir, packDir, consumerDir]) mkdirSync(dir);

  for (const entry of ['lib', '.ci', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.esm.json', 'README.md', 'LICENSE']) {
    const from = path.join(repoDir, entry);
    if (existsSync(from)) cpSync(from, path.join(sourceDir, entry), { recursive: true });
  }
  symlinkSync(path.join(repoDir, 'node_modules'), path.join(sourceDir, 'node_modules'), 'dir');

  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir], sourceDir)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const pack = packed[0];
  if (pack === undefined) throw new Error('npm pack --json printed no package');
  packedFiles = pack.files.map((file) => file.path).sort();

  writeFileSync(path.join(consumerDir, 'package.json'), JSON.stringify({ name: 'rxrun-consumer', version: '1.0.0', private: true }, null, 2));
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', path.join(packDir, pack.filename), `rxjs@${rxjsVersion}`],
    consumerDir,
  );
}, 300_000);

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds both builds with declarations for both entry points, the README, and no sources', () => {
    for (const file of [
      'package.json',
      'README.md',
      'dist/esm/package.json',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/esm/testing/index.js',
      'dist/esm/testing/index.d.ts',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/cjs/testing/index.js',
      'dist/cjs/testing/index.d.ts',
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file))).toEqual([]);
    expect(packedFiles.filter((file) => file.endsWith('.spec.js') || file.includes('tsbuildinfo'))).toEqual([]);
  });

  it('declares its exports map, peer dependency, engines and side effects', () => {
    const manifest = JSON.parse(readFileSync(path.join(consumerDir, 'node_modules', 'rxrun', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['sideEffects']).toBe(false);
    expect(manifest['engines']).toEqual({ node: '^22.0.0 || ^24.0.0 || >=26.0.0' });
    // fake-timers: an optional peer of rxrun/testing's virtual time only (installing rxrun never pulls it in).
    expect(manifest['peerDependencies']).toEqual({ rxjs: expect.stringMatching(/^\^7\.8/) as unknown, '@sinonjs/fake-timers': '>=15' });
    expect(manifest['peerDependenciesMeta']).toEqual({ '@sinonjs/fake-timers': { optional: true } });
    expect(existsSync(path.join(consumerDir, 'node_modules', '@sinonjs', 'fake-timers'))).toBe(false);
    expect(manifest['dependencies']).toBeUndefined();
    const exportsMap = manifest['exports'] as Record<string, Record<string, Record<string, string>>>;
    for (const entry of ['.', './testing']) {
      for (const condition of ['import', 'require']) {
        const target = exportsMap[entry]?.[condition];
        expect(target?.['types']).toMatch(/\.d\.ts$/);
        expect(existsSync(path.join(consumerDir, 'node_modules', 'rxrun', target?.['types'] ?? 'missing'))).toBe(true);
        expect(existsSync(path.join(consumerDir, 'node_modules', 'rxrun', target?.['default'] ?? 'missing'))).toBe(true);
      }
    }
  });
});

describe('an app in an empty project that installed the tarball', () => {
  it('runs from ESM (import) to stopped with until: main-complete', () => {
    writeFileSync(
      path.join(consumerDir, 'app.mjs'),
      `import { of, last } from 'rxjs';
import { runApp$, runApp } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

console.log('resolved', import.meta.resolve('rxrun'), import.meta.resolve('rxrun/testing'));
// One instance for ESM and CommonJS users (the ESM entry re-exports the CommonJS build).
const { createRequire } = await import('node:module');
const required = createRequire(import.meta.url);
console.log('shared', required('rxrun').runApp$ === runApp$, required('rxrun/testing').createTestProcess === createTestProcess);
const port = createTestProcess();
runApp$((app) => [of(1, 2, 3), of(app.phase)], { until: 'main-complete', process: port, logger: false })
  .pipe(last())
  .subscribe((event) => {
    console.log('event', event.type);
    console.log('status', event.outcome.status, event.outcome.reason.kind);
    // The process form too, on the real process: it must exit 0 on its own.
    runApp(of('x'), { until: 'main-complete', logger: false }).then((outcome) => console.log('runApp', outcome.status));
  });
`,
    );
    const stdout = node('app.mjs');
    expect(stdout).toMatch(/^resolved \S+\/node_modules\/rxrun\/dist\/esm\/index\.js \S+\/node_modules\/rxrun\/dist\/esm\/testing\/index\.js$/m);
    expect(stdout).toContain('shared true true\n');
    expect(stdout).toContain('event stopped\nstatus ok main-complete\nrunApp ok\n');
  });

  it('runs from CommonJS (require) to stopped with until: main-complete', () => {
    writeFileSync(
      path.join(consumerDir, 'app.cjs'),
      `const { of, last } = require('rxjs');
const { runApp$ } = require('rxrun');
const { createTestProcess } = require('rxrun/testing');

console.log('resolved', require.resolve('rxrun'), require.resolve('rxrun/testing'));
const port = createTestProcess();
runApp$([of(1, 2, 3)], { until: 'main-complete', process: port, logger: false })
  .pipe(last())
  .subscribe((event) => {
    console.log('event', event.type);
    console.log('status', event.outcome.status, event.outcome.reason.kind);
    console.log('listeners left', port.listenerCount(), 'keep-alives', port.keepAlives);
  });
`,
    );
    const stdout = node('app.cjs');
    expect(stdout).toMatch(/^resolved \S+\/node_modules\/rxrun\/dist\/cjs\/index\.js \S+\/node_modules\/rxrun\/dist\/cjs\/testing\/index\.js$/m);
    expect(stdout).toContain('event stopped\nstatus ok main-complete\nlisteners left 0 keep-alives 0\n');
  });

  it('type-checks against both entry points from ESM and CommonJS (moduleResolution nodenext)', () => {
    const body = `
const events$: Observable<LifecycleEvent> = runApp$(of(1), { until: 'main-complete', process: createTestProcess() });
const port: TestProcess = createTestProcess({ platform: 'win32' });
const outcome: Promise<AppOutcome> = runApp((app: AppContext) => of(app.phase), { onTaskError: 'isolate' });
// @ts-expect-error: 'never' is not an until mode (proves the types are real, not any)
runApp$(of(1), { until: 'never' });
export { events$, port, outcome };
`;
    const imports = `import { of, type Observable } from 'rxjs';
import { runApp$, runApp, type AppContext, type AppOutcome, type LifecycleEvent } from 'rxrun';
import { createTestProcess, type TestProcess } from 'rxrun/testing';
`;
    writeFileSync(path.join(consumerDir, 'typed.mts'), imports + body);
    writeFileSync(path.join(consumerDir, 'typed.cts'), imports + body);
    writeFileSync(
      path.join(consumerDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [path.join(repoDir, 'node_modules', '@types')],
          traceResolution: true,
        },
        files: ['typed.mts', 'typed.cts'],
      }),
    );
    const trace = run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumerDir);
    // Each entry point resolved through the matching condition of the exports map (import → esm, require → cjs).
    for (const [from, flavour] of [['typed.mts', 'esm'], ['typed.cts', 'cjs']] as const) {
      for (const [specifier, file] of [['rxrun', 'index'], ['rxrun/testing', 'testing/index']] as const) {
        const resolution = new RegExp(
          `======== Resolving module '${specifier}' from '[^']*/${from.replace('.', '\\.')}'\\. ========[\\s\\S]*?` +
            `======== Module name '${specifier}' was successfully resolved to '([^']+)'`,
        ).exec(trace);
        expect(resolution?.[1]).toMatch(new RegExp(`/node_modules/rxrun/dist/${flavour}/${file}\\.d\\.ts$`));
      }
    }
  });
});
