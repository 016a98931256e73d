import { listNames } from '../../lib/core/listNames';

describe('listNames', () => {
  it('lists names in order of first appearance, counting repeats', () => {
    expect(listNames(['save', 'serve$ api', 'save', 'save'])).toBe('save ×3, serve$ api');
    expect(listNames(['a'])).toBe('a');
    expect(listNames([])).toBe('');
  });

  it('lists at most `limit` different names, then counts the rest', () => {
    expect(listNames(['a', 'b', 'b', 'c', 'd'], { limit: 2 })).toBe('a, b ×2, … 2 more');
    expect(listNames(Array.from({ length: 1000 }, (_, i) => `job ${i}`))).toBe('job 0, job 1, job 2, job 3, job 4, job 5, job 6, job 7, job 8, job 9, … 990 more');
  });

  it('counts the items a bounded list left out (`total`)', () => {
    expect(listNames(['save', 'save'], { total: 5 })).toBe('save ×2, … 3 more');
    expect(listNames(['save', 'save'], { total: 2 })).toBe('save ×2');
  });
});
