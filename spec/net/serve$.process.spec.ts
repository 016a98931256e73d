import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CHILD_TEST_TIMEOUT, FixtureChild } from '../process/fixtureChild';
import { RawClient } from './support';

const FIXTURE = path.join(__dirname, 'fixtures', 'servedApp.js');
const children: FixtureChild[] = [];

function startServedApp(ipc: boolean): FixtureChild {
  const proc = spawn(process.execPath, [FIXTURE], {
    cwd: __dirname,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const child = new FixtureChild(proc);
  children.push(child);
  return child;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

describe('serve$ in a real process', () => {
  it(
    "sends PM2 'ready' over IPC; at a real SIGTERM drains every kind of connection and exits with no open handle",
    async () => {
      const child = startServedApp(true);
      const messages: unknown[] = [];
      const ready = new Promise<void>((resolve) =>
        child.proc.on('message', (message) => {
          messages.push(message);
          if (message === 'ready') resolve();
        }),
      );
      const [, port] = (await child.waitForLine(/^listening http:\/\/127\.0\.0\.1:(\d+)$/)) as unknown as [string, string];
      await ready;
      await child.waitForLine(/^ready-sent$/);

      const idle = new RawClient(Number(port));
      idle.send('/');
      await idle.response();
      const silent = new RawClient(Number(port));
      await silent.connected;
      const slow = new RawClient(Number(port));
      slow.send('/slow');
      await child.waitForLine(/^in-flight$/);

      child.signal('SIGTERM');
      const response = await slow.response();
      expect([response.status, response.body, response.headers['connection']]).toEqual([200, 'slow done', 'close']);
      await Promise.all([idle.ended, silent.ended, slow.ended]);
      expect(await Promise.all([idle.closed, silent.closed, slow.closed])).toEqual([undefined, undefined, undefined]);

      expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(messages).toEqual(['ready']);
      expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'SIGTERM', errors: [], openHandles: [] });
      // The idle and the silent socket get FIN once quiet for the idle grace, in one batch or two.
      const steps = child.stdoutLines().filter((line) => line.startsWith('event '));
      const idleBatches = steps.filter((line) => line.startsWith('event server-drain close-idle '));
      expect(idleBatches[0]).toBe('event server-drain close-idle 0'); // one loop turn after the drain began
      expect(idleBatches.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)).toBe(2);
      expect(steps.filter((line) => !idleBatches.includes(line))).toEqual([
        'event server-drain readiness-down 3',
        'event server-drain stop-accepting 3',
        'event server-drain goaway 0',
        'event server-drain upgraded 0',
        'event server-drain drained 0',
      ]);
      expect(steps.indexOf(idleBatches[0] as string)).toBe(4);
    },
    CHILD_TEST_TIMEOUT,
  );

  it(
    'sends nothing without an IPC channel',
    async () => {
      const child = startServedApp(false);
      await child.waitForLine(/^listening /);
      child.signal('SIGTERM');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
      expect(child.stdoutLines()).not.toContain('ready-sent');
      expect(child.outcome()).toMatchObject({ status: 'ok', errors: [], openHandles: [] });
    },
    CHILD_TEST_TIMEOUT,
  );
});
