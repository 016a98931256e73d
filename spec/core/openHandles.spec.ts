// Regression found by the demos (echo server, flagship): a finalizer that closes a server or a file
// resolves while Node still lists that handle or request as active (until libuv's close callback,
// a loop turn later), so `stopped` named it as "left open by the app". The real port now lets the
// loop settle before the check.
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import { NEVER, lastValueFrom, filter, map, tap, timer } from 'rxjs';
import { realProcessPort, runApp$, type AppOutcome, type LifecycleEvent, type ProcessPort } from 'rxrun';
import { withOwnTimers } from '../support/ownTimers';

function runClosingApp(port: ProcessPort): Promise<AppOutcome> {
  const outcome$ = runApp$(
    (app) => {
      const server = net.createServer();
      app.defer(() => new Promise<void>((resolve) => server.close(() => resolve())), { name: 'close server' });
      app.defer(() => fs.readFile(__filename), { name: 'read a file' });
      const listening$ = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return [NEVER, timer(0).pipe(tap(() => void listening$.then(() => app.stop())))];
    },
    { logger: false, signals: [], ipcShutdown: false, process: port },
  ).pipe(
    filter((event): event is Extract<LifecycleEvent, { type: 'stopped' }> => event.type === 'stopped'),
    map((event) => event.outcome),
  );
  return lastValueFrom(outcome$);
}

describe('open handles at stopped (real process port)', () => {
  it('does not name a server or fs request that a finalizer has just closed', async () => {
    // Only timers this test started count: Jest's reporter ticks in this process too.
    const outcome = await withOwnTimers((port) => runClosingApp(port));
    expect(outcome.status).toBe('ok');
    expect(outcome.openHandles).toEqual([]);
  });

  it('would name them without the settle step (why the port has one)', async () => {
    const { settle: _settle, ...withoutSettle } = realProcessPort();
    const outcome = await runClosingApp(withoutSettle);
    expect(outcome.openHandles.length).toBeGreaterThan(0);
  });
});
