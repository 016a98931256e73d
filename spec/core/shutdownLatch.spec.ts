import { createShutdownLatch } from '../../lib/core/shutdownLatch';

describe('createShutdownLatch', () => {
  it('has no reason, time or budget cap before the first request', () => {
    const latch = createShutdownLatch(1000);
    expect(latch.reason).toBeUndefined();
    expect(latch.requestedAt).toBe(0);
    expect(latch.laterReasons).toEqual([]);
    expect(latch.remaining(50)).toBe(Infinity);
  });

  it('latches the first request with its time and keeps later ones in order', () => {
    const latch = createShutdownLatch(1000);
    expect(latch.request({ kind: 'signal', signal: 'SIGTERM' }, 30)).toBe(true);
    expect(latch.request({ kind: 'stop' }, 40)).toBe(false);
    expect(latch.request({ kind: 'signal', signal: 'SIGINT' }, 50)).toBe(false);
    expect(latch.reason).toEqual({ kind: 'signal', signal: 'SIGTERM' });
    expect(latch.requestedAt).toBe(30);
    expect(latch.laterReasons).toEqual([{ kind: 'stop' }, { kind: 'signal', signal: 'SIGINT' }]);
  });

  it('counts the budget from the first request and never below zero', () => {
    const latch = createShutdownLatch(1000);
    latch.request({ kind: 'stop' }, 200);
    latch.request({ kind: 'stop' }, 700);
    expect(latch.remaining(200)).toBe(1000);
    expect(latch.remaining(950)).toBe(250);
    expect(latch.remaining(1200)).toBe(0);
    expect(latch.remaining(5000)).toBe(0);
  });
});
