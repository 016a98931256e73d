import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NEVER, Subject, filter, lastValueFrom, map, take, tap, merge } from 'rxjs';
import { probes, runApp, runApp$, serve$, shutdownWaitsFor, type AppContext, type AppOutcome, type LifecycleEvent, type Probes, type ServeListening, type ProbeListening } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { withOwnTimers } from '../support/ownTimers';
import express from 'express';
import { Client } from 'undici';
import { deferred, startApp } from './support';
import { inKubernetes } from '../../lib/net/inKubernetes';

/**
 * `probes` over real sockets on 127.0.0.1: mounted in front of an app handler and on a port of its
 * own, through a whole shutdown driven by a test process (SIGTERM) or `app.stop()`.
 */
interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection (no agent: nothing stays open after the test). */
function request(url: string, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const status = async (url: string, path: string) => (await request(url, path)).status;

/** Resolves when `server` listens; its URL. */
function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A promise plus its resolver. */
describe('probes mounted in front of an app handler', () => {
  it('flips /readyz to 503 at SIGTERM while /livez and /startupz stay 200 and the app handler still answers', async () => {
    const port = createTestProcess();
    const urlReady = deferred<string>();
    const inStopping = deferred();
    const releaseHook = deferred();
    let server!: http.Server;

    const outcome$ = runApp(
      (app) => {
        const health = probes({ app });
        server = http.createServer((req, res) => {
          if (health(req, res)) return;
          res.end(`app ${req.url}`);
        });
        void listen(server).then(urlReady.resolve);
        // Holds the shutdown in `stopping` until the test has looked.
        app.onShutdown(() => {
          inStopping.resolve();
          return releaseHook.promise;
        }, { name: 'hold' });
        app.defer(() => closeServer(server), { name: 'server' });
        return NEVER;
      },
      { process: port, logger: false },
    );
    const url = await urlReady.promise;

    expect(await status(url, '/readyz')).toBe(200);
    expect(await status(url, '/livez')).toBe(200);
    expect(await status(url, '/startupz')).toBe(200);
    expect((await request(url, '/orders')).body).toBe('app /orders'); // not a probe path: the app answers

    port.signal('SIGTERM');
    await inStopping.promise;
    const ready = await request(url, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toBe('shutting down\n');
    expect(await status(url, '/livez')).toBe(200);
    expect(await status(url, '/startupz')).toBe(200);
    expect((await request(url, '/orders')).body).toBe('app /orders');

    releaseHook.resolve();
    const outcome = await outcome$;
    expect(outcome.status).toBe('ok');
    expect(port.exitCode).toBe(143);
    expect(server.listening).toBe(false);
  });

  it('answers with short plain text, Cache-Control: no-store, 405 for other methods, no body for HEAD', async () => {
    const port = createTestProcess();
    const urlReady = deferred<string>();
    let app!: AppContext;
    const outcome$ = runApp(
      (ctx) => {
        app = ctx;
        const health = probes({ app: ctx, paths: { live: '/healthz' } });
        const server = http.createServer((req, res) => void (health(req, res) || res.end('app')));
        void listen(server).then(urlReady.resolve);
        ctx.defer(() => closeServer(server), { name: 'server' });
        return NEVER;
      },
      { process: port, logger: false },
    );
    const url = await urlReady.promise;

    const live = await request(url, '/healthz');
    expect(live).toMatchObject({ status: 200, body: 'ok\n' });
    expect(live.headers['cache-control']).toBe('no-store');
    expect(live.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await request(url, '/livez')).body).toBe('app'); // the default path was replaced

    const post = await request(url, '/readyz', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');

    const head = await request(url, '/readyz', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe('3');

    expect(await request(url, '/readyz?verbose')).toMatchObject({ status: 200, body: '[+]phase running\nreadyz ok\n' });

    app.stop();
    expect((await outcome$).status).toBe('ok');
  });

  it('runs the checks per /readyz request: pass, fail (false, throw), and concurrent requests share one run', async () => {
    const port = createTestProcess();
    const urlReady = deferred<string>();
    let app!: AppContext;
    let healthy = true;
    let dbCalls = 0;
    let dbAnswer: (() => void) | undefined;
    let arrived = 0;
    let bothArrived = deferred();
    const outcome$ = runApp(
      (ctx) => {
        app = ctx;
        const health = probes({
          app: ctx,
          checks: {
            db: () => {
              dbCalls += 1;
              return new Promise<void>((resolve) => (dbAnswer = resolve));
            },
            queue: () => healthy,
            cache: () => {
              if (!healthy) throw new Error('cache down');
            },
          },
          verbose: true,
        });
        const server = http.createServer((req, res) => {
          health(req, res);
          arrived += 1;
          if (arrived % 2 === 0) bothArrived.resolve();
        });
        void listen(server).then(urlReady.resolve);
        ctx.defer(() => closeServer(server), { name: 'server' });
        return NEVER;
      },
      { process: port, logger: false },
    );
    const url = await urlReady.promise;

    // Two requests while the db check is in flight: one run answers both.
    const replies = Promise.all([request(url, '/readyz'), request(url, '/readyz')]);
    await bothArrived.promise;
    expect(dbCalls).toBe(1);
    dbAnswer?.();
    for (const reply of await replies) {
      expect(reply).toMatchObject({ status: 200, body: '[+]phase running\n[+]db ok\n[+]queue ok\n[+]cache ok\nreadyz ok\n' });
    }

    // Failing checks: each named, with its message (verbose: true).
    healthy = false;
    bothArrived = deferred();
    const failing = Promise.all([request(url, '/readyz'), request(url, '/readyz?verbose')]);
    await bothArrived.promise;
    expect(dbCalls).toBe(2);
    dbAnswer?.();
    const [plain, verbose] = await failing;
    const body = '[+]phase running\n[+]db ok\n[-]queue failed: answered false\n[-]cache failed: Error: cache down\nreadyz failed\n';
    expect(plain).toMatchObject({ status: 503, body });
    expect(verbose).toMatchObject({ status: 503, body });

    app.stop();
    expect((await outcome$).status).toBe('ok');
  });
});

describe('probes on their own port (serve$)', () => {
  // The real port counts only this test's timers: Jest's reporter runs in this process (in band).
  it('stays up through stopping and draining (/readyz 503, /livez 200), closes after later finalizers, leaves no handle', () => withOwnTimers(async (port) => {
    const listening = deferred<string>();
    const draining = deferred();
    const release$ = new Subject<void>();
    const seenInDbFinalizer: number[] = [];
    let app!: AppContext;
    let probeServer!: http.Server;

    const events$ = runApp$(
      (ctx) => {
        app = ctx;
        const health = probes({ app: ctx });
        // Spawned first, so its finalizer (registered on subscribe) runs after `db`'s.
        ctx.spawn(
          health.serve$(0).pipe(
            tap(({ server, url }) => {
              probeServer = server;
              listening.resolve(url);
            }),
          ),
          { name: 'probes' },
        );
        ctx.defer(async () => {
          const url = await listening.promise;
          seenInDbFinalizer.push(await status(url, '/livez'), await status(url, '/readyz'));
        }, { name: 'db' });
        // Protected work holds the app in `draining`.
        return release$.pipe(take(1), shutdownWaitsFor(ctx, { name: 'work' }));
      },
      { process: port, signals: [], ipcShutdown: false, logger: false },
    ).pipe(
      tap((event) => {
        if (event.type === 'protected-pending') draining.resolve();
      }),
    );
    const seen: LifecycleEvent[] = [];
    const outcome$ = lastValueFrom(events$.pipe(tap((event) => seen.push(event)), filter((event) => event.type === 'stopped'), map((event) => event.outcome)));
    const url = await listening.promise;

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(probeServer.address()).toMatchObject({ address: '127.0.0.1' });
    expect(await status(url, '/readyz')).toBe(200);
    expect(await status(url, '/livez')).toBe(200);
    expect(await status(url, '/startupz')).toBe(200);
    expect((await request(url, '/other')).status).toBe(404);

    app.stop();
    await draining.promise; // the root is torn down: the probe server's task was unsubscribed
    expect(await status(url, '/readyz')).toBe(503);
    expect(await status(url, '/livez')).toBe(200);
    expect(await status(url, '/startupz')).toBe(200);

    release$.next();
    const outcome: AppOutcome = await outcome$;
    expect(outcome.status).toBe('ok');
    expect(outcome.openHandles).toEqual([]);
    expect(seenInDbFinalizer).toEqual([200, 503]);
    const finalizers = seen.filter((event) => event.type === 'finalizer-start').map((event) => (event as { name: string }).name);
    expect(finalizers).toEqual(['db', 'probes']);
    expect(seen).toContainEqual(expect.objectContaining({ type: 'server-listening', name: 'probes', address: url }));
    expect(probeServer.listening).toBe(false);
    await expect(request(url, '/livez')).rejects.toThrow(/ECONNREFUSED/);
  }));

  it('goes not-ready while a serve$ server of the app is closed outside the shutdown, and ready again once it listens again', async () => {
    const port = createTestProcess();
    const probeUrl = deferred<string>();
    const apiListening = new Subject<void>();
    let app!: AppContext;
    const api = http.createServer((_req, res) => res.end('api'));
    const outcome$ = runApp(
      (ctx) => {
        app = ctx;
        ctx.spawn(serve$(api, { port: 0, host: '127.0.0.1' }, { app: ctx, name: 'api' }).pipe(tap(() => apiListening.next())));
        return probes({ app: ctx }).serve$(0).pipe(tap(({ url }) => probeUrl.resolve(url)));
      },
      { process: port, logger: false },
    );
    const url = await probeUrl.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(await status(url, '/readyz')).toBe(200);

    api.close(); // user code, outside any shutdown
    await lastValueFrom(app.events$.pipe(filter((event) => event.type === 'server-closed'), take(1)));
    const notReady = await request(url, '/readyz');
    expect([notReady.status, notReady.body]).toEqual([503, 'server closed: api\n']);
    expect((await request(url, '/readyz?verbose')).body).toContain('[-]phase running (server closed: api)');
    expect(await status(url, '/livez')).toBe(200);

    const again = lastValueFrom(apiListening.pipe(take(1)));
    app.spawn(serve$(http.createServer((_req, res) => res.end('api')), { port: 0, host: '127.0.0.1' }, { app, name: 'api' }).pipe(tap(() => apiListening.next())));
    await again;
    expect(await status(url, '/readyz')).toBe(200);
    port.signal('SIGTERM');
    expect((await outcome$).errors).toEqual([]);
  });

  it('answers /readyz 503 until every serve$ of the app listens, though the app already runs', async () => {
    const port = createTestProcess();
    const seen: string[] = [];
    let health!: Probes;
    const api = http.createServer((_req, res) => res.end('api'));
    const outcome$ = runApp(
      (ctx) => {
        health = probes({ app: ctx });
        ctx.events$.subscribe((event) => {
          if (event.type === 'phase' && event.phase === 'running') seen.push('running');
          if (event.type === 'server-listening') seen.push(`listening ${event.name}`);
        });
        return serve$(api, { port: 0, host: '127.0.0.1' }, { app: ctx, name: 'api' });
      },
      { process: port, logger: false },
    );
    // The app reaches `running` at once; the server binds on a later turn of the loop.
    const replies: Reply[] = [];
    const answer = (): Promise<Reply> =>
      new Promise((resolve) => {
        let status = 0;
        let text = '';
        health({ method: 'GET', url: '/readyz' }, {
          headersSent: false,
          writeHead: (code: number) => void (status = code),
          end: (body?: string) => resolve({ status, headers: {}, body: body ?? text }),
        } as never);
        text = '';
      });
    try {
      replies.push(await answer());
      health.ready$.pipe(filter(Boolean), take(1)).subscribe(() => seen.push('ready'));
      await lastValueFrom(health.ready$.pipe(filter(Boolean), take(1)));
      replies.push(await answer());
    } finally {
      port.signal('SIGTERM');
    }
    expect((await outcome$).errors).toEqual([]);
    expect(seen).toEqual(['running', 'listening api', 'ready']);
    expect(replies.map(({ status: code, body: text }) => [code, text])).toEqual([[503, '1 server not listening yet\n'], [200, 'ok\n']]);
  });

  it('subscribed outside the app\'s tasks: closed by its finalizer, then complete', async () => {
    const listening = deferred<string>();
    const completed = deferred();
    let app!: AppContext;
    const outcome$ = runApp(
      (ctx) => {
        app = ctx;
        probes({ app: ctx }).serve$(0).subscribe({ next: ({ url }) => listening.resolve(url), complete: completed.resolve });
        return NEVER;
      },
      { process: createTestProcess(), logger: false },
    );
    const url = await listening.promise;
    app.stop();
    await completed.promise;
    expect((await outcome$).status).toBe('ok');
    await expect(request(url, '/livez')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes at once, and drops its finalizer, when unsubscribed other than by the shutdown', () => withOwnTimers(async (port) => {
    const events: LifecycleEvent[] = [];
    let health!: Probes;
    let app!: AppContext;
    const started = deferred();
    const stopped = lastValueFrom(
      runApp$(
        (ctx) => {
          app = ctx;
          health = probes({ app: ctx, name: 'health' });
          started.resolve();
          return NEVER;
        },
        { process: port, signals: [], ipcShutdown: false, logger: false },
      ).pipe(tap((event) => events.push(event))),
    );
    await started.promise;
    const listening = deferred<{ server: http.Server; url: string }>();
    const subscription = health.serve$({ port: 0 }).subscribe(listening.resolve);
    const { server, url } = await listening.promise;
    expect(await status(url, '/livez')).toBe(200);

    subscription.unsubscribe();
    expect(server.listening).toBe(false);
    await expect(request(url, '/livez')).rejects.toThrow(/ECONNREFUSED/);
    app.stop();
    await stopped;
    expect(events.filter((event) => event.type === 'finalizer-start')).toEqual([]);
    const last = events[events.length - 1];
    expect(last?.type === 'stopped' && last.outcome.openHandles).toEqual([]);
  }));

  it('is closed when the budget runs out and the finalizers are skipped', async () => {
    const listening = deferred<{ server: http.Server; url: string }>();
    let app!: AppContext;
    const outcome$ = lastValueFrom(
      runApp$(
        (ctx) => {
          app = ctx;
          ctx.spawn(probes({ app: ctx }).serve$(0).pipe(tap(listening.resolve)));
          return NEVER.pipe(shutdownWaitsFor(ctx, { name: 'stuck' })); // never ends: the budget runs out in draining
        },
        { process: createTestProcess(), shutdownTimeout: 100, logger: false },
      ).pipe(filter((event) => event.type === 'stopped'), map((event) => event.outcome)),
    );
    const { server, url } = await listening.promise;
    app.stop();

    const outcome = await outcome$;
    expect(outcome.status).toBe('timeout');
    expect(outcome.report?.pending).toContainEqual({ kind: 'finalizer', name: 'probes', state: 'skipped' });
    expect(server.listening).toBe(false);
    await expect(request(url, '/livez')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('errors with the listen error (EADDRINUSE), which stops the app', async () => {
    const taken = http.createServer();
    const url = await listen(taken);
    const port = Number(new URL(url).port);
    try {
      const outcome = await runApp((app) => probes({ app }).serve$(port), { process: createTestProcess(), logger: false });
      expect(outcome.status).toBe('error');
      expect(outcome.error).toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await closeServer(taken);
    }
  });
});

describe('probes with Express 5', () => {
  /**
   * `probes(…)` as Express 5 middleware (`app.use(health)`), served through `serve$` on 127.0.0.1 with a
   * real client: probe paths answered, everything else reaches Express, readiness 503 at shutdown.
   */
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
});

describe('probes under Kubernetes', () => {
  /**
   * `probes().serve$(port)` in a pod: all interfaces when `KUBERNETES_SERVICE_HOST` is set (a kubelet
   * probes the pod IP), the loopback elsewhere; a host you give wins. One function reads the variable
   * (`inKubernetes`), for this and for `serve$`'s default `drainDelay`.
   */
  const VARIABLE = 'KUBERNETES_SERVICE_HOST';

  /** Runs `make` with the variable set to `value` (or unset), restoring it after. */
  function withEnv<T>(value: string | undefined, make: () => T): T {
    const saved = process.env[VARIABLE];
    if (value === undefined) delete process.env[VARIABLE];
    else process.env[VARIABLE] = value;
    try {
      return make();
    } finally {
      if (saved === undefined) delete process.env[VARIABLE];
      else process.env[VARIABLE] = saved;
    }
  }

  describe('probes().serve$ under Kubernetes', () => {
    it('binds all interfaces when KUBERNETES_SERVICE_HOST is set, for a port and for options without a host', async () => {
      const listening: ProbeListening[] = [];
      const app = startApp((ctx) => {
        const health = probes({ app: ctx });
        const servers = withEnv('10.96.0.1', () => [health.serve$(0), health.serve$({ port: 0 })]);
        return merge(...servers).pipe(tap((value) => listening.push(value)));
      });
      await waitForCount(listening, 2);
      for (const { address, url } of listening) {
        expect(['0.0.0.0', '::']).toContain((address as AddressInfo).address);
        // Reachable on the loopback too (the kubelet uses the pod IP).
        expect(await status(`${url}/livez`)).toBe(200);
      }
      app.port.signal('SIGTERM');
      expect((await app.stopped).errors).toEqual([]);
    });

    it('binds the loopback elsewhere, and a host you give wins in a pod', async () => {
      const listening: ProbeListening[] = [];
      const app = startApp((ctx) => {
        const health = probes({ app: ctx });
        const servers = [
          withEnv(undefined, () => health.serve$(0)),
          withEnv(undefined, () => health.serve$({ port: 0 })),
          withEnv('10.96.0.1', () => health.serve$({ port: 0, host: '127.0.0.1' })),
        ];
        return merge(...servers).pipe(tap((value) => listening.push(value)));
      });
      await waitForCount(listening, 3);
      expect(listening.map(({ address }) => (address as AddressInfo).address)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
      app.port.signal('SIGTERM');
      expect((await app.stopped).errors).toEqual([]);
    });

    it('inKubernetes reads KUBERNETES_SERVICE_HOST (set and not empty)', () => {
      expect(withEnv('10.96.0.1', inKubernetes)).toBe(true);
      expect(withEnv('', inKubernetes)).toBe(false);
      expect(withEnv(undefined, inKubernetes)).toBe(false);
    });
  });

  /** Waits (one event-loop turn at a time, bounded) until `list` has `count` entries. */
  async function waitForCount(list: readonly unknown[], count: number): Promise<void> {
    for (let turn = 0; turn < 100_000 && list.length < count; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(list).toHaveLength(count);
  }

  function status(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
      http.get(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
  }
});
