/**
 * An rxrun app stops itself when the IPC channel to its parent closes: the parent disconnected, or
 * died (SIGKILL) — no orphans. Real processes, real signals.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from '../process/fixtureChild';

afterEach(killAllChildren);

/** spec/processes/fixtures/parent.js, relative to startFixture's folder. */
const PARENT = path.relative(path.join(__dirname, '..', 'fixtures'), path.join(__dirname, 'fixtures', 'parent.js'));
/** Running (a zombie waiting for an init that does not reap is not running). */
const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

/** Polls until `pid` is no longer running, or `ms` passed (a bound, not a speed assertion). */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

test(
  'the parent disconnecting the channel stops the app gracefully (reason disconnect, exit 0)',
  async () => {
    const child = startFixture('app.js', ['ipc-wait'], { ipc: true });
    await child.waitForLine(/^ready pid=\d+$/);
    const exited = once(child.proc, 'exit');
    child.proc.disconnect();
    // 'exit', not 'close': Node never emits a ChildProcess's 'close' after a parent-side disconnect().
    expect(await exited).toEqual([0, null]);
    await child.waitForLine(/^outcome /);
    expect(child.stderr).toContain('rxrun: IPC channel to the parent closed; entering shutdown phase');
    expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'disconnect', errors: [] });
  },
  CHILD_TEST_TIMEOUT,
);

test(
  'an rxrun child forked by fork$ stops itself when its parent is SIGKILLed',
  async () => {
    const parent = startFixture(PARENT, ['rxrun']);
    const [, pid] = (await parent.waitForLine(/^child (\d+)$/)) as RegExpMatchArray;
    const childPid = Number(pid);
    parent.extraPids.push(childPid);
    await parent.waitForLine(/^ready$/);
    parent.signal('SIGKILL');
    // 'close' comes once every holder of the stdio pipes is gone: the child too (it inherited them).
    const exit = await parent.exited;
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
    // Its pipes close a moment before the process is gone: wait for that, within the 3 s the contract allows.
    expect(await goneWithin(childPid, 3000)).toBe(true);
    // The child said why it stopped (its stderr is the parent's, inherited).
    expect(parent.stderr).toContain('rxrun: IPC channel to the parent closed; entering shutdown phase');
    expect(parent.stderr).toMatch(/rxrun: stopped \(ok, IPC channel to the parent closed\)/);
  },
  CHILD_TEST_TIMEOUT,
);
