import * as http from 'node:http';
import { probes, serve$, type AppContext } from 'rxrun';
import { resolveApp } from '../../lib/core/appRegistry';
import { holdReadyForChecks } from '../../lib/net/holdReadyForChecks';
import { startApp } from './support';

const loopback = { port: 0, host: '127.0.0.1' };

/** An app with one serve$ and probes whose check answers `warm`; `hold`: its ready waits for the checks. */
function appWithCheck(hold: boolean) {
  const state = { warm: false, calls: 0 };
  let secondCall: () => void = () => undefined;
  const twoCalls = new Promise<void>((resolve) => (secondCall = resolve));
  const app = startApp((ctx: AppContext) => {
    if (hold) holdReadyForChecks(resolveApp(ctx, 'spec'));
    probes({
      app: ctx,
      checkInterval: 10,
      checks: {
        warm: () => {
          state.calls += 1;
          if (state.calls === 2) secondCall();
          return state.warm;
        },
      },
    });
    return serve$(http.createServer(), loopback, { app: ctx });
  });
  return { app, state, twoCalls };
}

describe('holdReadyForChecks (a workers$ worker is ready only once its probes pass)', () => {
  it("holds the app's 'ready' while a check fails (listening or not), polls the checks, and sends it once they pass", async () => {
    const { app, state, twoCalls } = appWithCheck(true);
    await app.when((event) => event.type === 'server-listening');
    // Evaluated at least twice while failing (or, were it not held, ready sent: the assertions below say so).
    await Promise.race([twoCalls, app.when((event) => event.type === 'ready-sent')]);
    expect(app.port.sent).toEqual([]);
    expect(app.events.filter((event) => event.type === 'ready-sent')).toEqual([]);

    state.warm = true;
    await app.when((event) => event.type === 'ready-sent');
    expect(app.port.sent).toEqual(['ready']);
    app.port.signal('SIGTERM');
    expect(await app.stopped).toMatchObject({ status: 'ok' });
    expect(app.port.sent).toEqual(['ready']);
  });

  it('an app that never passes its checks never sends ready (and still stops cleanly)', async () => {
    const { app, twoCalls } = appWithCheck(true);
    await app.when((event) => event.type === 'server-listening');
    await Promise.race([twoCalls, app.when((event) => event.type === 'ready-sent')]);
    expect(app.port.sent).toEqual([]);
    app.port.signal('SIGTERM');
    expect(await app.stopped).toMatchObject({ status: 'ok' });
    expect(app.port.sent).toEqual([]);
  });

  it('without the hold (an app that is no workers$ worker), probes do not delay ready: listening is enough', async () => {
    const { app } = appWithCheck(false);
    await app.when((event) => event.type === 'ready-sent');
    expect(app.port.sent).toEqual(['ready']);
    app.port.signal('SIGTERM');
    expect(await app.stopped).toMatchObject({ status: 'ok' });
  });
});
