// Regression (found in review), the defect it guards against: during abandon (phase already 'stopped') reportError() calls logger.error unguarded. If the
// logger throws while a task's teardown error is reported, the throw escapes Task.unsubscribe and cuts
// TaskRoot.tearDown short: later tasks are never torn down (the defect fixed for teardowns comes back
// through the logger), and abandon() throws to the unsubscriber.
import { Observable } from 'rxjs';
import { runApp$ } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

it('abandon tears down every task even when a teardown and the logger both throw', () => {
  const testScheduler = newScheduler();
  const tornDown: string[] = [];
  let escaped: unknown;
  testScheduler.run(() => {
    const subscription = runApp$(
      () => [
        new Observable(() => () => {
          tornDown.push('a');
          throw new Error('a: close failed');
        }),
        new Observable(() => () => void tornDown.push('b')),
      ],
      { process: createTestProcess(), logger: { error: () => { throw new Error('log sink down'); } } },
    ).subscribe();
    testScheduler.schedule(() => {
      try {
        subscription.unsubscribe();
      } catch (error) {
        escaped = error;
      }
    }, 2);
  });
  expect(tornDown).toEqual(['a', 'b']); // before the fix: ['a'] — task b leaks
  expect(escaped).toBeUndefined(); // before the fix: UnsubscriptionError('log sink down')
});
