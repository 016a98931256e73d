/**
 * The API reference and the guides (`npm run docs`, TypeDoc with typedoc.json) build without a single
 * warning: warnings are errors there, so a broken `{@link}`, a link to a type that is not exported, a
 * relative link or anchor in docs/*.md that leads nowhere, or an unknown TSDoc tag fails this test.
 * TypeDoc runs with `--emit none` (convert and validate, write nothing): about 7 s on an idle core.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

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
  expect(status).not.toBe(0);
}, 120_000);
