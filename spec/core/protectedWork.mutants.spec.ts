// The protected-work registry on its own (internal): what mutation testing asks of it (issue 9) —
// done() once, the idle signal that cannot be missed, names in order and capped, cut-off errors routed.
import { createProtectedWork } from '../../lib/core/protectedWork';

function idleCount(work: ReturnType<typeof createProtectedWork>) {
  const seen = { completed: 0 };
  const subscription = work.whenIdle().subscribe({ complete: () => (seen.completed += 1) });
  return { seen, subscription };
}

describe('protectedWork', () => {
  it('is idle at once when nothing is registered', () => {
    const { seen } = idleCount(createProtectedWork());
    expect(seen.completed).toBe(1);
  });

  it('signals idle when the last work is done, not before; a second done() does nothing', () => {
    const work = createProtectedWork();
    const a = work.protect('a', () => undefined);
    const b = work.protect('b', () => undefined);
    const { seen } = idleCount(work);
    expect(seen.completed).toBe(0);
    a.done();
    expect(seen.completed).toBe(0);
    expect(work.size).toBe(1);
    a.done(); // once only: it must not count as b's end
    expect(work.size).toBe(1);
    expect(seen.completed).toBe(0);
    b.done();
    expect(seen.completed).toBe(1);
    expect(work.size).toBe(0);
  });

  it('a waiter that unsubscribed is not told', () => {
    const work = createProtectedWork();
    const a = work.protect('a', () => undefined);
    const { seen, subscription } = idleCount(work);
    subscription.unsubscribe();
    a.done();
    expect(seen.completed).toBe(0);
  });

  it('tells every waiter, and a waiter may register new work without losing the others', () => {
    const work = createProtectedWork();
    const a = work.protect('a', () => undefined);
    const order: string[] = [];
    work.whenIdle().subscribe({ complete: () => order.push('first') });
    work.whenIdle().subscribe({ complete: () => order.push('second') });
    a.done();
    expect(order).toEqual(['first', 'second']);
  });

  it('names the work in registration order, at most `limit`', () => {
    const work = createProtectedWork();
    work.protect('a', () => undefined);
    const b = work.protect('b', () => undefined);
    work.protect('c', () => undefined);
    expect(work.names()).toEqual(['a', 'b', 'c']);
    expect(work.names(2)).toEqual(['a', 'b']);
    expect(work.names(0)).toEqual([]);
    b.done();
    expect(work.names()).toEqual(['a', 'c']);
  });

  it('cutOffAll cuts every work off, empties the registry, and routes each throw to onError', () => {
    const work = createProtectedWork();
    const cut: string[] = [];
    const boom = new Error('boom');
    work.protect('a', () => cut.push('a'));
    work.protect('b', () => {
      cut.push('b');
      throw boom;
    });
    work.protect('c', () => cut.push('c'));
    const errors: unknown[] = [];
    work.cutOffAll((error) => errors.push(error));
    expect(cut).toEqual(['a', 'b', 'c']);
    expect(errors).toEqual([boom]);
    expect(work.size).toBe(0);
    expect(work.names()).toEqual([]);
    // Cut off work is no longer pending: nothing to wait for.
    expect(idleCount(work).seen.completed).toBe(1);
  });

  it('work ended after a cut-off does not signal idle again', () => {
    const work = createProtectedWork();
    const a = work.protect('a', () => undefined);
    work.cutOffAll(() => undefined);
    const c = work.protect('c', () => undefined);
    const { seen } = idleCount(work);
    a.done(); // already cut off
    expect(seen.completed).toBe(0);
    c.done();
    expect(seen.completed).toBe(1);
  });
});
