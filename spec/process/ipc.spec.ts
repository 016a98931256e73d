/**
 * The IPC shutdown message in real child processes started with an IPC channel: `{type:'shutdown'}`
 * and `'shutdown'` stop the app gracefully, and the channel never keeps a stopped app's process alive.
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

afterEach(killAllChildren);

test.each([
  ["{ type: 'shutdown' }", { type: 'shutdown' }],
  ["'shutdown'", 'shutdown'],
] as const)(
  'child.send(%s) stops the app gracefully; exit 0',
  async (_label, message) => {
    const child = startFixture('app.js', ['ipc-wait'], { ipc: true });
    await child.waitForLine(/^ready pid=\d+$/);
    child.proc.send(message);
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.stderr).toContain('rxrun: IPC shutdown message; entering shutdown phase');
    expect(child.stderr).toContain('rxrun: cancelling 2 tasks');
    expect(child.stderr).toContain('rxrun: waiting for 1 protected task: save');
    expect(child.stderr).toContain('rxrun: stopped (ok, IPC shutdown message)');
    expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'message', errors: [], openHandles: [] });
  },
  CHILD_TEST_TIMEOUT,
);

test(
  'other IPC messages are not shutdown requests',
  async () => {
    const child = startFixture('app.js', ['ipc-wait'], { ipc: true });
    await child.waitForLine(/^ready pid=\d+$/);
    child.proc.send({ type: 'reload' });
    child.proc.send('hello');
    child.proc.send({ type: 'shutdown' });
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Only one request: the shutdown message (messages arrive in order).
    expect(child.stdoutLines().filter((line) => line.startsWith('event shutdown-requested'))).toEqual([
      'event shutdown-requested message first=true',
    ]);
  },
  CHILD_TEST_TIMEOUT,
);

test(
  'runApp: an app that stops by itself exits (0) although the parent keeps the IPC channel open',
  async () => {
    const child = startFixture('app.js', ['stop-graceful'], { ipc: true });
    const exit = await child.exited;
    expect(child.proc.connected).toBe(false);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'stop' });
  },
  CHILD_TEST_TIMEOUT,
);

test(
  'runApp$ (which never exits the process): once the app stopped, the open IPC channel does not keep the process alive',
  async () => {
    // The parent never disconnects; if rxrun left the channel ref'd, the child would never end
    // (and this test would hit its timeout).
    const child = startFixture('app.js', ['ipc-runApp$-self-stop'], { ipc: true });
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.stdoutLines()).toContain('natural exit 0');
    expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'stop', openHandles: [] });
  },
  CHILD_TEST_TIMEOUT,
);
