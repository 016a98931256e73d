import { takeUntil } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { fromAbortSignal } from 'rxrun';
import { newScheduler } from '../support/lifecycle';

describe('fromAbortSignal', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('emits the reason when the signal aborts, then completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const controller = new AbortController();
      cold('----a').subscribe(() => controller.abort('bye'));
      expectObservable(fromAbortSignal(controller.signal)).toBe('----(r|)', { r: 'bye' });
    });
  });

  it('emits synchronously on subscribe when already aborted', () => {
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    const seen: unknown[] = [];
    let completed = false;
    fromAbortSignal(controller.signal).subscribe({ next: (value) => seen.push(value), complete: () => (completed = true) });
    expect(seen).toEqual([reason]);
    expect(completed).toBe(true);
  });

  it('works as a takeUntil notifier', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const controller = new AbortController();
      const source = hot('--a--b--c--d--');
      const sourceSubs = '^------!       ';
      const expected = '  --a--b-|       ';
      cold('-------a').subscribe(() => controller.abort());
      expectObservable(source.pipe(takeUntil(fromAbortSignal(controller.signal)))).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('removes its abort listener on unsubscribe', () => {
    const controller = new AbortController();
    const added = jest.spyOn(controller.signal, 'addEventListener');
    const removed = jest.spyOn(controller.signal, 'removeEventListener');
    const seen: unknown[] = [];
    const subscription = fromAbortSignal(controller.signal).subscribe((value) => seen.push(value));
    expect(added).toHaveBeenCalledTimes(1);
    subscription.unsubscribe();
    expect(removed).toHaveBeenCalledTimes(1);
    expect(removed.mock.calls[0]?.[1]).toBe(added.mock.calls[0]?.[1]);
    controller.abort('late');
    expect(seen).toEqual([]);
  });
});
