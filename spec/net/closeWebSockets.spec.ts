/**
 * WebSockets (`ws`) through `serve$` on 127.0.0.1: `onUpgradedSocket` receives the upgrade request,
 * `closeWebSockets(wss)` closes every client with 1001 "going away" within the drain, and the default
 * (a FIN, no close frame) is what a client reports as 1006.
 */
import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { closeWebSockets, type ServeConfig } from 'rxrun';
import { drainSteps, serveInApp } from './support';

/** An echo WebSocket server in `noServer` mode: the app's own 'upgrade' listener calls handleUpgrade. */
function noServerEcho(): { server: http.Server; wss: WebSocketServer } {
  const server = http.createServer((_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
  server.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  return { server, wss };
}

/** A `ws` client, open and echoing once; resolves its close code and reason. */
async function openClient(url: string, path = '/chat'): Promise<{ ws: WebSocket; closed: Promise<[number, string]> }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`);
  const closed = new Promise<[number, string]>((resolve) => ws.once('close', (code, reason) => resolve([code, reason.toString()])));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send('ping');
  expect(await echoed).toBe('ping');
  return { ws, closed };
}

async function serveWs(server: http.Server, config: ServeConfig = {}) {
  const app = await serveInApp(server, config);
  return { app, url: app.listening.url };
}

describe('WebSockets (ws) and the drain', () => {
  it('closeWebSockets: every client gets close code 1001 "going away" at the drain, and the app stops cleanly', async () => {
    const { server, wss } = noServerEcho();
    const { app, url } = await serveWs(server, { onUpgradedSocket: closeWebSockets(wss) });
    const clients = await Promise.all([openClient(url), openClient(url)]);

    app.port.signal('SIGTERM');
    expect(await Promise.all(clients.map((client) => client.closed))).toEqual([[1001, 'going away'], [1001, 'going away']]);
    const outcome = await app.stopped;
    expect(outcome.status).toBe('ok');
    expect(outcome.errors).toEqual([]); // no DrainTimeoutError: the close handshakes ended the sockets
    expect(drainSteps(app.events)).toEqual(['readiness-down:2', 'stop-accepting:2', 'goaway:0', 'upgraded:2', 'close-idle:0', 'drained:0']);
    expect(wss.clients.size).toBe(0);
  });

  it('closeWebSockets with a WebSocketServer attached to the server ({ server }), and a code and reason of your own', async () => {
    const server = http.createServer((_req, res) => res.end('plain'));
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
    const { app, url } = await serveWs(server, { onUpgradedSocket: closeWebSockets(wss, { code: 1012, reason: 'restarting' }) });
    const client = await openClient(url);

    app.port.signal('SIGTERM');
    expect(await client.closed).toEqual([1012, 'restarting']);
    expect((await app.stopped).errors).toEqual([]);
  });

  it('by default an upgraded socket only gets FIN: the client sees 1006 (abnormal closure), no close frame', async () => {
    const { server } = noServerEcho();
    const { app, url } = await serveWs(server);
    const client = await openClient(url);

    app.port.signal('SIGTERM');
    expect(await client.closed).toEqual([1006, '']);
    expect((await app.stopped).errors).toEqual([]);
  });

  it('onUpgradedSocket receives the socket and the request that upgraded it', async () => {
    const { server, wss } = noServerEcho();
    const seen: string[] = [];
    const close = closeWebSockets(wss);
    const { app, url } = await serveWs(server, {
      onUpgradedSocket: (socket, request: IncomingMessage) => {
        seen.push(`${request.url} ${request.headers.upgrade} ${socket === request.socket}`);
        close(socket, request);
      },
    });
    const client = await openClient(url, '/room/7?user=ada');

    app.port.signal('SIGTERM');
    expect(await client.closed).toEqual([1001, 'going away']);
    expect(seen).toEqual(['/room/7?user=ada websocket true']);
    expect((await app.stopped).errors).toEqual([]);
  });

  it('an upgraded socket the WebSocketServer has no WebSocket for gets socket.end()', async () => {
    const { server } = noServerEcho();
    const other = new WebSocketServer({ noServer: true }); // never sees these connections
    const { app, url } = await serveWs(server, { onUpgradedSocket: closeWebSockets(other) });
    const client = await openClient(url);
    app.port.signal('SIGTERM');
    expect(await client.closed).toEqual([1006, '']);
    expect((await app.stopped).errors).toEqual([]);
  });

  it('validates its arguments', () => {
    const wss = new WebSocketServer({ noServer: true });
    expect(() => closeWebSockets({} as never)).toThrow(TypeError);
    expect(() => closeWebSockets(null as never)).toThrow(/'wss' must be a WebSocket server/);
    expect(() => closeWebSockets(wss, { code: 1006 })).toThrow(RangeError);
    expect(() => closeWebSockets(wss, { code: 1000.5 })).toThrow(RangeError);
    expect(() => closeWebSockets(wss, { code: '1001' as never })).toThrow(TypeError);
    expect(() => closeWebSockets(wss, { reason: 'x'.repeat(124) })).toThrow(/at most 123 bytes/);
    expect(() => closeWebSockets(wss, { nope: true } as never)).toThrow(/unknown option 'nope'/);
    expect(typeof closeWebSockets(wss, { code: 4000, reason: 'bye' })).toBe('function');
  });
});
