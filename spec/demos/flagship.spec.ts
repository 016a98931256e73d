import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DemoProcess, expectInOrder, killAllDemos, requireBuiltPackage } from './demoProcess';

const FLAGSHIP = 'demos/flagship/main.ts';

describe('demos/flagship: the `npm start` demo', () => {
  let dir: string;
  let resultsFile: string;

  beforeAll(requireBuiltPackage);
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rxrun-flagship-spec-'));
    resultsFile = path.join(dir, 'results.log');
  });
  afterEach(async () => {
    await killAllDemos();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on SIGINT during a protected write shows every shutdown phase, completes the write, and exits by the signal', async () => {
    const demo = new DemoProcess(FLAGSHIP, { env: { DEMO_RESULTS_FILE: resultsFile, DEMO_SECONDS: '600' } });
    await demo.waitForLine('stdout', /press Ctrl-C/);
    const [, jobId] = await demo.waitForLine('stdout', /^job (\d+): writing result \(protected\)$/);
    demo.send('SIGINT');

    const exit = await demo.exited;

    expect(exit).toEqual({ code: null, signal: 'SIGINT' });
    expectInOrder(demo.lines.stderr, [
      /SIGINT; entering shutdown phase/,
      /cancelling 3 tasks/,
      new RegExp(`waiting for 1 protected task: save job ${jobId}$`),
      /running 1 finalizer/,
      /stopped \(ok, SIGINT\).*Bye!/,
    ]);
    expect(demo.indexOf('stderr', /handles left open/)).toBe(-1);
    expectInOrder(demo.lines.stdout, [
      /^hook: service marked not ready/,
      new RegExp(`^job ${jobId}: saved`),
      /^finalizer: closed /,
    ]);
    // The write that SIGINT interrupted is whole, and so is every line before it.
    const written = readFileSync(resultsFile, 'utf8');
    expect(written.endsWith('\n')).toBe(true);
    for (const line of written.trimEnd().split('\n')) expect(line).toMatch(/^job \d+: result=\d+ ok$/);
    const id = Number(jobId);
    expect(written).toContain(`job ${id}: result=${id * id} ok\n`);
  });

  it('stops by itself after DEMO_SECONDS and exits 0', async () => {
    const demo = new DemoProcess(FLAGSHIP, { env: { DEMO_RESULTS_FILE: resultsFile, DEMO_SECONDS: '1' } });

    const exit = await demo.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    expectInOrder(demo.lines.stderr, [
      /app\.stop\(DEMO_SECONDS=1 elapsed\); entering shutdown phase/,
      /stopped \(ok, app\.stop\(DEMO_SECONDS=1 elapsed\)\).*Bye!/,
    ]);
    expect(demo.indexOf('stdout', /^finalizer: closed /)).toBeGreaterThanOrEqual(0);
  });
});
