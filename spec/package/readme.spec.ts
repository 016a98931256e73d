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
