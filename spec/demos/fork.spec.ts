import { readFileSync } from 'node:fs';
import { DemoProcess, killAllDemos, requireBuiltPackage } from './demoProcess';

const FORK = 'demos/fork/main.ts';

/** Running (a zombie waiting for an init that does not reap is not running). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls for at most `ms` (the contract's bound); true once `pid` is gone. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 100) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !alive(pid);
}

describe('demos/fork: a child process as a task', () => {
  beforeAll(requireBuiltPackage);
  afterEach(killAllDemos);

  it('prints `child <pid>` then `ready`; SIGTERM stops the child gracefully, then the parent exits by SIGTERM', async () => {
    const demo = new DemoProcess(FORK);
    const [, pid] = await demo.waitForLine('stdout', /^child (\d+)$/);
    await demo.waitForLine('stdout', /^ready$/);
    const childPid = Number(pid);
    expect(alive(childPid)).toBe(true);
    expect(demo.indexOf('stdout', /^child \d+$/)).toBeLessThan(demo.indexOf('stdout', /^ready$/));

    demo.send('SIGTERM');
    const exit = await demo.exited;

    expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
    expect(alive(childPid)).toBe(false);
    // The child stopped on the IPC message (gracefully, exit 0), before the parent finished.
    expect(demo.lines.stdout).toContain('child: stopping (message)');
    expect(demo.lines.stderr).toContainEqual(expect.stringMatching(/child process 'child' \(\d+\) exited \(code 0\)/));
    expect(demo.indexOf('stderr', /did not stop in time/)).toBe(-1);
    expect(demo.lines.stderr).toContainEqual(expect.stringMatching(/stopped \(ok, SIGTERM\)/));
  });

  it('SIGKILL of the parent leaves no child after 3 s', async () => {
    const demo = new DemoProcess(FORK);
    const [, pid] = await demo.waitForLine('stdout', /^child (\d+)$/);
    await demo.waitForLine('stdout', /^ready$/);
    const childPid = Number(pid);

    demo.send('SIGKILL');

    expect(await goneWithin(childPid, 3000)).toBe(true);
    expect(await demo.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(demo.lines.stdout).toContain('child: stopping (disconnect)');
  });
});
