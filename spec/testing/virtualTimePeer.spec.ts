/**
 * `@sinonjs/fake-timers` is an optional peer dependency of `rxrun/testing` only: `rxrun` never loads
 * it, `rxrun/testing` loads it on the first `withVirtualTime`, and without it that call fails with an
 * error naming the package to install. Checked in child processes against a CommonJS build of lib/
 * (compiled here, so the test never depends on a stale dist/) installed as `node_modules/rxrun` in two
 * throwaway projects: one with fake-timers installed, one without.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repoDir = path.resolve(__dirname, '..', '..');
let workDir = '';

/** A project whose node_modules holds rxrun (the build), rxjs and, if asked, @sinonjs/fake-timers (links to ours). */
function makeProject(name: string, withFakeTimers: boolean, build: string): string {
  const dir = path.join(workDir, name);
  const modules = path.join(dir, 'node_modules');
  mkdirSync(path.join(modules, 'rxrun', 'dist'), { recursive: true });
  cpSync(build, path.join(modules, 'rxrun', 'dist', 'cjs'), { recursive: true });
  writeFileSync(path.join(modules, 'rxrun', 'package.json'), readFileSync(path.join(repoDir, 'package.json')));
  symlinkSync(path.join(repoDir, 'node_modules', 'rxjs'), path.join(modules, 'rxjs'), 'dir');
  if (withFakeTimers) {
    mkdirSync(path.join(modules, '@sinonjs'));
    symlinkSync(path.join(repoDir, 'node_modules', '@sinonjs', 'fake-timers'), path.join(modules, '@sinonjs', 'fake-timers'), 'dir');
  }
  return dir;
}

/** Runs a CommonJS script in a project; returns what it printed on stdout. */
function runScript(dir: string, script: string): string {
  const file = path.join(dir, 'check.js');
  writeFileSync(file, script);
  return execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } });
}

const LOADED = `const loaded = () => Object.keys(require.cache).filter((file) => file.includes('fake-timers')).length;\n`;

let withPeer = '';
let withoutPeer = '';

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rxrun-peer-'));
  const build = path.join(workDir, 'build');
  execFileSync(process.execPath, [path.join(repoDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(repoDir, 'tsconfig.build.json'), '--outDir', build, '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: repoDir,
    encoding: 'utf8',
    timeout: 180_000,
  });
  withPeer = makeProject('with-peer', true, build);
  withoutPeer = makeProject('without-peer', false, build);
}, 200_000);

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('@sinonjs/fake-timers is an optional peer of rxrun/testing only', () => {
  it("is in package.json's peerDependencies, marked optional, beside rxjs", () => {
    const pkg = JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['@sinonjs/fake-timers', 'rxjs']);
    expect(pkg.peerDependenciesMeta).toEqual({ '@sinonjs/fake-timers': { optional: true } });
    expect(pkg.dependencies).toBeUndefined();
  });

  it("require('rxrun') and require('rxrun/testing') never load it; the first withVirtualTime does", () => {
    const output = runScript(
      withPeer,
      LOADED +
        `require('rxrun');\n` +
        `const afterMain = loaded();\n` +
        `const { withVirtualTime } = require('rxrun/testing');\n` +
        `const afterTesting = loaded();\n` +
        `withVirtualTime(async (clock) => { await clock.advance(60000); return Date.now(); })\n` +
        `  .then((now) => console.log(JSON.stringify({ afterMain, afterTesting, afterUse: loaded(), now })));\n`,
    );
    const result = JSON.parse(output);
    expect(result).toMatchObject({ afterMain: 0, afterTesting: 0, now: 60000 });
    expect(result.afterUse).toBeGreaterThan(0);
  });

  it('without it, rxrun/testing still loads, and withVirtualTime rejects naming the package to install', () => {
    const output = runScript(
      withoutPeer,
      `const { runTestApp, withVirtualTime } = require('rxrun/testing');\n` +
        `console.log(typeof runTestApp);\n` +
        `withVirtualTime(() => 1).then(() => console.log('resolved'), (error) => console.log(error.message));\n`,
    );
    expect(output).toBe(
      'function\n' +
        'withVirtualTime: virtual time needs the optional peer dependency @sinonjs/fake-timers, which is not installed; ' +
        'install it with: npm install --save-dev @sinonjs/fake-timers\n',
    );
  });
});
