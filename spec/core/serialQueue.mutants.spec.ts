// The serial queue on its own (internal): one action at a time, in order, freed by a throw (issue 9).
import { createSerialQueue } from '../../lib/core/serialQueue';

describe('serialQueue', () => {
  it('runs an action given while another runs after it, not inside it', () => {
    const run = createSerialQueue();
    const order: string[] = [];
    run(() => {
      order.push('a start');
      run(() => order.push('b'));
      order.push('a end');
    });
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  it('runs each later action at once when nothing runs', () => {
    const run = createSerialQueue();
    const order: string[] = [];
    run(() => order.push('a'));
    expect(order).toEqual(['a']);
    run(() => order.push('b'));
    run(() => order.push('c'));
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('is freed by an action that throws: what was queued behind it runs at the next action', () => {
    const run = createSerialQueue();
    const order: string[] = [];
    const boom = new Error('boom');
    expect(() =>
      run(() => {
        run(() => order.push('queued'));
        throw boom;
      }),
    ).toThrow(boom);
    expect(order).toEqual([]);
    run(() => order.push('next'));
    expect(order).toEqual(['queued', 'next']);
  });
});
