// fromAbortSignal's details (issue 9): what it refuses, and no listener left behind.
import { getEventListeners } from 'node:events';
import { fromAbortSignal } from 'rxrun';

describe('fromAbortSignal (mutants)', () => {
  it("refuses an object without a boolean 'aborted'", () => {
    const notASignal = { addEventListener: () => undefined, removeEventListener: () => undefined };
    expect(() => fromAbortSignal(notASignal as unknown as AbortSignal)).toThrow(new TypeError("fromAbortSignal: 'signal' must be an AbortSignal"));
    expect(() => fromAbortSignal({ ...notASignal, aborted: 'no' } as unknown as AbortSignal)).toThrow(TypeError);
  });

  it('leaves no abort listener on the signal once unsubscribed', () => {
    const controller = new AbortController();
    const subscription = fromAbortSignal(controller.signal).subscribe();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    subscription.unsubscribe();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('leaves no abort listener on the signal once it aborted', () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    fromAbortSignal(controller.signal).subscribe((reason) => seen.push(reason));
    controller.abort('bye');
    expect(seen).toEqual(['bye']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
