import { TestScheduler } from 'rxjs/testing';
import { timer$, type TimerPolicy } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

// The diagram in TimerPolicy's TSDoc and in the README, checked frame by frame.
const DIAGRAM: Record<TimerPolicy, string> = {
  accumulate: 'a---a-b-a-b-a-b-a-b-a-',
  cancel: '    a---a---a---a---a---a-',
  skip: '      a-----b-a-----b-a-----',
  queue: '     a-----ba-----ba-----ba',
};

describe('timer$ policies side by side (the documented diagram)', () => {
  it.each(Object.keys(DIAGRAM) as TimerPolicy[])("policy '%s'", (policy) => {
    const testScheduler: TestScheduler = newScheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const work = cold('a-----b|');
      expectObservable(timer$(4, () => work, { policy }), '^ 21ms !').toBe(DIAGRAM[policy]);
    });
  });
});
