import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serve$, type ServeConfig } from 'rxrun';
import { manualScheduler } from '../support/manualScheduler';
import { selfSignedCert } from './tls';
import { RawClient, deferred, drainSteps, serveInApp, startApp } from './support';

const cert = selfSignedCert();

describe('serve$ (HTTPS)', () => {
  it('completes an in-flight HTTPS request with Connection: close and ends idle TLS and never-handshaked sockets with FIN', async () => {
    const release = deferred();
    const arrived = deferred();
    const server = https.createServer(cert, (req, res) => {
      if (req.url === '/slow') {
        arrived.resolve();
        void release.promise.then(() => res.end('slow done'));
      } else res.end('quick');
    });
    const connected = deferred();
    let connections = 0;
    server.on('connection', () => {
      connections += 1;
      if (connections === 3) connected.resolve();
    });
    const app = await serveInApp(server);
    expect(app.listening.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = (app.listening.address as { port: number }).port;

    const agent = new https.Agent({ keepAlive: true, ca: cert.cert });
    const slow = new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/slow', agent, servername: 'localhost' }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ body, connection: res.headers.connection }));
        })
        .on('error', reject);
    });
    // An idle TLS keep-alive connection, and a raw TCP one that never starts the handshake.
    const idle = tls.connect({ host: '127.0.0.1', port, ca: cert.cert, servername: 'localhost' });
    const idleResponse = deferred<string>();
    idle.setEncoding('utf8');
    idle.on('data', (chunk: string) => idleResponse.resolve(chunk));
    idle.write('GET /quick HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const idleEnded = new Promise<void>((resolve) => idle.once('end', () => resolve()));
    const idleErrors: string[] = [];
    idle.on('error', (error: NodeJS.ErrnoException) => idleErrors.push(error.code ?? error.message));
    const silent = new RawClient(port);
    await Promise.all([arrived.promise, connected.promise, idleResponse.promise]);

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'upgraded');
    release.resolve();
    expect(await slow).toEqual({ body: 'slow done', connection: 'close' });
    await idleEnded;
    idle.end();
    await silent.ended;
    expect(await silent.closed).toBeUndefined();
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(idleErrors).toEqual([]);
    // The idle ones got FIN once quiet for the idle grace (none crossed a request).
    expect(drainSteps(app.events)).toEqual(['readiness-down:3', 'stop-accepting:3', 'goaway:0', 'upgraded:0', 'close-idle:2', 'drained:0']);
    agent.destroy();
  });
});

describe('serve$ (HTTP/2)', () => {
  it('lets several streams of a session finish, sends GOAWAY, and stops', async () => {
    const release = deferred();
    let streams = 0;
    const allStreams = deferred();
    const server = http2.createServer();
    server.on('stream', (stream, headers) => {
      streams += 1;
      if (streams === 3) allStreams.resolve();
      void release.promise.then(() => {
        stream.respond({ ':status': 200 });
        stream.end(`stream ${String(headers[':path'])}`);
      });
    });
    const app = await serveInApp(server);
    expect(app.listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const session = http2.connect(app.listening.url);
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const sessionClosed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const sessionErrors: unknown[] = [];
    session.on('error', (error) => sessionErrors.push(error));
    const bodies = ['/a', '/b', '/c'].map(
      (path) =>
        new Promise<string>((resolve, reject) => {
          const request = session.request({ ':path': path });
          let body = '';
          request.setEncoding('utf8');
          request.on('data', (chunk: string) => (body += chunk));
          request.on('end', () => resolve(body));
          request.on('error', reject);
        }),
    );
    await allStreams.promise;

    app.port.signal('SIGTERM');
    await goaway;
    release.resolve();
    expect(await Promise.all(bodies)).toEqual(['stream /a', 'stream /b', 'stream /c']);
    await sessionClosed;
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(sessionErrors).toEqual([]);
    expect(drainSteps(app.events)).toEqual(['readiness-down:1', 'stop-accepting:1', 'goaway:1', 'upgraded:0', 'close-idle:0', 'drained:0']);
  });
});

describe('serve$ (HTTP/2 over TLS)', () => {
  it('lets a stream finish over a secure session, then GOAWAY', async () => {
    const release = deferred();
    const arrived = deferred();
    const server = http2.createSecureServer(cert);
    server.on('stream', (stream) => {
      arrived.resolve();
      void release.promise.then(() => {
        stream.respond({ ':status': 200 });
        stream.end('secure stream');
      });
    });
    const app = await serveInApp(server);
    expect(app.listening.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const session = http2.connect(app.listening.url, { ca: cert.cert, servername: 'localhost' });
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const body = new Promise<string>((resolve, reject) => {
      const request = session.request({ ':path': '/' });
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => resolve(text));
      request.on('error', reject);
    });
    await arrived.promise;
    app.port.signal('SIGTERM');
    await goaway;
    release.resolve();
    expect(await body).toBe('secure stream');
    await closed;
    expect((await app.stopped).errors).toEqual([]);
    expect(drainSteps(app.events)).toContain('goaway:1');
  });
});

/** A hand-rolled upgrade: 101, then the socket echoes (enough to stand in for a WebSocket). */
function upgradingServer(): http.Server {
  const server = http.createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (_req, socket: net.Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (data) => socket.write(data));
  });
  return server;
}

async function upgradedClient(port: number): Promise<RawClient> {
  const client = new RawClient(port);
  client.send('/ws', { Connection: 'Upgrade', Upgrade: 'echo' });
  const head = await client.response();
  expect(head.status).toBe(101);
  return client;
}

describe('serve$ (upgraded sockets)', () => {
  it('hands an upgraded socket to onUpgradedSocket, which says goodbye; the drain does not hang', async () => {
    const hooked: unknown[] = [];
    const server = upgradingServer();
    const app = await serveInApp(server, {
      onUpgradedSocket: (socket) => {
        hooked.push(socket);
        socket.end('close-frame');
      },
    });
    const client = await upgradedClient((app.listening.address as { port: number }).port);
    let received = '';
    client.socket.on('data', (chunk: string) => (received += chunk));

    app.port.signal('SIGTERM');
    await client.ended;
    expect(received).toBe('close-frame');
    expect(await client.closed).toBeUndefined();
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(hooked).toHaveLength(1);
    expect(drainSteps(app.events)).toEqual(['readiness-down:1', 'stop-accepting:1', 'goaway:0', 'upgraded:1', 'close-idle:0', 'drained:0']);
  });

  it('ends an upgraded socket by default', async () => {
    const app = await serveInApp(upgradingServer());
    const client = await upgradedClient((app.listening.address as { port: number }).port);
    app.port.signal('SIGTERM');
    await client.ended;
    expect(await client.closed).toBeUndefined();
    expect((await app.stopped).errors).toEqual([]);
  });

  it('destroys and names an upgraded socket whose hook never closes it, at drainTimeout', async () => {
    const app = await serveInApp(upgradingServer(), { drainTimeout: 100, onUpgradedSocket: () => undefined });
    const client = await upgradedClient((app.listening.address as { port: number }).port);
    app.port.signal('SIGTERM');
    const outcome = await app.stopped;
    await client.closed;
    expect(outcome.errors.map((record) => (record.error as Error).name)).toEqual(['DrainTimeoutError']);
    const destroyed = app.events.find((event) => event.type === 'server-drain' && event.step === 'destroyed');
    expect(destroyed).toMatchObject({ count: 1, names: [expect.stringMatching(/ upgraded \(GET \/ws\)$/)] });
  });

  it('does not change how a server without an upgrade listener answers an upgrade request', async () => {
    const app = await serveInApp(http.createServer((_req, res) => res.end('plain')));
    const client = new RawClient((app.listening.address as { port: number }).port);
    client.send('/ws', { Connection: 'Upgrade', Upgrade: 'echo' });
    const response = await client.response();
    expect([response.status, response.body]).toEqual([200, 'plain']);
    app.port.signal('SIGTERM');
    await client.ended;
    expect((await app.stopped).errors).toEqual([]);
  });
});

describe('serve$ (net)', () => {
  it('reports a throwing onConnectionDrain (source server) and still ends the socket with FIN', async () => {
    const accepted = deferred();
    const server = net.createServer(() => accepted.resolve());
    const app = await serveInApp(server, {
      name: 'echo',
      onConnectionDrain: () => {
        throw new Error('hook failed');
      },
    });
    const client = new RawClient((app.listening.address as { port: number }).port);
    await accepted.promise;
    app.port.signal('SIGTERM');
    await client.ended;
    expect(await client.closed).toBeUndefined();
    const outcome = await app.stopped;
    expect(outcome.errors.map((record) => [record.source, record.name, String(record.error)])).toEqual([['server', 'echo', 'Error: hook failed']]);
    expect(drainSteps(app.events)).toContain('drained:0');
  });

  it('reports a throwing onUpgradedSocket and still ends the upgraded socket', async () => {
    const app = await serveInApp(upgradingServer(), {
      name: 'ws',
      onUpgradedSocket: () => {
        throw new Error('upgrade hook failed');
      },
    });
    const client = await upgradedClient((app.listening.address as { port: number }).port);
    app.port.signal('SIGTERM');
    await client.ended;
    const outcome = await app.stopped;
    expect(outcome.errors.map((record) => [record.source, record.name, String(record.error)])).toEqual([['server', 'ws', 'Error: upgrade hook failed']]);
  });

  it('drains a net echo server: each connection gets onConnectionDrain to say goodbye', async () => {
    const server = net.createServer((socket) => socket.on('data', (data) => socket.write(data)));
    const app = await serveInApp(server, { onConnectionDrain: (socket) => socket.end('goodbye\n') });
    expect(app.listening.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const client = net.connect((app.listening.address as { port: number }).port, '127.0.0.1');
    client.setEncoding('utf8');
    let received = '';
    const echoed = deferred();
    client.on('data', (chunk: string) => {
      received += chunk;
      if (received === 'hello\n') echoed.resolve();
    });
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    client.write('hello\n');
    await echoed.promise;

    app.port.signal('SIGTERM');
    await ended;
    expect(received).toBe('hello\ngoodbye\n');
    expect((await app.stopped).errors).toEqual([]);
    expect(errors).toEqual([]);
    expect(drainSteps(app.events)).toEqual(['readiness-down:1', 'stop-accepting:1', 'goaway:0', 'upgraded:0', 'close-idle:1', 'drained:0']);
  });
});

describe('serve$ (TLS on a Unix socket path)', () => {
  const socketDir = mkdtempSync(path.join(tmpdir(), 'rxrun-unix-tls-'));
  afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

  /** Serves `server` on a Unix socket path in an app; resolves once listening. */
  async function serveOnPath(server: net.Server, name: string, config: Omit<ServeConfig, 'app' | 'name'> = {}) {
    const socketPath = path.join(socketDir, `${name}.sock`);
    const app = startApp((ctx) => serve$(server, { path: socketPath }, { ...config, app: ctx, name }));
    await app.when((event) => event.type === 'server-listening');
    return { app, socketPath };
  }

  it('HTTPS: a response in flight at SIGTERM completes in full with Connection: close (the TLS socket is matched without a remote endpoint)', async () => {
    const release = deferred();
    const arrived = deferred();
    const server = https.createServer(cert, (_req, res) => {
      arrived.resolve();
      void release.promise.then(() => res.end('slow done'));
    });
    const scheduler = manualScheduler();
    const { app, socketPath } = await serveOnPath(server, 'https', { scheduler, idleGrace: 100 });
    const reply = new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
      https
        .get({ socketPath, path: '/slow', ca: cert.cert, servername: 'localhost', agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ body, connection: res.headers.connection }));
        })
        .on('error', reject);
    });
    await arrived.promise;

    app.port.signal('SIGTERM');
    await app.when((event) => event.type === 'server-drain' && event.step === 'close-idle');
    scheduler.advance(1000); // long past the idle grace: an unmatched (so 'idle') socket would get FIN now
    await new Promise((resolve) => setImmediate(resolve));
    release.resolve();
    expect(await reply).toEqual({ body: 'slow done', connection: 'close' });
    expect((await app.stopped).errors).toEqual([]);
  });

  it.each([
    ['over TLS', true],
    ['plain (h2c)', false],
  ])('HTTP/2 %s: the session gets GOAWAY and its open stream finishes', async (_label, secure) => {
    const release = deferred();
    const arrived = deferred();
    const server = secure ? http2.createSecureServer(cert) : http2.createServer();
    server.on('stream', (stream) => {
      arrived.resolve();
      void release.promise.then(() => {
        stream.respond({ ':status': 200 });
        stream.end('stream done');
      });
    });
    const { app, socketPath } = await serveOnPath(server, secure ? 'h2' : 'h2c');
    const session = secure
      ? http2.connect('https://localhost', { createConnection: () => tls.connect({ path: socketPath, ca: cert.cert, servername: 'localhost', ALPNProtocols: ['h2'] }) })
      : http2.connect('http://localhost', { createConnection: () => net.connect({ path: socketPath }) });
    session.on('error', () => undefined);
    const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
    const body = new Promise<string>((resolve, reject) => {
      const request = session.request({ ':path': '/' });
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => resolve(text));
      request.on('error', reject);
    });
    await arrived.promise;

    app.port.signal('SIGTERM');
    await goaway;
    release.resolve();
    expect(await body).toBe('stream done');
    const outcome = await app.stopped;
    expect(outcome.errors).toEqual([]);
    expect(drainSteps(app.events)).toContain('goaway:1');
    session.close();
  });
});
