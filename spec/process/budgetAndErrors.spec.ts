/**
 * In real child processes: a budget overrun ends the process and names what it cut off; handles the
 * user leaked never keep a stopped app's process alive and are named; uncaughtException and
 * unhandledRejection follow the default 'shutdown' policy (graceful shutdown, exit 1).
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

afterEach(killAllChildren);

test(
  'budget exceeded while draining: the hour-long protected task is cut off and named, the finalizer skipped, the process exits 1',
  async () => {
    const child = startFixture('app.js', ['stop-budget']);
    const exit = await child.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(child.stderr).toContain('rxrun: waiting for 1 protected task: hour-long-save');
    expect(child.stderr).toMatch(
      /rxrun: shutdown budget exceeded in phase draining; cut off: finalizer 'close-db' \(skipped\), protected 'hour-long-save' \(running\)/,
    );
    expect(child.stderr).toContain('rxrun: stopped (timeout, app.stop(done))');
    const outcome = child.outcome();
    expect(outcome.status).toBe('timeout');
    expect(outcome.report).toMatchObject({
      cause: 'timeout',
      phase: 'draining',
      pending: [
        { kind: 'finalizer', name: 'close-db', state: 'skipped' },
        { kind: 'protected', name: 'hour-long-save', state: 'running' },
      ],
    });
    // The hour-long timer was cut off with the protected work: it is not left open.
    expect(outcome.openHandles).toEqual([]);
  },
  CHILD_TEST_TIMEOUT,
);

test(
  'a leaked setInterval and a listening server never closed: the stopped app still exits (0) and names the handle types',
  async () => {
    const child = startFixture('app.js', ['stop-leak']);
    const exit = await child.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.stderr).toMatch(/rxrun: handles left open by the app: (?=.*TCPServerWrap)(?=.*Timeout)/);
    expect(child.stderr).toContain('rxrun: stopped (ok, app.stop(done))');
    const outcome = child.outcome();
    expect(outcome.status).toBe('ok');
    expect([...outcome.openHandles].sort()).toEqual(['TCPServerWrap', 'Timeout']);
  },
  CHILD_TEST_TIMEOUT,
);

test.each([
  ['uncaught', 'uncaughtException', 'boom from a callback'],
  ['unhandled', 'unhandledRejection', 'nobody handles this'],
])(
  "%s: under the default policy ('shutdown') the %s starts a graceful shutdown and the process exits 1",
  async (scenario, source, message) => {
    const child = startFixture('app.js', [scenario]);
    const exit = await child.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = child.stderr;
    const failed = lines.indexOf(`rxrun: ${source} failed: Error: ${message}`);
    const entering = lines.indexOf(`rxrun: error: Error: ${message}; entering shutdown phase`);
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(entering).toBeGreaterThan(failed);
    // Graceful: tasks cancelled, protected work awaited, finalizers run.
    expect(lines.indexOf('rxrun: cancelling 2 tasks')).toBeGreaterThan(entering);
    expect(lines).toContain('rxrun: waiting for 1 protected task: save');
    expect(lines).toContain('rxrun: running 1 finalizer');
    expect(lines).toContain(`rxrun: stopped (error, error: Error: ${message})`);
    const outcome = child.outcome();
    expect(outcome.status).toBe('error');
    expect(outcome.reason).toBe('error');
    expect(outcome.errors).toEqual([{ source, message }]);
  },
  CHILD_TEST_TIMEOUT,
);
