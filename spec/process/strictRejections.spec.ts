/**
 * Regression (found in review): under `node --unhandled-rejections=strict` one rejected promise reaches rxrun twice — as
 * an 'uncaughtException' (origin 'unhandledRejection') and then as an 'unhandledRejection' — and
 * the outcome records the one failure as two errors (the first mislabelled `uncaughtException`), the
 * log prints it twice and a second shutdown request is recorded. Node passes `origin` to
 * 'uncaughtException' listeners precisely so that this can be told apart.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CHILD_TEST_TIMEOUT, FIXTURES, FixtureChild, killAllChildren } from './fixtureChild';

let child: FixtureChild | undefined;
afterEach(() => {
  child?.kill();
  child = undefined;
  killAllChildren();
});

test(
  'one unhandled rejection under --unhandled-rejections=strict is one error in the outcome',
  async () => {
    child = new FixtureChild(
      spawn(process.execPath, ['--unhandled-rejections=strict', path.join(FIXTURES, 'strictRejections.js')], {
        cwd: FIXTURES,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    );
    const exit = await child.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const outcome = child.outcome() as unknown as {
      status: string;
      errors: { source: string; message: string }[];
      laterReasons: string[];
    };
    expect(outcome.status).toBe('error');
    expect(outcome.errors).toEqual([{ source: 'unhandledRejection', message: 'nobody handles this' }]);
    expect(outcome.laterReasons).toEqual([]);
    expect(child.stderr.split('nobody handles this; entering').length).toBe(2);
    expect(child.stderr.match(/failed: Error: nobody handles this/g)).toHaveLength(1);
  },
  CHILD_TEST_TIMEOUT,
);
