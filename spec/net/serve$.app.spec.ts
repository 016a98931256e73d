import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { asyncScheduler, merge, tap, type SchedulerLike } from 'rxjs';
import { runApp$, serve$, type ServeListening } from 'rxrun';
import { RawClient, deferred, labels, startApp } from './support';

const loopback = { port: 0, host: '127.0.0.1' };

/** asyncScheduler, recording the delay of every timer scheduled on it. */
function recordingScheduler(delays: number[]): SchedulerLike {
  return {
    now: () => asyncScheduler.now(),
    schedule: (work: never, delay?: number, state?: never) => {
      delays.push(delay ?? 0);
      return asyncScheduler.schedule(work, delay, state);
    },
  } as SchedulerLike;
}

describe('serve$ in an app', () => {
  it('keeps accepting during drainDelay, and several servers wait the longest delay once', async () => {
    const delays: number[] = [];
    const a = http.createServer((_req, res) => res.end('a'));
    const b = http.createServer((_req, res) => res.end('b'));
    const listening: ServeListening[] = [];
    const app = startApp(
      (ctx) =>
        merge(
          serve$(a, loopback, { app: ctx, name: 'a', drainDelay: 300 }),
          serve$(b, loopback, { app: ctx, name: 'b', drainDelay: 100 }),
        ).pipe(tap((value) => listening.push(value))),
      { scheduler: recordingScheduler(delays) },
    );
    await app.when((event) => event.type === 'server-listening' && event.name === 'b');
    await app.when((event) => event.type === 'server-listening' && event.name === 'a');

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'drain-delay');
    // Still accepting: a new connection gets an answer during the delay.
    const late = new RawClient((listening.find((value) => value.server === a)?.address as { port: number }).port);
    late.send('/');
    const response = await late.response();
    expect(response.body).toBe('a');
    expect(app.events.some((event) => event.type === 'server-drain' && event.step === 'stop-accepting')).toBe(false);

    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    await late.ended;
    expect(delays.filter((delay) => delay === 300 || delay === 100 || delay === 400)).toEqual([300]);
    const steps = app.events.flatMap((event) => (event.type === 'server-drain' ? [`${event.name}:${event.step}`] : []));
    expect(steps.slice(0, 4)).toEqual(['a:readiness-down', 'b:readiness-down', 'a:drain-delay', 'b:drain-delay']);
    const stopAccepting = app.events.findIndex((event) => event.type === 'server-drain' && event.step === 'stop-accepting');
    const delayEnd = app.events.findIndex((event) => event.type === 'hook-end');
    expect(delayEnd).toBeLessThan(stopAccepting);
  });

  it('defaults drainDelay to 5 s when KUBERNETES_SERVICE_HOST is set', async () => {
    const delays: number[] = [];
    process.env['KUBERNETES_SERVICE_HOST'] = '10.0.0.1';
    let server$;
    try {
      server$ = serve$(http.createServer(), loopback);
    } finally {
      delete process.env['KUBERNETES_SERVICE_HOST'];
    }
    const app = startApp(() => server$, { scheduler: recordingScheduler(delays), shutdownTimeout: 60_000 });
    await app.when((event) => event.type === 'server-listening');
    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'drain-delay');
    expect(delays).toContain(5000);
    app.port.signal('SIGINT'); // forced: no need to wait the 5 s
    expect((await app.stopped).status).toBe('forced');
  });

  it('a forced stop during drainDelay leaves no socket open and the server closed once the app stopped', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 120_000;
    const listening = deferred<ServeListening>();
    const app = startApp((ctx) => serve$(server, loopback, { app: ctx, drainDelay: 60_000 }).pipe(tap((value) => listening.resolve(value))), {
      shutdownTimeout: 120_000,
      signalCoalesceWindow: 0,
    });
    const client = new RawClient(((await listening.promise).address as net.AddressInfo).port);
    client.send('/');
    await client.response();
    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'drain-delay');
    app.port.signal('SIGINT');
    const outcome = await app.stopped;
    expect(outcome.status).toBe('forced');
    expect(server.listening).toBe(false);
    expect(outcome.openHandles).toEqual([]);
    await client.closed;
  });

  it("sends PM2's 'ready' once every serve$ is listening, and emits ready-sent", async () => {
    const app = startApp((ctx) => merge(serve$(http.createServer(), loopback, { app: ctx }), serve$(net.createServer(), loopback, { app: ctx })));
    await app.when((event) => event.type === 'ready-sent');
    expect(app.port.sent).toEqual(['ready']);
    const order = labels(app.events);
    expect(order.filter((label) => label === 'server-listening' || label === 'ready-sent')).toEqual(['server-listening', 'server-listening', 'ready-sent']);
    app.port.signal('SIGTERM');
    await app.stopped;
    expect(app.port.sent).toEqual(['ready']);
  });

  it('errors with the Node error on EADDRINUSE; the app reports it as a task error and stops', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const { port } = taken.address() as net.AddressInfo;
    const app = startApp((ctx) => serve$(http.createServer(), { port, host: '127.0.0.1' }, { app: ctx, name: 'api' }));
    const outcome = await app.stopped;
    taken.close();
    expect(outcome.status).toBe('error');
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]?.source).toBe('task');
    expect((outcome.errors[0]?.error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(app.port.sent).toEqual([]);
  });

  it('spends no drainDelay for a server that never listened (EADDRINUSE in a crash loop must not delay the exit)', async () => {
    const delays: number[] = [];
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const { port } = taken.address() as net.AddressInfo;
    const app = startApp((ctx) => serve$(http.createServer(), { port, host: '127.0.0.1' }, { app: ctx, name: 'api', drainDelay: 5000 }), {
      scheduler: recordingScheduler(delays),
    });
    const outcome = await app.stopped;
    taken.close();
    expect((outcome.errors[0]?.error as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    expect(delays).not.toContain(5000);
    expect(labels(app.events).filter((label) => label.startsWith('drain:'))).toEqual([]);
  });

  it('still spends the drainDelay of a server that listened when another in the same app failed to', async () => {
    const delays: number[] = [];
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const { port } = taken.address() as net.AddressInfo;
    const good = http.createServer();
    const app = startApp(
      (ctx) => {
        // The good one listens first; the bad one fails a moment later and stops the app.
        ctx.spawn(serve$(good, loopback, { app: ctx, name: 'good', drainDelay: 300 }), { name: 'good' });
        return new Promise<void>((resolve) => good.once('listening', () => resolve())).then(() =>
          ctx.spawn(serve$(http.createServer(), { port, host: '127.0.0.1' }, { app: ctx, name: 'bad', drainDelay: 5000 }), { name: 'bad' }),
        );
      },
      { scheduler: recordingScheduler(delays) },
    );
    const outcome = await app.stopped;
    taken.close();
    expect(outcome.status).toBe('error');
    expect(delays).toContain(300);
    expect(delays).not.toContain(5000);
    const steps = app.events.flatMap((event) => (event.type === 'server-drain' ? [`${event.name}:${event.step}`] : []));
    expect(steps.slice(0, 2)).toEqual(['good:readiness-down', 'good:drain-delay']);
  });

  it('notices its server closed by user code outside the shutdown: the task completes, a server-closed event says so, the app runs on', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    let task: { closed: boolean } | undefined;
    let values = 0;
    const app = startApp((ctx) => {
      task = ctx.spawn(serve$(server, loopback, { app: ctx, name: 'api' }).pipe(tap(() => (values += 1))), { name: 'api' });
      return new Promise(() => undefined); // main runs on
    });
    await app.when((event) => event.type === 'server-listening');
    expect(task?.closed).toBe(false);
    server.close();
    await app.when((event) => event.type === 'server-closed');
    expect(task?.closed).toBe(true);
    expect(values).toBe(1);
    expect(app.events.find((event) => event.type === 'server-closed')).toMatchObject({ name: 'api' });
    expect(app.events.find((event) => event.type === 'server-closed')).not.toHaveProperty('error');
    expect(app.events.some((event) => event.type === 'phase' && event.phase === 'stopping')).toBe(false);
    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    // Nothing left to drain: only the user's own handler is left on the server.
    expect(server.listenerCount('request')).toBe(1);
  });

  it('notices an error event on its server outside the shutdown: the task errors with it, a server-closed event carries it', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const app = startApp((ctx) => serve$(server, loopback, { app: ctx, name: 'api' }));
    await app.when((event) => event.type === 'server-listening');
    const failure = Object.assign(new Error('accept failed'), { code: 'EMFILE' });
    server.emit('error', failure);
    const outcome = await app.stopped;
    expect(outcome.status).toBe('error');
    expect(outcome.errors.map((record) => [record.source, record.error])).toEqual([['task', failure]]);
    expect(app.events.find((event) => event.type === 'server-closed')).toMatchObject({ name: 'api', error: failure });
    expect(server.listening).toBe(false); // drained on the way out
  });

  it('drains on any other unsubscription too, and the app waits for that drain', async () => {
    const release = deferred();
    const arrived = deferred();
    const server = http.createServer((_req, res) => {
      arrived.resolve();
      void release.promise.then(() => res.end('finished'));
    });
    let listening: ServeListening | undefined;
    const app = startApp((ctx) => {
      const subscription = serve$(server, loopback, { app: ctx, name: 'api' }).subscribe((value) => (listening = value));
      ctx.onShutdown(() => undefined, { name: 'noop' });
      return new Promise<void>((resolve) => {
        void arrived.promise.then(() => {
          subscription.unsubscribe(); // a graceful close, not the app's shutdown
          resolve();
        });
      }).then(() => new Promise<never>(() => undefined));
    });
    await app.when((event) => event.type === 'server-listening');
    const client = new RawClient((listening?.address as net.AddressInfo).port);
    client.send('/');
    await arrived.promise;
    expect(server.listening).toBe(false);
    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'protected-pending');
    release.resolve();
    const response = await client.response();
    expect([response.body, response.headers['connection']]).toEqual(['finished', 'close']);
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    const order = labels(app.events);
    expect(order.indexOf('drain:drained')).toBeLessThan(order.indexOf('protected-drained'));
  });

  it('works without an app: drains on unsubscribe', async () => {
    const release = deferred();
    const arrived = deferred();
    const server = http.createServer((_req, res) => {
      arrived.resolve();
      void release.promise.then(() => res.end('standalone'));
    });
    const listening = deferred<ServeListening>();
    const subscription = serve$(server, loopback).subscribe((value) => listening.resolve(value));
    const { url, address } = await listening.promise;
    expect(url).toBe(`http://127.0.0.1:${(address as net.AddressInfo).port}`);
    const client = new RawClient((address as net.AddressInfo).port);
    client.send('/');
    await arrived.promise;
    subscription.unsubscribe();
    release.resolve();
    const response = await client.response();
    expect([response.body, response.headers['connection']]).toEqual(['standalone', 'close']);
    await client.ended;
    await new Promise<void>((resolve) => (server.listening ? server.once('close', () => resolve()) : resolve()));
    expect(server.listening).toBe(false);
  });

  it('without an app, a drain timeout becomes a process warning (it cannot vanish)', async () => {
    const arrived = deferred();
    const server = http.createServer(() => arrived.resolve()); // never answers
    const listening = deferred<ServeListening>();
    const subscription = serve$(server, loopback, { drainTimeout: 50, name: 'lonely' }).subscribe((value) => listening.resolve(value));
    const client = new RawClient(((await listening.promise).address as net.AddressInfo).port);
    client.send('/');
    await arrived.promise;
    const warned = deferred<[string, { type: string }]>();
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(((message: string, options: { type: string }) => warned.resolve([message, options])) as never);
    subscription.unsubscribe();
    const [message, options] = await warned.promise;
    emitWarning.mockRestore();
    expect(options.type).toBe('DrainTimeoutError');
    expect(message).toMatch(/server 'lonely' did not drain within 50 ms; destroyed 1: 127\.0\.0\.1:\d+ busy \(1 in flight: GET \/\)/);
    await client.closed;
  });

  it('listens on a Unix socket path and drains it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrun-sock-'));
    const socketPath = path.join(dir, 'app.sock');
    const listening = deferred<ServeListening>();
    const app = startApp((ctx) => serve$(http.createServer((_req, res) => res.end('unix')), { path: socketPath }, { app: ctx }).pipe(tap((value) => listening.resolve(value))));
    const { url, address } = await listening.promise;
    expect([url, address]).toEqual([`unix:${socketPath}`, socketPath]);
    const body = await new Promise<string>((resolve) => http.get({ socketPath, path: '/', agent: false }, (res) => res.setEncoding('utf8').on('data', resolve)));
    expect(body).toBe('unix');
    app.port.signal('SIGTERM');
    expect((await app.stopped).errors).toEqual([]);
    expect(existsSync(socketPath)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a server that is already listening', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const error = await new Promise<unknown>((resolve) => serve$(server, loopback).subscribe({ error: resolve }));
    server.close();
    expect(String(error)).toMatch(/serve\$: the server is already listening/);
  });

  it('refuses a second serve$ of a server still being served; after the drain the server is left as found and can be served again', async () => {
    const server = http.createServer((_req, res) => res.end('again'));
    const events = ['connection', 'request', 'upgrade', 'connect', 'newListener', 'removeListener', 'listening', 'error', 'close'];
    const counts = () => events.map((event) => server.listenerCount(event));
    const before = counts();
    for (let round = 0; round < 2; round += 1) {
      const refused: unknown[] = [];
      const app = startApp((ctx) =>
        serve$(server, loopback, { app: ctx }).pipe(tap(() => serve$(server, loopback, { app: ctx }).subscribe({ error: (error) => refused.push(error) }))),
      );
      await app.when((event) => event.type === 'server-listening');
      expect(refused.map(String)).toEqual([expect.stringMatching(/serve\$: the server is already served by another serve\$ subscription/)]);
      const client = new RawClient((server.address() as net.AddressInfo).port);
      client.send('/');
      expect((await client.response()).body).toBe('again');
      app.port.signal('SIGTERM');
      expect((await app.stopped).errors).toEqual([]);
      await client.ended;
      expect(counts()).toEqual(before);
    }
  });

  it('closes a server unsubscribed while its listen was still looking up the host (no listening server left behind)', async () => {
    const server = http.createServer();
    const bound = new Promise<void>((resolve) => server.once('listening', () => resolve()));
    serve$(server, loopback).subscribe().unsubscribe(); // the host lookup is still pending
    await bound;
    await new Promise<void>((resolve) => (server.listening ? server.once('close', () => resolve()) : resolve()));
    expect(server.listening).toBe(false);
  });

  it('uses the one running app when none is passed, and errors when several run', async () => {
    const app = startApp(() => serve$(http.createServer(), loopback, { name: 'implicit' }));
    await app.when((event) => event.type === 'server-listening' && event.name === 'implicit');
    const second = runApp$(() => serve$(http.createServer(), loopback), { logger: false, process: (await import('rxrun/testing')).createTestProcess() });
    const events: string[] = [];
    const done = deferred();
    second.subscribe({ next: (event) => events.push(event.type === 'error' ? `error:${(event.record.error as Error).name}` : event.type), complete: () => done.resolve() });
    await done.promise;
    expect(events).toContain('error:NoCurrentAppError');
    app.port.signal('SIGTERM');
    expect((await app.stopped).errors).toEqual([]);
  });
});

describe('serve$ validation', () => {
  const server = http.createServer();
  it.each([
    [() => serve$({} as http.Server, 0), TypeError, /serve\$: 'server' must be a net.Server/],
    [() => serve$(server, -1), RangeError, /'listen' as a port must be an integer from 0 to 65535, got -1/],
    [() => serve$(server, 'x' as unknown as number), TypeError, /'listen' must be a port number or net.ListenOptions/],
    [() => serve$(server, { port: 70000 }), RangeError, /option 'port' must be an integer/],
    [() => serve$(server, { prot: 1 } as never), TypeError, /unknown option 'prot'/],
    [() => serve$(server, 0, { drainDelay: -1 }), RangeError, /option 'drainDelay'/],
    [() => serve$(server, 0, { drainTimeout: '1s' as unknown as number }), TypeError, /option 'drainTimeout'/],
    [() => serve$(server, 0, { idleGrace: -1 }), RangeError, /option 'idleGrace'/],
    [() => serve$(server, 0, { idleGrace: 'soon' as never }), TypeError, /option 'idleGrace'/],
    [() => serve$(server, 0, { linger: Number.NaN }), RangeError, /option 'linger'/],
    [() => serve$(server, 0, { idleSockets: 'at-once' } as never), TypeError, /unknown option 'idleSockets'/],
    [() => serve$(server, 0, { app: {} as never }), TypeError, /option 'app' must be the AppContext/],
    [() => serve$(server, 0, { onUpgradedSocket: 1 as never }), TypeError, /'onUpgradedSocket' must be a function/],
    [() => serve$(server, 0, { onConnectionDrain: 'x' as never }), TypeError, /'onConnectionDrain' must be a function/],
    [() => serve$(server, 0, { scheduler: {} as never }), TypeError, /option 'scheduler' must be a SchedulerLike/],
    [() => serve$(server, 0, { name: 3 as never }), TypeError, /option 'name' must be a string/],
    [() => serve$(server, 0, { other: 1 } as never), TypeError, /unknown option 'other'/],
  ])('throws at call time: %#', (call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
