import * as http from 'node:http';
import { DrainTimeoutError } from 'rxrun';
import { manualScheduler } from '../support/manualScheduler';
import { RawClient, deferred, drainSteps, drainStepsExact, labels, serveInApp } from './support';

describe('serve$ (HTTP/1)', () => {
  it('lets keep-alive requests in flight at SIGTERM complete in full with Connection: close, then stops at once', async () => {
    const release = deferred();
    let arrived = 0;
    const allArrived = deferred();
    const server = http.createServer((req, res) => {
      arrived += 1;
      if (arrived === 3) allArrived.resolve();
      void release.promise.then(() => res.end(`done ${req.url}`));
    });
    server.keepAliveTimeout = 120_000; // waiting for it would time the test out
    const app = await serveInApp(server);
    const port = (app.listening.address as { port: number }).port;
    const clients = [1, 2, 3].map(() => new RawClient(port));
    clients.forEach((client, index) => client.send(`/slow/${index}`, { Connection: 'keep-alive' }));
    await allArrived.promise;

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'upgraded');
    release.resolve();
    const responses = await Promise.all(clients.map((client) => client.response()));
    expect(responses.map((response) => [response.status, response.body, response.headers['connection']])).toEqual([
      [200, 'done /slow/0', 'close'],
      [200, 'done /slow/1', 'close'],
      [200, 'done /slow/2', 'close'],
    ]);
    await Promise.all(clients.map((client) => client.ended));
    expect(await Promise.all(clients.map((client) => client.closed))).toEqual([undefined, undefined, undefined]);

    const outcome = await app.stopped;
    expect(outcome.status).toBe('ok');
    expect(outcome.errors).toEqual([]);
    // Busy sockets at the drain's start: close-idle comes once none is busy (no idle socket here: 0).
    expect(drainSteps(app.events)).toEqual(['readiness-down:3', 'stop-accepting:3', 'goaway:0', 'upgraded:0', 'close-idle:0', 'drained:0']);
    const order = labels(app.events);
    expect(order.indexOf('drain:drained')).toBeLessThan(order.indexOf('phase:finalizing'));
    expect(order.slice(order.indexOf('phase:stopping'))).toEqual([
      'phase:stopping', 'hook-start', 'drain:readiness-down', 'hook-end', 'phase:draining', 'drain:stop-accepting',
      'drain:goaway', 'drain:upgraded', 'tasks-cancelled', 'protected-pending', 'drain:close-idle', 'drain:drained', 'protected-drained',
      'phase:finalizing', 'finalizers-start', 'phase:stopped', 'stopped',
    ]);
    expect(outcome.shutdownMs).toBeLessThan(server.keepAliveTimeout);
    expect(server.listening).toBe(false);
  });

  it('ends an idle pooled keep-alive connection with FIN: the client sees end, no reset', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const app = await serveInApp(server);
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/');
    const response = await client.response();
    expect(response.headers['connection']).toBe('keep-alive');

    app.port.signal('SIGTERM');
    await client.ended;
    expect(await client.closed).toBeUndefined();
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(drainSteps(app.events)).toContain('close-idle:1');
  });

  it('ends a connection that connected and sent nothing with FIN', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    const connected = deferred();
    server.on('connection', () => connected.resolve());
    const app = await serveInApp(server);
    const client = new RawClient((app.listening.address as { port: number }).port);
    await connected.promise;

    app.port.signal('SIGTERM');
    await client.ended;
    expect(await client.closed).toBeUndefined();
    expect((await app.stopped).errors).toEqual([]);
    expect(drainSteps(app.events)).toContain('close-idle:1');
  });

  it('keeps a socket that served a request within the idle grace open: a request a pooled client sends on it gets a full 200 with Connection: close; the other gets FIN once quiet for the grace', async () => {
    const release = deferred();
    const slowArrived = deferred();
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') {
        slowArrived.resolve();
        void release.promise.then(() => res.end('slow done'));
      } else res.end(`quick ${req.url}`);
    });
    server.keepAliveTimeout = 120_000; // waiting for it would time the test out
    const scheduler = manualScheduler(); // the idle grace passes when the test says so
    const app = await serveInApp(server, { scheduler, idleGrace: 1000 });
    const port = (app.listening.address as { port: number }).port;
    const reused = new RawClient(port);
    const pooled = new RawClient(port);
    for (const client of [reused, pooled]) {
      client.send('/warm');
      expect((await client.response()).headers['connection']).toBe('keep-alive');
    }
    let pooledEnded = false;
    void pooled.ended.then(() => (pooledEnded = true));
    const slow = new RawClient(port);
    slow.send('/slow');
    await slowArrived.promise;

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'close-idle');
    reused.send('/after-sigterm'); // on a socket that was idle when the drain began
    const response = await reused.response();
    expect([response.status, response.body, response.headers['connection']]).toEqual([200, 'quick /after-sigterm', 'close']);
    await reused.ended;
    expect(pooledEnded).toBe(false); // still within its grace
    scheduler.advance(999);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pooledEnded).toBe(false);
    scheduler.advance(1); // quiet for the whole grace now
    await pooled.ended;
    release.resolve();
    expect((await slow.response()).headers['connection']).toBe('close');
    expect(await Promise.all([reused.closed, pooled.closed, slow.closed])).toEqual([undefined, undefined, undefined]);
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(drainStepsExact(app.events)).toEqual([
      'readiness-down:3', 'stop-accepting:3', 'goaway:0', 'upgraded:0', 'close-idle:0', 'close-idle:1', 'drained:0',
    ]);
  });

  it('gives FIN one loop turn after the drain began to a socket quiet for longer than the idle grace, while another is still busy', async () => {
    const release = deferred();
    const slowArrived = deferred();
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') {
        slowArrived.resolve();
        void release.promise.then(() => res.end('slow done'));
      } else res.end(`quick ${req.url}`);
    });
    server.keepAliveTimeout = 120_000;
    const scheduler = manualScheduler();
    const app = await serveInApp(server, { scheduler, idleGrace: 1000 });
    const port = (app.listening.address as { port: number }).port;
    const pooled = new RawClient(port);
    pooled.send('/warm');
    expect((await pooled.response()).headers['connection']).toBe('keep-alive');
    const slow = new RawClient(port);
    slow.send('/slow');
    await slowArrived.promise;
    scheduler.advance(1000); // the pooled socket has been quiet for the grace

    app.port.signal('SIGTERM');
    await pooled.ended; // FIN while /slow is still in flight
    expect(await pooled.closed).toBeUndefined();
    release.resolve();
    const response = await slow.response();
    expect([response.status, response.body, response.headers['connection']]).toEqual([200, 'slow done', 'close']);
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(drainStepsExact(app.events)).toEqual(['readiness-down:2', 'stop-accepting:2', 'goaway:0', 'upgraded:0', 'close-idle:1', 'drained:0']);
  });

  it('idleGrace 0: every idle socket gets FIN one loop turn after the drain began, even one that has just served', async () => {
    const release = deferred();
    const slowArrived = deferred();
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') {
        slowArrived.resolve();
        void release.promise.then(() => res.end('slow done'));
      } else res.end(`quick ${req.url}`);
    });
    server.keepAliveTimeout = 120_000;
    const app = await serveInApp(server, { idleGrace: 0 });
    const port = (app.listening.address as { port: number }).port;
    const pooled = new RawClient(port);
    pooled.send('/warm');
    expect((await pooled.response()).headers['connection']).toBe('keep-alive');
    const slow = new RawClient(port);
    slow.send('/slow');
    await slowArrived.promise;

    app.port.signal('SIGTERM');
    await pooled.ended;
    expect(await pooled.closed).toBeUndefined();
    release.resolve();
    expect((await slow.response()).headers['connection']).toBe('close');
    expect((await app.stopped).errors).toEqual([]);
    expect(drainStepsExact(app.events)).toEqual(['readiness-down:2', 'stop-accepting:2', 'goaway:0', 'upgraded:0', 'close-idle:1', 'drained:0']);
  });

  it('destroys, quietly, a socket whose peer ignores the FIN once the linger has passed: no error, a linger-destroyed step naming it', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 120_000;
    const scheduler = manualScheduler();
    const app = await serveInApp(server, { scheduler, idleGrace: 100, linger: 200 });
    // A peer that reads the FIN and keeps its side open, as Python's http.client pool does.
    const stubborn = new RawClient((app.listening.address as { port: number }).port, { allowHalfOpen: true });
    stubborn.send('/once');
    await stubborn.response();
    scheduler.advance(100);

    app.port.signal('SIGTERM');
    await stubborn.ended;
    await new Promise((resolve) => setImmediate(resolve));
    expect(app.events.some((event) => event.type === 'stopped')).toBe(false); // waiting for the peer
    scheduler.advance(200);
    const outcome = await app.stopped; // the server's side closed; the peer's half stays its own business
    stubborn.socket.destroy();
    expect(outcome.errors).toEqual([]);
    const lingered = app.events.find((event) => event.type === 'server-drain' && event.step === 'linger-destroyed');
    expect(lingered).toMatchObject({ count: 1, names: [expect.stringMatching(/^127\.0\.0\.1:\d+ closing \(FIN sent\)$/)] });
    expect(drainStepsExact(app.events)).toEqual([
      'readiness-down:1', 'stop-accepting:1', 'goaway:0', 'upgraded:0', 'close-idle:1', 'linger-destroyed:1', 'drained:0',
    ]);
  });

  it('at the drain timeout, destroys idle sockets still waiting out their grace without an error; only busy ones are named', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 120_000;
    const scheduler = manualScheduler();
    const app = await serveInApp(server, { scheduler, idleGrace: 5000, drainTimeout: 1000 });
    const pooled = new RawClient((app.listening.address as { port: number }).port);
    pooled.send('/warm');
    await pooled.response();

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'close-idle');
    scheduler.advance(1000);
    await pooled.closed;
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(drainStepsExact(app.events)).toEqual(['readiness-down:1', 'stop-accepting:1', 'goaway:0', 'upgraded:0', 'close-idle:0', 'linger-destroyed:1', 'drained:0']);
  });

  it('keeps a socket open for the idle grace after a response that promised keep-alive (head sent before the drain)', async () => {
    const release = deferred();
    const slowArrived = deferred();
    let finishStream: () => void = () => undefined;
    const streamStarted = deferred();
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') {
        slowArrived.resolve();
        void release.promise.then(() => res.end('slow done'));
      } else if (req.url === '/stream') {
        res.write('part one, '); // the head goes out now, promising keep-alive
        finishStream = () => res.end('part two');
        streamStarted.resolve();
      } else res.end(`quick ${req.url}`);
    });
    server.keepAliveTimeout = 120_000;
    const app = await serveInApp(server, { scheduler: manualScheduler() }); // its idle grace never passes here
    const port = (app.listening.address as { port: number }).port;
    const slow = new RawClient(port);
    slow.send('/slow');
    const streaming = new RawClient(port);
    streaming.send('/stream');
    await Promise.all([slowArrived.promise, streamStarted.promise]);

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'upgraded');
    finishStream();
    const streamed = await streaming.response();
    expect([streamed.body, streamed.headers['connection']]).toEqual(['part one, part two', 'keep-alive']);
    streaming.send('/reuse'); // the client takes the promise at its word
    const reused = await streaming.response();
    expect([reused.status, reused.body, reused.headers['connection']]).toEqual([200, 'quick /reuse', 'close']);
    await streaming.ended;
    release.resolve();
    await slow.response();
    expect(await Promise.all([streaming.closed, slow.closed])).toEqual([undefined, undefined]);
    expect((await app.stopped).errors).toEqual([]);
  });

  it('half-closes an idle socket (FIN, not a close): a request racing the FIN still reaches the server, not a reset', async () => {
    const urls: string[] = [];
    const server = http.createServer((req, res) => {
      urls.push(req.url ?? '');
      res.end('ok');
    });
    // FIN at once (no grace); the linger never passes here, so the half-open socket stays readable.
    const app = await serveInApp(server, { scheduler: manualScheduler(), idleGrace: 0 });
    const client = new RawClient((app.listening.address as { port: number }).port, { allowHalfOpen: true });
    client.send('/first');
    await client.response();

    app.port.signal('SIGTERM');
    await client.ended;
    client.send('/raced'); // as if sent just before the FIN arrived
    const raced = deferred();
    server.on('request', () => raced.resolve());
    await raced.promise;
    client.socket.end();
    expect(await client.closed).toBeUndefined();
    expect(urls).toEqual(['/first', '/raced']);
    expect((await app.stopped).errors).toEqual([]);
  }, 10_000);

  it('answers a request whose head was arriving when the drain began, with Connection: close', async () => {
    const server = http.createServer((req, res) => res.end(`late ${req.url}`));
    const headSeen = deferred();
    const app = await serveInApp(server);
    const client = new RawClient((app.listening.address as { port: number }).port);
    server.on('connection', (socket) => socket.once('data', () => headSeen.resolve()));
    client.socket.write('GET /late HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // the head is not finished yet
    await headSeen.promise;

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'upgraded');
    client.socket.write('\r\n');
    const response = await client.response();
    expect([response.status, response.body, response.headers['connection']]).toEqual([200, 'late /late', 'close']);
    await client.ended;
    expect(await client.closed).toBeUndefined();
    expect((await app.stopped).errors).toEqual([]);
    expect(drainSteps(app.events)).toContain('close-idle:0');
  });

  it('streams a response begun before SIGTERM to its end, then closes the socket', async () => {
    const chunks = ['one ', 'two ', 'three ', 'four'];
    const next = deferred();
    let sendNext: () => void = () => undefined;
    const server = http.createServer((_req, res) => {
      res.write(chunks[0]);
      let index = 1;
      sendNext = () => {
        const chunk = chunks[index] as string;
        index += 1;
        if (index === chunks.length) res.end(chunk);
        else res.write(chunk);
      };
      next.resolve();
    });
    const app = await serveInApp(server);
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/stream');
    await next.promise;

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'upgraded');
    for (let i = 1; i < chunks.length; i += 1) sendNext();
    const response = await client.response();
    expect(response.body).toBe('one two three four');
    expect(response.headers['transfer-encoding']).toBe('chunked');
    await client.ended;
    expect(await client.closed).toBeUndefined();
    expect((await app.stopped).errors).toEqual([]);
  });

  it('answers a request sent during the drain on a busy socket (pipelined) with Connection: close, then ends', async () => {
    let finishFirst: () => void = () => undefined;
    const firstStarted = deferred();
    const secondArrived = deferred();
    const server = http.createServer((req, res) => {
      if (req.url === '/first') {
        res.write('first '); // headers sent: keep-alive is already promised for this one
        finishFirst = () => res.end('done');
        firstStarted.resolve();
      } else {
        secondArrived.resolve();
        res.end('second');
      }
    });
    const app = await serveInApp(server);
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/first');
    await firstStarted.promise;

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'upgraded');
    client.send('/second');
    await secondArrived.promise;
    finishFirst();
    const first = await client.response();
    const second = await client.response();
    expect([first.body, first.headers['connection']]).toEqual(['first done', 'keep-alive']);
    expect([second.body, second.headers['connection']]).toEqual(['second', 'close']);
    await client.ended;
    expect(await client.closed).toBeUndefined();
    expect((await app.stopped).errors).toEqual([]);
  });

  it('destroys a response slower than drainTimeout, names it, and reports a DrainTimeoutError', async () => {
    const arrived = deferred();
    const server = http.createServer(() => arrived.resolve()); // never answers
    const app = await serveInApp(server, { name: 'api', drainTimeout: 200 });
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/never');
    await arrived.promise;

    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    expect(outcome.status).toBe('error');
    expect(outcome.errors).toHaveLength(1);
    const [record] = outcome.errors;
    expect(record?.source).toBe('server');
    expect(record?.name).toBe('api');
    expect(record?.error).toBeInstanceOf(DrainTimeoutError);
    // Named with the request in flight, not only the socket.
    expect((record?.error as DrainTimeoutError).names).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ busy \(1 in flight: GET \/never\)$/)]);
    const destroyed = app.events.find((event) => event.type === 'server-drain' && event.step === 'destroyed');
    expect(destroyed).toMatchObject({ name: 'api', count: 1, names: [expect.stringContaining('busy')] });
    expect(drainSteps(app.events)).not.toContain('drained:0');
    await client.closed;
    expect(server.listening).toBe(false);
  });

  it("by default, times out a little before the app's budget: serve$ names the socket, the app does not time out", async () => {
    const arrived = deferred();
    const server = http.createServer(() => arrived.resolve()); // never answers
    const app = await serveInApp(server, { name: 'api' }, { shutdownTimeout: 1000 });
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/never');
    await arrived.promise;

    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    expect(outcome.status).toBe('error');
    expect(outcome.report).toBeUndefined();
    expect(outcome.errors.map((record) => [record.source, (record.error as Error).name])).toEqual([['server', 'DrainTimeoutError']]);
    const error = outcome.errors[0]?.error as DrainTimeoutError;
    expect(error.timeoutMs).toBeGreaterThan(0);
    expect(error.timeoutMs).toBeLessThan(1000);
    await client.closed;
  });

  it('destroys and names what is open when the app is forced to stop (a second SIGINT)', async () => {
    const arrived = deferred();
    const server = http.createServer(() => arrived.resolve()); // never answers
    const app = await serveInApp(server, { name: 'api' }, { signalCoalesceWindow: 0 });
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/never');
    await arrived.promise;

    app.port.signal('SIGINT');
    await app.when((event) => event.type === 'protected-pending');
    app.port.signal('SIGINT');
    const outcome = await app.stopped;
    expect(outcome.status).toBe('forced');
    expect(outcome.report?.pending).toEqual([{ kind: 'protected', name: 'serve$ api', state: 'running' }]);
    const destroyed = app.events.find((event) => event.type === 'server-drain' && event.step === 'destroyed');
    expect(destroyed).toMatchObject({ count: 1, names: [expect.stringContaining('busy (1 in flight: GET /never)')] });
    await client.closed;
    expect(server.listening).toBe(false);
  });
});
