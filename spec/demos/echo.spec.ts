import * as net from 'node:net';
import { DemoProcess, expectInOrder, killAllDemos, requireBuiltPackage } from './demoProcess';

const SERVER = 'demos/echo/server.ts';
const CLIENT = 'demos/echo/client.ts';

/** Starts the server on an ephemeral port (port 0) and reads the port it printed. */
async function startServer(): Promise<{ server: DemoProcess; port: number }> {
  const server = new DemoProcess(SERVER, { args: ['0'] });
  const [, port] = await server.waitForLine('stdout', /^Serving on 127\.0\.0\.1:(\d+)$/);
  return { server, port: Number(port) };
}

/** A client that connects and never sends anything; resolves once connected. */
function connectIdle(port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined); // the server may reset it while shutting down: that is fine
    const closed = new Promise<void>((onClose) => socket.once('close', () => onClose()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

describe('demos/echo: the TCP echo server and client', () => {
  beforeAll(requireBuiltPackage);
  afterEach(killAllDemos);

  it('the client makes one round trip and exits 0; SIGINT stops the server gracefully and closes its listener', async () => {
    const { server, port } = await startServer();

    const client = new DemoProcess(CLIENT, { args: [String(port)] });
    const clientExit = await client.exited;

    expect(clientExit).toEqual({ code: 0, signal: null });
    expectInOrder(client.lines.stdout, [/^Send: 'Hello World!'$/, /^Received: 'Hello World!'$/, /^Close the socket$/]);
    expect(client.indexOf('stderr', /stopped \(ok, app\.stop\(one round trip done\)\)/)).toBeGreaterThanOrEqual(0);
    await server.waitForLine('stdout', /^Received 'Hello World!' from 127\.0\.0\.1:\d+$/);

    server.send('SIGINT');
    const serverExit = await server.exited;

    expect(serverExit).toEqual({ code: null, signal: 'SIGINT' });
    expect(server.indexOf('stdout', /^Listener closed$/)).toBeGreaterThanOrEqual(0);
    expectInOrder(server.lines.stderr, [/SIGINT; entering shutdown phase/, /cancelling 1 task/, /running 1 finalizer/, /Bye!/]);
    expect(server.indexOf('stderr', /handles left open/)).toBe(-1);
    expect(await connectError(port)).toBe('ECONNREFUSED');
  });

  it('SIGINT with a connection still open closes that connection and still exits gracefully', async () => {
    const { server, port } = await startServer();
    const idle = await connectIdle(port);

    server.send('SIGINT');
    const serverExit = await server.exited;
    await idle.closed;

    expect(serverExit).toEqual({ code: null, signal: 'SIGINT' });
    expect(server.indexOf('stdout', /^Listener closed$/)).toBeGreaterThanOrEqual(0);
    expect(server.indexOf('stderr', /stopped \(ok, SIGINT\)/)).toBeGreaterThanOrEqual(0);
  });

  it('the client exits 1 when no server listens', async () => {
    const { server, port } = await startServer();
    server.send('SIGINT');
    await server.exited;

    const client = new DemoProcess(CLIENT, { args: [String(port)] });
    const clientExit = await client.exited;

    expect(clientExit).toEqual({ code: 1, signal: null });
    expect(client.indexOf('stderr', /ECONNREFUSED/)).toBeGreaterThanOrEqual(0);
  });
});
