/**
 * Output still being written when the app stops is not a handle the app left open, and is not lost:
 * in a real child whose stdout and stderr go to files through fs write streams, as under PM2's cluster
 * mode (every output line is then an fs request in flight for a moment, FSReqCallback). A timer the app
 * really left running is still named.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture } from './fixtureChild';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rxrun-stdio-'));
});

afterEach(() => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});

async function runScenario(scenario: 'chatty' | 'leak'): Promise<{ outcome: { status: string; openHandles: string[] }; out: string; err: string }> {
  const files = ['out', 'err', 'report'].map((name) => path.join(dir, `${scenario}.${name}`)) as [string, string, string];
  const child = startFixture('redirectedStdio.js', [scenario, ...files], { ipc: true });
  await new Promise<void>((resolve, reject) => {
    child.proc.on('message', (message) => {
      if ((message as { type?: unknown }).type === 'running') resolve();
    });
    void child.exited.then(() => reject(new Error(`child exited before running\n${child.transcript()}`)));
  });
  child.signal('SIGTERM');
  expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
  const [out, err, report] = files.map((file) => readFileSync(file, 'utf8')) as [string, string, string];
  return { outcome: JSON.parse(report) as { status: string; openHandles: string[] }, out, err };
}

test(
  'a finalizer that logs 200 lines: no handle named, every line and the last rxrun line written',
  async () => {
    const { outcome, out, err } = await runScenario('chatty');
    expect(outcome).toEqual({ status: 'ok', openHandles: [] });
    expect(out.split('\n').filter((line) => line.startsWith('closing line '))).toHaveLength(200);
    expect(err).not.toContain('handles left open');
    expect(err).toMatch(/rxrun: stopped \(ok, SIGTERM\) after \d+ ms\. Bye!\n$/);
  },
  CHILD_TEST_TIMEOUT,
);

test(
  'a timer the app left running is still named (and so is every line written)',
  async () => {
    const { outcome, out, err } = await runScenario('leak');
    expect(outcome).toEqual({ status: 'ok', openHandles: ['Timeout'] });
    expect(out.split('\n').filter((line) => line.startsWith('closing line '))).toHaveLength(200);
    expect(err).toContain('rxrun: handles left open by the app: Timeout\n');
    expect(err).toMatch(/Bye!\n$/);
  },
  CHILD_TEST_TIMEOUT,
);
