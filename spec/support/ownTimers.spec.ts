/**
 * The port the probe specs measure `openHandles` with (`withOwnTimers`): a timer started during the
 * app's life by code that is not the test's (as Jest's reporter does, in band, every second) made
 * `stopped` name a `Timeout` at random; the app's own timers must still be named.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NEVER, filter, lastValueFrom, map } from 'rxjs';
import { realProcessPort, runApp$, type AppContext, type AppOutcome, type LifecycleEvent, type ProcessPort } from 'rxrun';
import { withOwnTimers } from './ownTimers';

/** Starts an app on `port` (no signal listeners); `main` may add its own work. */
function start(port: ProcessPort, main: (app: AppContext) => void = () => undefined): { app: Promise<AppContext>; outcome: Promise<AppOutcome> } {
  let resolveApp!: (app: AppContext) => void;
  const app = new Promise<AppContext>((resolve) => (resolveApp = resolve));
  const outcome = lastValueFrom(
    runApp$(
      (ctx) => {
        main(ctx);
        resolveApp(ctx);
        return NEVER;
      },
      { process: port, signals: [], ipcShutdown: false, logger: false },
    ).pipe(
      filter((event): event is Extract<LifecycleEvent, { type: 'stopped' }> => event.type === 'stopped'),
      map((event) => event.outcome),
    ),
  );
  return { app, outcome };
}

/** Once the current code yields, starts `count` 60 s timers outside any test body; resolves with them. */
function foreignTimersSoon(count = 1): Promise<NodeJS.Timeout[]> {
  return new Promise((resolve) => setImmediate(() => resolve(Array.from({ length: count }, () => setTimeout(() => undefined, 60_000)))));
}

const clearAll = (timers: readonly (NodeJS.Timeout | undefined)[]) => timers.forEach((timer) => clearTimeout(timer));

describe('withOwnTimers (the port of the probe specs)', () => {
  it('the plain real port names timers that other code started while the app ran (the flake this port removes)', async () => {
    // Two: a reporter timer pending at start that fires meanwhile cancels one out of the process-wide count.
    const foreign$ = foreignTimersSoon(2);
    const { app, outcome } = start(realProcessPort());
    const foreign = await foreign$;
    (await app).stop();
    try {
      expect((await outcome).openHandles).toContain('Timeout');
    } finally {
      clearAll(foreign);
    }
  });

  it('ignores those timers, and still names a timer the app left, even one started by a request to its server', async () => {
    const foreign$ = foreignTimersSoon(2);
    let leaked: NodeJS.Timeout | undefined;
    await withOwnTimers(async (port) => {
      const server = http.createServer((_req, res) => {
        leaked = setTimeout(() => undefined, 60_000); // the app's defect: never cleared
        res.end('ok');
      });
      const listening = new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { app, outcome } = start(port, (ctx) => ctx.defer(() => new Promise<void>((resolve) => server.close(() => resolve()))));
      const foreign = await foreign$;
      await listening;
      await new Promise<void>((resolve, reject) => {
        http.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });
      (await app).stop();
      try {
        expect((await outcome).openHandles).toEqual(['Timeout']);
      } finally {
        clearAll([...foreign, leaked]);
      }
    });
    expect(leaked).toBeDefined();
  });

  it('with only foreign timers started during the app: no handle', async () => {
    const foreign$ = foreignTimersSoon(2);
    await withOwnTimers(async (port) => {
      const { app, outcome } = start(port);
      const foreign = await foreign$;
      (await app).stop();
      try {
        expect((await outcome).openHandles).toEqual([]);
      } finally {
        clearAll(foreign);
      }
    });
  });
});
