/**
 * The API reference and the guides (`npm run docs`, TypeDoc with typedoc.json) build without a single
 * warning: warnings are errors there, so a broken `{@link}`, a link to a type that is not exported, a
 * relative link or anchor in docs/*.md that leads nowhere, or an unknown TSDoc tag fails this test.
 * TypeDoc runs with `--emit none` (convert and validate, write nothing): about 7 s on an idle core.
 *
 * TypeDoc validates only the comments it documents: those of what `rxrun` and `rxrun/testing` export.
 * A `{@link missing$}` in the TSDoc of an internal helper (exported from its file, not from the entry
 * points — many of them end in `$`) passed it unreported; the `$` itself is not the cause (TypeDoc
 * reports `{@link missing$}` in a public comment like any other name, which the fixture's second link
 * checks). So every comment in lib/ is also checked with the TypeScript checker (brokenTsdocLinks).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { brokenTsdocLinks } from './brokenTsdocLinks';

const ROOT = path.join(__dirname, '..', '..');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

function typedoc(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [TYPEDOC, '--emit', 'none', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('TypeDoc builds the API reference and the guides with no warning', () => {
  const { status, output } = typedoc();
  expect(output).not.toMatch(/\[warning\]|\[error\]/);
  expect(status).toBe(0);
}, 120_000);

test('the check is live: a TSDoc link to nothing fails the TypeDoc run', () => {
  const { status, output } = typedoc('--options', 'spec/fixtures/docs/typedoc.json');
  expect(output).toContain('Failed to resolve link to "noSuchExport"');
  expect(output).toContain('Failed to resolve link to "noSuchExport$"');
  expect(status).not.toBe(0);
}, 120_000);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

test('every {@link} in the TSDoc of lib/, public or internal, names something in scope or exported by rxrun', () => {
  const entryPoints = [path.join(ROOT, 'lib', 'index.ts'), path.join(ROOT, 'lib', 'testing', 'index.ts')];
  expect(brokenTsdocLinks(tsFiles(path.join(ROOT, 'lib')), path.join(ROOT, 'tsconfig.json'), ROOT, entryPoints)).toEqual([]);
}, 120_000);

test('the lib/ link check is live: it names the broken links of an internal helper, with and without `$`', () => {
  const fixture = path.join(ROOT, 'spec', 'fixtures', 'docs', 'internalBrokenLink.ts');
  expect(brokenTsdocLinks([fixture], path.join(ROOT, 'tsconfig.json'), ROOT)).toEqual([
    { at: 'spec/fixtures/docs/internalBrokenLink.ts:3', target: 'missing$' },
    { at: 'spec/fixtures/docs/internalBrokenLink.ts:4', target: 'missingToo' },
    { at: 'spec/fixtures/docs/internalBrokenLink.ts:4', target: 'helper$.nope' },
  ]);
}, 120_000);
