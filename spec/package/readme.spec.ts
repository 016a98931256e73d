/**
 * The marble-test example of the testing guide (docs/testing.md; the README's until the README was
 * cut down to one example) is this file's first test, verbatim: it runs here, and the last test
 * fails if the guide's copy drifts from it. spec/package/samples.spec.ts checks every other sample.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
// readme-example:start
import { interval, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { shutdownWaitsFor } from 'rxrun';
import { runTestApp } from 'rxrun/testing';

test('SIGTERM at frame 10: hook, protected work, finalizer, then exit status 143', () => {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ expectObservable }) => {
    const app = runTestApp((ctx) => {
      ctx.onShutdown(() => timer(3), { name: 'flush' }); // stopping: frames 10 → 13
      ctx.defer(() => timer(1), { name: 'close-db' }); // finalizing: frames 15 → 16
      return [interval(4), timer(15).pipe(shutdownWaitsFor(ctx, { name: 'save' }))]; // save ends at 15
    });
    app.port.signal('SIGTERM', 10);

    expectObservable(app.phases$).toBe('(ab) 6ms c 2ms d-e(f|)', {
      a: 'starting', b: 'running', c: 'stopping', d: 'draining', e: 'finalizing', f: 'stopped',
    });
    expectObservable(app.exitCode$).toBe('16ms (x|)', { x: 143 });
  });
});
// readme-example:end

test("the testing guide shows this file's marble example verbatim", () => {
  const source = readFileSync(__filename, 'utf8');
  const example = /\/\/ readme-example:start\n([\s\S]*?)\/\/ readme-example:end\n/.exec(source)?.[1];
  expect(example).toBeDefined();
  const readme = readFileSync(path.join(__dirname, '..', '..', 'docs', 'testing.md'), 'utf8');
  expect(readme).toContain('```ts\n' + (example ?? '') + '```\n');
});

test("the README's Quick start gives two commands, and CI (.ci/run) runs its test command verbatim", () => {
  const root = path.join(__dirname, '..', '..');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const quickStart = /\n## Quick start\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const commands = [...quickStart.matchAll(/```sh\n([^\n]+)\n```/g)].map((match) => match[1]);
  expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  const ci = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
  // The run whose log is counted first: `(npm ci && npm test) 2>&1 | tee "$log"`.
  expect(ci).toContain(`(${commands[1] ?? ''}) 2>&1 | tee "$log"`);
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(scripts['start']).toContain('demos/flagship/main.ts');
  expect(scripts['pretest']).toBe('npm run build');
});
