/**
 * `probes(…)` as Express 5 middleware (`app.use(health)`), served through `serve$` on 127.0.0.1 with a
 * real client: probe paths answered, everything else reaches Express, readiness 503 at shutdown.
 */
import * as http from 'node:http';
import express from 'express';
import { tap } from 'rxjs';
import { Client } from 'undici';
import { probes, serve$, type AppContext, type ServeListening } from 'rxrun';
import { deferred, startApp } from './support';

const loopback = { port: 0, host: '127.0.0.1' };

async function get(client: Client, path: string): Promise<[number, string]> {
  const response = await client.request({ path, method: 'GET' });
  return [response.statusCode, await response.body.text()];
}

describe('probes as Express 5 middleware', () => {
  it('answers the probe paths, passes every other request to Express, and says 503 on /readyz from the SIGTERM on', async () => {
    const holdStopping = deferred();
    const stopping = deferred();
    let listening: ServeListening | undefined;
    const app = startApp((ctx: AppContext) => {
      const health = probes({ app: ctx });
      const api = express();
      api.use(health);
      api.use('/ops', health); // mounted: Express makes req.url relative to the mount path
      api.get('/hello', (_req, res) => void res.send('hello from express'));
      api.get('/ops/other', (_req, res) => void res.send('ops route'));
      ctx.onShutdown(() => {
        stopping.resolve();
        return holdStopping.promise; // keeps the app in `stopping` (still accepting) until the test is done
      }, { name: 'hold' });
      return serve$(http.createServer(api), loopback, { app: ctx }).pipe(tap((value) => (listening = value)));
    });
    await app.when((event) => event.type === 'server-listening');
    const client = new Client((listening as ServeListening).url, { pipelining: 0 });
    try {
      expect(await get(client, '/readyz')).toEqual([200, 'ok\n']);
      expect(await get(client, '/livez')).toEqual([200, 'ok\n']);
      expect(await get(client, '/startupz')).toEqual([200, 'ok\n']);
      expect(await get(client, '/ops/readyz')).toEqual([200, 'ok\n']);
      expect(await get(client, '/hello')).toEqual([200, 'hello from express']);
      expect(await get(client, '/ops/other')).toEqual([200, 'ops route']);
      const [status, body] = await get(client, '/readyz/'); // not a probe path: Express's own 404
      expect(status).toBe(404);
      expect(body).toMatch(/Cannot GET \/readyz\//);

      app.port.signal('SIGTERM');
      await stopping.promise;
      expect(await get(client, '/readyz')).toEqual([503, 'shutting down\n']);
      expect(await get(client, '/livez')).toEqual([200, 'ok\n']);
      expect(await get(client, '/hello')).toEqual([200, 'hello from express']);
    } finally {
      holdStopping.resolve();
      await client.close();
    }
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
  });

  it('calls next() only for other paths, and checks that next is a function', () => {
    const health = probes();
    const calls: string[] = [];
    const res = { headersSent: false, writeHead: (code: number) => calls.push(`writeHead ${code}`), end: () => calls.push('end') };
    expect(health({ method: 'GET', url: '/elsewhere' }, res, () => calls.push('next'))).toBe(false);
    expect(calls).toEqual(['next']);
    expect(health({ method: 'POST', url: '/livez' }, res, () => calls.push('next'))).toBe(true);
    expect(calls).toEqual(['next', 'writeHead 405', 'end']);
    expect(() => health({ method: 'GET', url: '/elsewhere' }, res, 'next' as never)).toThrow(
      new TypeError("probes: 'next' must be a function (a middleware's next), got \"next\""),
    );
  });
});
