/**
 * The process edge with real child processes and real signals (DESIGN §3): SIGINT and SIGTERM ×
 * {graceful, budget exceeded, task error, duplicate signal, second signal}, and the PID-1 fallback.
 * Every child synchronises through lines it prints on stdout; nothing here sleeps or times anything.
 */
import { spawnSync } from 'node:child_process';
import { CHILD_TEST_TIMEOUT, childPidsOf, killAllChildren, startFixture, type FixtureChild } from './fixtureChild';

afterEach(killAllChildren);

/** Asserts that each fragment occurs in `text`, in this order. */
function expectInOrder(text: string, fragments: readonly (string | RegExp)[]): void {
  let from = 0;
  for (const fragment of fragments) {
    const rest = text.slice(from);
    const match = typeof fragment === 'string' ? { index: rest.indexOf(fragment), length: fragment.length } : matchOf(rest, fragment);
    if (match.index < 0) {
      throw new Error(`expected ${String(fragment)} after offset ${from} in:\n${text}`);
    }
    from += match.index + match.length;
  }
}

function matchOf(text: string, pattern: RegExp): { index: number; length: number } {
  const match = pattern.exec(text);
  return match === null ? { index: -1, length: 0 } : { index: match.index, length: match[0].length };
}

async function startReady(scenario: string): Promise<FixtureChild> {
  const child = startFixture('app.js', [scenario]);
  await child.waitForLine(/^ready pid=\d+$/);
  return child;
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s in a real child process', (sig) => {
  const status = sig === 'SIGINT' ? 130 : 143;

  test(
    `graceful: phase lines in order, then the process dies by the re-raised ${sig} (status ${status})`,
    async () => {
      const child = await startReady('graceful');
      child.signal(sig);
      const exit = await child.exited;
      expect(exit).toEqual({ code: null, signal: sig });
      expectInOrder(child.stderr, [
        `rxrun: ${sig}; entering shutdown phase`,
        'rxrun: cancelling 2 tasks',
        'rxrun: waiting for 1 protected task: save',
        'rxrun: running 1 finalizer',
        `rxrun: stopped (ok, ${sig})`,
        'Bye!',
      ]);
      expect(child.stderr).not.toMatch(/handles left open/);
      expect(child.outcome()).toMatchObject({ status: 'ok', reason: sig, laterReasons: [], errors: [], openHandles: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  test(
    'budget exceeded: the hung hook, the hour-long protected save, the tasks and the skipped finalizer are cut off and named, with the leaked handle types',
    async () => {
      const child = await startReady('budget');
      child.signal(sig);
      const exit = await child.exited;
      // No error was reported, so the signal's conventional status stands (never 0).
      expect(exit).toEqual({ code: null, signal: sig });
      expectInOrder(child.stderr, [`rxrun: ${sig}; entering shutdown phase`, 'rxrun: shutdown budget exceeded in phase stopping; cut off: ', `rxrun: stopped (timeout, ${sig})`, 'Bye!']);
      const budgetLine = child.stderr.split('\n').find((line) => line.includes('shutdown budget exceeded')) as string;
      for (const named of [
        "task 'ticker' (running)",
        "hook 'flush-forever' (running)",
        "finalizer 'close-db' (skipped)",
        "protected 'hour-long-save' (running)",
        'open handles: ',
        'TCPServerWrap',
        'Timeout',
      ]) {
        expect(budgetLine).toContain(named);
      }
      expect(child.stderr).toMatch(/handles left open by the app: .*TCPServerWrap/);
      const outcome = child.outcome();
      expect(outcome.status).toBe('timeout');
      expect(outcome.report?.cause).toBe('timeout');
      expect(outcome.report?.phase).toBe('stopping');
      expect(outcome.report?.pending).toEqual(
        expect.arrayContaining([
          { kind: 'task', name: 'ticker', state: 'running' },
          { kind: 'hook', name: 'flush-forever', state: 'running' },
          { kind: 'finalizer', name: 'close-db', state: 'skipped' },
          { kind: 'protected', name: 'hour-long-save', state: 'running' },
        ]),
      );
      expect(outcome.report?.activeHandles).toEqual(expect.arrayContaining(['TCPServerWrap', 'Timeout']));
      expect(outcome.openHandles).toEqual(expect.arrayContaining(['TCPServerWrap', 'Timeout']));
    },
    CHILD_TEST_TIMEOUT,
  );

  test(
    'task error while stopping: the error is logged and kept, the shutdown completes, exit status 1',
    async () => {
      const child = await startReady('task-error');
      child.signal(sig);
      const exit = await child.exited;
      expect(exit).toEqual({ code: 1, signal: null });
      expectInOrder(child.stderr, [
        `rxrun: ${sig}; entering shutdown phase`,
        "rxrun: task 'flaky' failed: Error: task failed while stopping",
        'rxrun: cancelling 2 tasks',
        'rxrun: waiting for 1 protected task: save',
        'rxrun: running 1 finalizer',
        `rxrun: stopped (error, ${sig})`,
        'Bye!',
      ]);
      const outcome = child.outcome();
      expect(outcome).toMatchObject({ status: 'error', reason: sig });
      expect(outcome.errors).toEqual([{ source: 'task', name: 'flaky', message: 'task failed while stopping' }]);
    },
    CHILD_TEST_TIMEOUT,
  );

  test(
    `duplicate ${sig} within the 250 ms coalescing window is treated as one: graceful, status ${status}`,
    async () => {
      const child = await startReady('duplicate');
      // The first comes from here; the fixture sends itself the second one as soon as it sees the
      // first request, a separate delivery well inside the window whatever the machine's load.
      child.signal(sig);
      const exit = await child.exited;
      expect(exit).toEqual({ code: null, signal: sig });
      expect(child.stdoutLines()).toContain(`event signal-coalesced ${sig}`);
      expect(child.stdoutLines()).not.toContain(`event shutdown-requested ${sig} first=false`);
      expect(child.stdoutLines()).not.toContain('event forced');
      expect(child.stderr).not.toMatch(/during shutdown|forced stop/);
      expectInOrder(child.stderr, [`rxrun: ${sig}; entering shutdown phase`, 'rxrun: cancelling 2 tasks', 'rxrun: waiting for 1 protected task: hold', `rxrun: stopped (ok, ${sig})`]);
      expect(child.outcome()).toMatchObject({ status: 'ok', reason: sig, laterReasons: [], errors: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  test(
    `two back-to-back ${sig}s from outside (as npm or nodemon deliver them) end in one graceful stop`,
    async () => {
      const child = await startReady('graceful');
      // Either the kernel merges them or the app sees both within the window: one request either way.
      child.signal(sig);
      child.signal(sig);
      const exit = await child.exited;
      expect(exit).toEqual({ code: null, signal: sig });
      expect(child.stderr).not.toMatch(/during shutdown|forced stop/);
      expect(child.outcome()).toMatchObject({ status: 'ok', reason: sig, laterReasons: [] });
    },
    CHILD_TEST_TIMEOUT,
  );

  if (sig === 'SIGINT') {
    test(
      'second SIGINT after the window forces an immediate stop: what was pending is reported, the process dies by SIGINT',
      async () => {
        const child = await startReady('second');
        child.signal('SIGINT');
        await child.waitForLine(/^window-passed$/);
        child.signal('SIGINT');
        const exit = await child.exited;
        expect(exit).toEqual({ code: null, signal: 'SIGINT' });
        expectInOrder(child.stderr, [
          'rxrun: SIGINT; entering shutdown phase',
          'rxrun: cancelling 2 tasks',
          'rxrun: waiting for 1 protected task: hold',
          'rxrun: SIGINT during shutdown (already stopping)',
          "rxrun: forced stop in phase draining; cut off: finalizer 'close-db' (skipped), protected 'hold' (running)",
          'rxrun: stopped (forced, SIGINT)',
          'Bye!',
        ]);
        expect(child.stderr).not.toMatch(/running 1 finalizer/);
        const outcome = child.outcome();
        expect(outcome).toMatchObject({ status: 'forced', reason: 'SIGINT', laterReasons: ['SIGINT'] });
        expect(outcome.report).toMatchObject({
          cause: 'forced',
          phase: 'draining',
          pending: [
            { kind: 'finalizer', name: 'close-db', state: 'skipped' },
            { kind: 'protected', name: 'hold', state: 'running' },
          ],
        });
      },
      CHILD_TEST_TIMEOUT,
    );
  } else {
    test(
      'second SIGTERM after the window stays graceful: recorded, finalizers still run, the process dies by SIGTERM',
      async () => {
        const child = await startReady('second');
        child.signal('SIGTERM');
        await child.waitForLine(/^window-passed$/);
        child.signal('SIGTERM');
        const exit = await child.exited;
        expect(exit).toEqual({ code: null, signal: 'SIGTERM' });
        expectInOrder(child.stderr, [
          'rxrun: SIGTERM; entering shutdown phase',
          'rxrun: cancelling 2 tasks',
          'rxrun: waiting for 1 protected task: hold',
          'rxrun: SIGTERM during shutdown (already stopping)',
          'rxrun: running 1 finalizer',
          'rxrun: stopped (ok, SIGTERM)',
          'Bye!',
        ]);
        expect(child.stderr).not.toMatch(/forced stop/);
        expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'SIGTERM', laterReasons: ['SIGTERM'], errors: [] });
      },
      CHILD_TEST_TIMEOUT,
    );
  }
});

/** Whether this machine can run a process as PID 1 of a new PID namespace, and why not. */
function probePid1(): { ok: true } | { ok: false; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: `platform is ${process.platform}, not linux` };
  const probe = spawnSync('unshare', [...UNSHARE, process.execPath, '-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.error) return { ok: false, why: `unshare could not be run: ${probe.error.message}` };
  if (probe.status !== 0 || probe.stdout !== '1') {
    return { ok: false, why: `unshare ${UNSHARE.join(' ')} failed (status ${probe.status}): ${probe.stderr.trim() || probe.stdout.trim()}` };
  }
  return { ok: true };
}

const UNSHARE = ['--pid', '--fork', '--mount-proc', '--kill-child'];
const pid1 = probePid1();
if (!pid1.ok) console.warn(`PID-1 exit-status test skipped: ${pid1.why}`);
const pid1Test = pid1.ok ? test : test.skip;

pid1Test(
  'as PID 1 (unshare --pid --fork) the re-raised SIGTERM is ignored by the kernel; the fallback exit(128 + 15) still yields 143',
  async () => {
    const child = startFixture('app.js', ['graceful'], { wrapper: ['unshare', ...UNSHARE] });
    await child.waitForLine(/^ready pid=1$/);
    const unsharePid = child.proc.pid as number;
    const inner = childPidsOf(unsharePid);
    expect(inner).toHaveLength(1);
    child.extraPids.push(...inner);
    // Sent from the parent namespace: delivered, because rxrun has a SIGTERM handler installed.
    child.signal('SIGTERM', inner[0]);
    const exit = await child.exited;
    // unshare exits with its child's status (it would die by the signal if the child had).
    expect(exit).toEqual({ code: 143, signal: null });
    expectInOrder(child.stderr, ['rxrun: SIGTERM; entering shutdown phase', 'rxrun: cancelling 2 tasks', 'rxrun: stopped (ok, SIGTERM)', 'Bye!']);
    expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'SIGTERM' });
  },
  CHILD_TEST_TIMEOUT,
);
