/**
 * The exit status rule (DESIGN §3) in real child processes: an outcome that holds an error, a budget
 * overrun or a forced stop never exits 0, in either built-in `exitCode` mode; `'zero-on-graceful'`
 * maps a graceful signal stop to 0.
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture, type ChildExit, type FixtureChild } from './fixtureChild';

afterEach(killAllChildren);

interface Case {
  readonly name: string;
  readonly scenario: string;
  readonly status: 'error' | 'timeout' | 'forced';
  /** Sends the signals (if any) once the child is ready. */
  readonly drive: (child: FixtureChild) => Promise<void>;
  readonly expected: ChildExit;
}

const signalOnce = (sig: NodeJS.Signals) => async (child: FixtureChild) => {
  await child.waitForLine(/^ready pid=\d+$/);
  child.signal(sig);
};
const byItself = async () => undefined;

const cases: readonly Case[] = [
  { name: 'task error after SIGTERM', scenario: 'task-error', status: 'error', drive: signalOnce('SIGTERM'), expected: { code: 1, signal: null } },
  { name: 'task error after SIGINT', scenario: 'task-error', status: 'error', drive: signalOnce('SIGINT'), expected: { code: 1, signal: null } },
  { name: 'finalizer error after app.stop()', scenario: 'stop-error', status: 'error', drive: byItself, expected: { code: 1, signal: null } },
  { name: 'uncaughtException', scenario: 'uncaught', status: 'error', drive: byItself, expected: { code: 1, signal: null } },
  { name: 'budget overrun after SIGTERM', scenario: 'budget', status: 'timeout', drive: signalOnce('SIGTERM'), expected: { code: null, signal: 'SIGTERM' } },
  { name: 'budget overrun after app.stop()', scenario: 'stop-budget', status: 'timeout', drive: byItself, expected: { code: 1, signal: null } },
  {
    name: 'forced stop by a second SIGINT',
    scenario: 'second',
    status: 'forced',
    drive: async (child) => {
      await child.waitForLine(/^ready pid=\d+$/);
      child.signal('SIGINT');
      await child.waitForLine(/^window-passed$/);
      child.signal('SIGINT');
    },
    expected: { code: null, signal: 'SIGINT' },
  },
];

describe.each(['conventional', 'zero-on-graceful'] as const)("exitCode: '%s'", (mode) => {
  test.each(cases)(
    '$name never exits 0',
    async ({ scenario, status, drive, expected }) => {
      const child = startFixture('app.js', [scenario, `--exit-code=${mode}`]);
      await drive(child);
      const exit = await child.exited;
      expect(child.outcome().status).toBe(status);
      expect(exit).not.toEqual({ code: 0, signal: null });
      expect(exit).toEqual(expected);
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe("exitCode: 'zero-on-graceful'", () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    'a graceful %s stop exits 0',
    async (sig) => {
      const child = startFixture('app.js', ['graceful', '--exit-code=zero-on-graceful']);
      await child.waitForLine(/^ready pid=\d+$/);
      child.signal(sig);
      const exit = await child.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(child.outcome()).toMatchObject({ status: 'ok', reason: sig });
      expect(child.stderr).toContain(`rxrun: stopped (ok, ${sig})`);
    },
    CHILD_TEST_TIMEOUT,
  );
});

describe("exitCode: 'conventional'", () => {
  test(
    'a clean app.stop() exits 0',
    async () => {
      const child = startFixture('app.js', ['stop-graceful']);
      const exit = await child.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'stop', errors: [] });
    },
    CHILD_TEST_TIMEOUT,
  );
});
