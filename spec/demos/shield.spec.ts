import { DemoProcess, expectInOrder, killAllDemos, requireBuiltPackage } from './demoProcess';

const SHIELD = 'demos/shield/main.ts';

describe('demos/shield: the protected countdown', () => {
  beforeAll(requireBuiltPackage);
  afterEach(killAllDemos);

  it('on SIGINT prints the "cancelled" line at once, still finishes the countdown, then exits by the signal', async () => {
    const demo = new DemoProcess(SHIELD, { env: { COUNTDOWN_SECONDS: '3' } });
    await demo.waitForLine('stdout', /^countdown: 2 s left$/);
    demo.send('SIGINT');

    const exit = await demo.exited;

    expect(exit).toEqual({ code: null, signal: 'SIGINT' });
    // The downstream subscriber is cancelled before the protected countdown ends…
    expectInOrder(demo.lines.stdout, [/^countdown: 2 s left$/, /cancelled/, /^countdown: 0$/, /^done!$/]);
    // …and the app waited for it: the protected work was pending, then the app stopped gracefully.
    expectInOrder(demo.lines.stderr, [
      /SIGINT; entering shutdown phase/,
      /waiting for 1 protected task: countdown/,
      /stopped \(ok, SIGINT\).*Bye!/,
    ]);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
  });

  it('without a signal counts down, prints "done!" and exits 0 with nothing cancelled', async () => {
    const demo = new DemoProcess(SHIELD, { env: { COUNTDOWN_SECONDS: '1' } });

    const exit = await demo.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expectInOrder(demo.lines.stdout, [/^countdown: 0$/, /^done!$/]);
    expect(demo.indexOf('stdout', /cancelled/)).toBe(-1);
    expect(demo.indexOf('stderr', /stopped \(ok, main completed\)/)).toBeGreaterThanOrEqual(0);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
  });
});
