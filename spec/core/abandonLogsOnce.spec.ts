// A teardown error while the app is abandoned has no outcome to land in: it is logged, exactly once.
import { Observable } from 'rxjs';
import { runApp$ } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';

it('logs a teardown error raised while abandoning exactly once', () => {
  const lines: string[] = [];
  const subscription = runApp$(
    () =>
      new Observable(() => () => {
        throw new Error('socket close failed');
      }),
    { process: createTestProcess(), logger: { error: (line) => lines.push(line) } },
  ).subscribe();
  subscription.unsubscribe();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^rxrun: teardown error while the app stopped: Error: socket close failed/);
});
