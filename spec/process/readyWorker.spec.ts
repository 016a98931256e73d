/**
 * Readiness in real child processes with an IPC channel: a worker without serve$ sends 'ready' once
 * running; with the `ready` option it waits for it; and `ready-sent` is emitted also when process.send
 * is wrapped the way PM2's cluster mode wraps it (returning undefined).
 */
import { CHILD_TEST_TIMEOUT, killAllChildren, startFixture, type FixtureChild } from './fixtureChild';

afterEach(killAllChildren);

/** Every IPC message the child sends, in order; resolves `until` once one matches. */
function messagesOf(child: FixtureChild, until: (message: unknown) => boolean): { messages: unknown[]; seen: Promise<void> } {
  const messages: unknown[] = [];
  const seen = new Promise<void>((resolve, reject) => {
    child.proc.on('message', (message) => {
      messages.push(message);
      if (until(message)) resolve();
    });
    void child.exited.then(() => reject(new Error(`child exited first; messages: ${JSON.stringify(messages)}\n${child.transcript()}`)));
  });
  return { messages, seen };
}

test.each(['worker', 'pm2-cluster-send'])(
  "%s: an app without serve$ sends 'ready' once running and emits ready-sent; SIGTERM stops it",
  async (scenario) => {
    const child = startFixture('readyWorker.js', [scenario], { ipc: true });
    const { messages, seen } = messagesOf(child, (message) => message === 'ready');
    await seen;
    await child.waitForLine(/^event ready-sent$/);
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(messages).toEqual(['ready']);
    expect(child.outcome()).toMatchObject({ status: 'ok', reason: 'SIGTERM', errors: [], openHandles: [] });
  },
  CHILD_TEST_TIMEOUT,
);

test(
  "the ready option: 'ready' only after the app's own signal (the order on the IPC channel says so)",
  async () => {
    const child = startFixture('readyWorker.js', ['ready-option'], { ipc: true });
    const { messages, seen } = messagesOf(child, (message) => message === 'ready');
    child.proc.send({ type: 'go' });
    await seen;
    expect(messages).toEqual([{ type: 'go-received' }, 'ready']);
    await child.waitForLine(/^event ready-sent$/);
    child.signal('SIGTERM');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.outcome()).toMatchObject({ status: 'ok', errors: [], openHandles: [] });
  },
  CHILD_TEST_TIMEOUT,
);
