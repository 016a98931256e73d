import { TaskList } from '../../lib/core/TaskList.js';

describe('TaskList', () => {
  it('keeps names in start order through adds and deletes anywhere in the list', () => {
    const list = new TaskList();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => list.add(name));
    expect(list.names()).toEqual(['a', 'b', 'c', 'd']);
    expect(list.delete(b!)).toBe(true);
    expect(list.delete(b!)).toBe(false);
    expect(list.delete(a!)).toBe(true);
    expect(list.delete(d!)).toBe(true);
    expect([...list.values()]).toEqual(['c']);
    expect(list.size).toBe(1);
    list.add('e');
    expect(list.names()).toEqual(['c', 'e']);
    expect(list.delete(c!)).toBe(true);
    expect(list.names()).toEqual(['e']);
  });

  it('clear() empties the list and later deletes of old entries are no-ops', () => {
    const list = new TaskList();
    const a = list.add('a');
    list.add('b');
    list.clear();
    expect(list.size).toBe(0);
    expect(list.names()).toEqual([]);
    expect(list.delete(a)).toBe(false);
    list.add('c');
    expect([...list.values()]).toEqual(['c']);
  });
});
