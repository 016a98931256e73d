/**
 * `npm run demo -- <name>` (.ci/demo.mjs) lists the demos and exits 2 when the name is unknown,
 * before building anything.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('npm run demo -- nope: names the mistake, lists every demo folder, exits 2', () => {
  const result = spawnSync('npm', ['run', '--silent', 'demo', '--', 'nope'], { cwd: ROOT, encoding: 'utf8' });
  expect(result.stderr).toContain("no demo named 'nope'");
  expect(result.stdout).toContain('usage: npm run demo -- <name>');
  for (const folder of readdirSync(path.join(ROOT, 'demos'))) expect(result.stdout).toMatch(new RegExp(`^  ${folder} `, 'm'));
  expect(result.stdout).not.toContain('npm run build');
  expect(result.status).toBe(2);
}, 60_000);
