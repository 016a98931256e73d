import { DemoProcess, killAllDemos, requireBuiltPackage } from './demoProcess';

const TIMERS = 'demos/timers/main.ts';

describe('demos/timers: the four policies side by side', () => {
  beforeAll(requireBuiltPackage);
  afterEach(killAllDemos);

  it('prints a timeline row per policy that shows how they differ, stops itself and exits 0', async () => {
    const demo = new DemoProcess(TIMERS, { env: { DEMO_SECONDS: '1.5' } });

    const exit = await demo.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    const row = (policy: string) => {
      const line = demo.lines.stdout.find((l) => l.startsWith(policy.padEnd(12)));
      if (line === undefined) throw new Error(`no ${policy} row in:\n${demo.transcript()}`);
      return line.slice(12);
    };
    const summary = (policy: string) => {
      const line = demo.lines.stdout.find((l) => l.startsWith(`${policy}:`));
      const match = line?.match(/started (\d+), completed (\d+), cancelled (\d+), skipped (\d+), dropped (\d+), at most (\d+) at once/);
      if (!match) throw new Error(`no ${policy} summary in:\n${demo.transcript()}`);
      const [started, completed, cancelled, skipped, dropped, most] = match.slice(1).map(Number);
      return { started, completed, cancelled, skipped, dropped, most };
    };

    // 30 columns of 50 ms for 1.5 s
    for (const policy of ['accumulate', 'cancel', 'skip', 'queue']) expect(row(policy)).toHaveLength(30);
    // accumulate: ticks overlap (3 at once), nothing cancelled, skipped or dropped
    expect(row('accumulate')).toMatch(/3/);
    expect(row('accumulate')).not.toMatch(/[xso]/);
    expect(summary('accumulate')).toMatchObject({ cancelled: 0, skipped: 0, dropped: 0 });
    expect(summary('accumulate').most).toBeGreaterThanOrEqual(3);
    expect(summary('accumulate').completed).toBeGreaterThan(0);
    // cancel: every running tick is cancelled by the next one; none completes
    expect(row('cancel').replace(/[^x]/g, '').length).toBeGreaterThanOrEqual(5);
    expect(row('cancel')).not.toMatch(/[so2-9]/);
    expect(summary('cancel')).toMatchObject({ completed: 0, skipped: 0, dropped: 0, most: 1 });
    expect(summary('cancel').cancelled).toBeGreaterThan(5);
    // skip: due ticks are skipped while one runs, never more than one at once
    expect(row('skip')).toMatch(/s/);
    expect(row('skip')).not.toMatch(/[xo2-9]/);
    expect(summary('skip')).toMatchObject({ cancelled: 0, dropped: 0, most: 1 });
    expect(summary('skip').skipped).toBeGreaterThan(0);
    // queue: one at a time, the queue fills up and drops ticks
    expect(row('queue')).toMatch(/o/);
    expect(row('queue')).not.toMatch(/[xs2-9]/);
    expect(summary('queue')).toMatchObject({ cancelled: 0, skipped: 0, most: 1 });
    expect(summary('queue').dropped).toBeGreaterThan(0);
    expect(demo.indexOf('stderr', /stopped \(ok, app\.stop\(DEMO_SECONDS=1\.5 elapsed\)\)/)).toBeGreaterThanOrEqual(0);
  });
});
