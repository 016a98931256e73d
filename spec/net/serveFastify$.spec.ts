/**
 * `serveFastify$` with a real Fastify 5 on 127.0.0.1: ready before listening, the drain of `serve$`,
 * then `fastify.close()` (preClose and onClose hooks) as an app finalizer after the drain.
 */
import * as http from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { Subject, takeUntil, tap } from 'rxjs';
import { Client } from 'undici';
import { serve$, serveFastify$, type AppContext, type ServeListening } from 'rxrun';
import { RawClient, deferred, labels, startApp } from './support';

const loopback = { port: 0, host: '127.0.0.1' };

/** A Fastify app with a db-like plugin whose onClose hook records when it ran, and a slow route. */
function fastifyApp(log: string[], options: { closeFails?: boolean } = {}) {
  const slowArrived = deferred();
  const release = deferred();
  let phaseAtClose: string | undefined;
  let ctx: AppContext | undefined;
  const fastify: FastifyInstance = Fastify();
  fastify.register(async (instance) => {
    log.push('db: connected');
    instance.addHook('onClose', async () => {
      phaseAtClose = ctx?.phase;
      log.push('db: onClose start');
      // Really asynchronous: the app must await it.
      await new Promise((resolve) => setImmediate(resolve));
      log.push('db: onClose end');
    });
    if (options.closeFails) {
      instance.addHook('onClose', async () => {
        log.push('cache: onClose throws');
        throw new Error('cache close failed');
      });
    }
  });
  fastify.addHook('preClose', async () => void log.push('preClose'));
  fastify.get('/fast', async () => 'fast');
  fastify.get('/slow', async (_request, reply) => {
    reply.raw.once('finish', () => log.push('slow: response sent'));
    slowArrived.resolve();
    await release.promise;
    return 'slow done';
  });
  return { fastify, slowArrived, release, phase: () => phaseAtClose, setApp: (app: AppContext) => (ctx = app) };
}

describe('serveFastify$ (Fastify 5)', () => {
  it('SIGTERM: the slow request in flight completes with 200, then the onClose hooks run in finalizing and are awaited before stopped', async () => {
    const log: string[] = [];
    const { fastify, slowArrived, release, phase, setApp } = fastifyApp(log);
    let listening: ServeListening | undefined;
    const app = startApp((ctx) => {
      setApp(ctx);
      ctx.defer(() => void log.push('defer: registered before fastify was ready'), { name: 'before' });
      return serveFastify$(fastify, loopback, { app: ctx, name: 'api' }).pipe(
        tap((value) => {
          listening = value;
          ctx.defer(() => void log.push('defer: registered once listening'), { name: 'after' });
        }),
      );
    });
    await app.when((event) => event.type === 'server-listening');
    expect(log).toEqual(['db: connected']); // ready() loaded the plugin before listening
    const client = new Client((listening as ServeListening).url);
    try {
      const fast = await client.request({ path: '/fast', method: 'GET' });
      expect([fast.statusCode, await fast.body.text()]).toEqual([200, 'fast']);

      const slow = client.request({ path: '/slow', method: 'GET' });
      await slowArrived.promise;
      app.port.signal('SIGTERM');
      await app.when((event) => event.type === 'server-drain' && event.step === 'stop-accepting');
      release.resolve();
      const response = await slow;
      expect([response.statusCode, response.headers['connection'], await response.body.text()]).toEqual([200, 'close', 'slow done']);
    } finally {
      await client.close();
    }

    const outcome = await app.stopped;
    expect(outcome.status).toBe('ok');
    // Fastify's own close of the already-closed server (ERR_SERVER_NOT_RUNNING) is no error.
    expect(outcome.errors).toEqual([]);
    expect(log).toEqual([
      'db: connected',
      'slow: response sent',
      'defer: registered once listening',
      'preClose',
      'db: onClose start',
      'db: onClose end',
      'defer: registered before fastify was ready',
    ]);
    expect(phase()).toBe('finalizing');
    const order = labels(app.events);
    expect(order.indexOf('drain:drained')).toBeLessThan(order.indexOf('phase:finalizing'));
    const finalizers = app.events.flatMap((event) => (event.type === 'finalizer-start' || event.type === 'finalizer-end' ? [`${event.type}:${event.name}`] : []));
    expect(finalizers).toEqual([
      'finalizer-start:after', 'finalizer-end:after', 'finalizer-start:api', 'finalizer-end:api', 'finalizer-start:before', 'finalizer-end:before',
    ]);
    expect(fastify.server.listening).toBe(false);
  });

  it('reports an onClose hook that throws in the outcome (source resource); the other hooks still run', async () => {
    const log: string[] = [];
    const { fastify } = fastifyApp(log, { closeFails: true });
    const app = startApp((ctx) => serveFastify$(fastify, loopback, { app: ctx }));
    await app.when((event) => event.type === 'server-listening');
    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    expect(outcome.errors.map((record) => [record.source, record.name, (record.error as Error).message])).toEqual([
      ['resource', 'fastify', 'cache close failed'],
    ]);
    expect(log).toEqual(['db: connected', 'preClose', 'cache: onClose throws', 'db: onClose start', 'db: onClose end']);
    expect(app.events.some((event) => event.type === 'finalizer-end' && event.name === 'fastify')).toBe(true);
  });

  it('unsubscribed other than by the shutdown: fastify.close() waits for the drain, so a late keep-alive request is still served', async () => {
    const log: string[] = [];
    const { fastify, slowArrived, release } = fastifyApp(log);
    const close = jest.spyOn(fastify, 'close');
    const stop$ = new Subject<void>();
    let listening: ServeListening | undefined;
    const app = startApp((ctx) =>
      serveFastify$(fastify, loopback, { app: ctx }).pipe(
        tap((value) => (listening = value)),
        takeUntil(stop$),
      ),
    );
    await app.when((event) => event.type === 'server-listening');
    const port = ((listening as ServeListening).address as { port: number }).port;
    const busy = new RawClient(port);
    const idle = new RawClient(port);
    idle.send('/fast');
    expect((await idle.response()).status).toBe(200);
    busy.send('/slow');
    await slowArrived.promise;

    stop$.next(); // takeUntil: an ordinary unsubscription, the app keeps running
    await app.when((event) => event.type === 'server-drain' && event.step === 'stop-accepting');
    expect(close).not.toHaveBeenCalled();
    // The pooled socket is reused during the drain: served (Connection: close) by Fastify, which is not closing yet.
    idle.send('/fast');
    const late = await idle.response();
    expect([late.status, late.headers['connection'], late.body]).toEqual([200, 'close', 'fast']);
    expect(close).not.toHaveBeenCalled();
    release.resolve();
    expect((await busy.response()).status).toBe(200);
    await waitFor(() => log.includes('db: onClose end'));
    expect(log.indexOf('slow: response sent')).toBeLessThan(log.indexOf('preClose'));
    expect(app.events.some((event) => event.type === 'stopped')).toBe(false);
    expect(close).toHaveBeenCalledTimes(1);

    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(log.filter((line) => line === 'db: onClose end')).toHaveLength(1);
  });

  it('a plugin that fails to load errors the task, after fastify.close() ran the onClose hooks of those that loaded', async () => {
    const log: string[] = [];
    const { fastify } = fastifyApp(log);
    fastify.register(async () => {
      throw new Error('plugin failed');
    });
    const app = startApp((ctx) => serveFastify$(fastify, loopback, { app: ctx }));
    const outcome = await app.stopped;
    expect(outcome.status).toBe('error');
    expect(outcome.errors.map((record) => [record.source, (record.error as Error).message])).toEqual([['task', 'plugin failed']]);
    expect(log).toEqual(['db: connected', 'preClose', 'db: onClose start', 'db: onClose end']);
    expect(app.events.some((event) => event.type === 'server-listening')).toBe(false);
  });

  it('a shutdown while the plugins still load: the app waits for ready(), never listens, and closes Fastify', async () => {
    const log: string[] = [];
    const loading = deferred();
    const { fastify } = fastifyApp(log);
    fastify.register(async () => {
      await loading.promise;
      log.push('slow plugin: loaded');
    });
    const app = startApp((ctx) => serveFastify$(fastify, loopback, { app: ctx }));
    await waitFor(() => log.includes('db: connected'));
    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'protected-pending');
    loading.resolve();
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(log).toEqual(['db: connected', 'slow plugin: loaded', 'preClose', 'db: onClose start', 'db: onClose end']);
    expect(app.events.some((event) => event.type === 'server-listening')).toBe(false);
    expect(fastify.server.listening).toBe(false);
  });

  it("PM2 wait_ready: the app sends 'ready' only once Fastify is ready and listening, even when another server listens first", async () => {
    const log: string[] = [];
    const loading = deferred();
    const { fastify } = fastifyApp(log);
    fastify.register(async () => {
      await loading.promise;
    });
    const app = startApp((ctx) => [serve$(http.createServer(), loopback, { app: ctx, name: 'other' }), serveFastify$(fastify, loopback, { app: ctx, name: 'api' })]);
    await app.when((event) => event.type === 'server-listening' && event.name === 'other');
    await waitFor(() => log.includes('db: connected'));
    expect(app.port.sent).toEqual([]);
    loading.resolve();
    await app.when((event) => event.type === 'ready-sent');
    expect(app.events.some((event) => event.type === 'server-listening' && event.name === 'api')).toBe(true);
    expect(app.port.sent).toEqual(['ready']);
    app.port.signal('SIGTERM');
    expect((await app.stopped).errors).toEqual([]);
  });

  it('bounds fastify.close() by closeTimeout and reports a ResourceTimeoutError', async () => {
    const fastify = Fastify();
    fastify.addHook('onClose', () => new Promise<void>(() => undefined)); // never ends
    const app = startApp((ctx) => serveFastify$(fastify, loopback, { app: ctx, closeTimeout: 50 }));
    await app.when((event) => event.type === 'server-listening');
    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    expect(outcome.errors.map((record) => [record.source, record.name, (record.error as Error).name])).toEqual([
      ['resource', 'fastify', 'ResourceTimeoutError'],
    ]);
  });

  it('validates its arguments', () => {
    const fastify = Fastify();
    expect(() => serveFastify$({} as never, 0)).toThrow(/serveFastify\$: 'fastify' must be a Fastify instance/);
    expect(() => serveFastify$(fastify, 0, { closeTimeout: -1 })).toThrow(RangeError);
    expect(() => serveFastify$(fastify, 0, { closeTimeout: 'soon' as never })).toThrow(/closeTimeout/);
    expect(() => serveFastify$(fastify, 0, { nope: 1 } as never)).toThrow(/unknown option 'nope'/);
    expect(() => serveFastify$(fastify, -1)).toThrow(RangeError);
  });
});

/** Polls `check` once per event-loop turn (bounded: a loop that stops by itself). */
async function waitFor(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000 && !check(); turn += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}
