import { DemoProcess, expectInOrder, killAllDemos, requireBuiltPackage } from './demoProcess';

const SUPERVISOR = 'demos/supervisor/main.ts';

describe('demos/supervisor: a flaky worker restarted with backoff', () => {
  beforeAll(requireBuiltPackage);
  afterEach(killAllDemos);

  it('restarts the flaky worker with growing delays while the steady one runs on, then stops and exits 0', async () => {
    const demo = new DemoProcess(SUPERVISOR, { env: { DEMO_SECONDS: '5' } });

    const exit = await demo.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expectInOrder(demo.lines.stdout, [
      /^flaky: run 1 connected$/,
      /^supervisor: restart #1 of flaky in 200 ms \(run 1: connection lost\)$/,
      /^flaky: run 2 connected$/,
      /^supervisor: restart #2 of flaky in 400 ms \(run 2: connection lost\)$/,
      /^flaky: run 3 connected$/,
    ]);
    // The sibling was not disturbed by the restarts: it kept working after them.
    expectInOrder(demo.lines.stdout, [/restart #2 of flaky/, /^steady: job \d+$/]);
    expect(demo.indexOf('stdout', /gave up|group: .* failed/)).toBe(-1);
    expectInOrder(demo.lines.stderr, [/restarting 'flaky' in 200 ms \(restart 1\)/, /stopped \(ok, app\.stop\(demo time is up\)\).*Bye!/]);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
  });

  it('with DEMO_GIVE_UP=1 gives up after 3 restarts, fails the group and exits 1', async () => {
    const demo = new DemoProcess(SUPERVISOR, { env: { DEMO_SECONDS: '600', DEMO_GIVE_UP: '1' } });

    const exit = await demo.exited;

    expect(exit).toEqual({ code: 1, signal: null });
    expectInOrder(demo.lines.stdout, [
      /^supervisor: restart #1 of flaky in 200 ms/,
      /^supervisor: restart #2 of flaky in 400 ms/,
      /^supervisor: restart #3 of flaky in 800 ms/,
      /^supervisor: gave up on flaky after 3 restarts$/,
      /^group: flaky failed$/,
      /^group: steady cancelled$/,
    ]);
    expectInOrder(demo.lines.stderr, [/gave up restarting 'flaky' after 3 restarts/, /stopped \(error, .*SupervisorGaveUpError/]);
  });
});
