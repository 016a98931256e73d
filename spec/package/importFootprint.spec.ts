/**
 * Importing rxrun loads none of Node's network or terminal modules, and `require('rxrun')` loads
 * rxrun's own modules as their exports are read: `http`, `https`, `http2`, `tls`,
 * `net`, `crypto`, `tty` and `worker_threads` are loaded where they are used (`serve$`, `probes`, the
 * terminal reset at a signal exit, `worker$`), so an app that serves nothing — a queue worker — does not pay for them. A
 * correctness check on the built package (`npm test` builds it first), not a timing one: a fresh
 * process lists the built-in modules Node loaded while `rxrun` was required or imported.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { requireBuiltPackage } from '../demos/demoProcess';

const repoDir = path.resolve(__dirname, '..', '..');
const HEAVY = ['http', 'https', 'http2', 'tls', 'net', 'crypto', 'tty', 'worker_threads'];

/** The child prints the built-in modules loaded by `load` (rxjs is loaded first: it is rxrun's peer, not its cost). */
function builtinsLoadedBy(load: string, esm: boolean): string[] {
  const code = [
    esm ? "await import('rxjs');" : "require('rxjs');",
    "if (!Array.isArray(process.moduleLoadList)) throw new Error('process.moduleLoadList is missing');",
    'const before = new Set(process.moduleLoadList);',
    `${load};`,
    "const added = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13));",
    'process.stdout.write(JSON.stringify(added));',
  ].join('\n');
  const args = esm ? ['--input-type=module', '-e', code] : ['-e', code];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: repoDir, encoding: 'utf8', timeout: 30_000 })) as string[];
}

beforeAll(() => requireBuiltPackage());

describe('importing rxrun', () => {
  it.each([
    ['require', "const { runApp } = require('rxrun'); if (typeof runApp !== 'function') throw new Error('no runApp')", false],
    ['import', "const { runApp } = await import('rxrun'); if (typeof runApp !== 'function') throw new Error('no runApp')", true],
  ])('(%s) loads no network or terminal module', (_form, load, esm) => {
    const added = builtinsLoadedBy(load, esm);
    expect(added.filter((name) => HEAVY.includes(name))).toEqual([]);
  });

  it('(require) loads the modules of the exports it reads, when it reads them', () => {
    // The CommonJS entry loads a module on first use of one of its exports (.ci/lazy-cjs-index.mjs).
    const code = [
      "const rxrun = require('rxrun');",
      "const ours = () => Object.keys(require.cache).filter((f) => f.includes('/dist/cjs/')).map((f) => f.split('/dist/cjs/')[1]);",
      'const atRequire = ours();',
      'const { runApp } = rxrun;',
      'const withRunApp = ours();',
      'const missing = Object.keys(rxrun).filter((name) => rxrun[name] === undefined);',
      'process.stdout.write(JSON.stringify({ atRequire, withRunApp, all: ours(), names: Object.keys(rxrun).length, missing, runApp: typeof runApp }));',
    ].join('\n');
    const seen = JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: repoDir, encoding: 'utf8', timeout: 30_000 })) as {
      atRequire: string[]; withRunApp: string[]; all: string[]; names: number; missing: string[]; runApp: string;
    };
    expect(seen.atRequire).toEqual(['index.js']);
    expect(seen.runApp).toBe('function');
    expect(seen.withRunApp).toContain('core/runApp.js');
    const others = ['net/serve$.js', 'net/probes.js', 'timers/timer$.js', 'tasks/taskGroup.js', 'tasks/supervise.js', 'resources/resource$.js'];
    expect(seen.withRunApp.filter((file) => others.includes(file))).toEqual([]);
    // Every export is there once read (all of them were read above).
    expect(seen.names).toBeGreaterThan(20);
    expect(seen.missing).toEqual([]);
    expect(seen.all).toEqual(expect.arrayContaining(others));
  });

  it('is checked by a probe that does see such a module load', () => {
    // The same probe on code that does load one: the check above cannot pass by listing nothing.
    expect(builtinsLoadedBy("require('node:tty')", false)).toContain('tty');
  });
});
