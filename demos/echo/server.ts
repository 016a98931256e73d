/**
 * The TCP echo server from the aiorun README, rebuilt on rxrun.
 *
 * Shows how a server fits the lifecycle:
 * - the listener is a task; each connection is handled inside it (mergeMap), so cancelling the
 *   app cancels the connections too (aiorun cancels its `handle_echo` tasks the same way);
 * - an `onShutdown` hook stops accepting new connections as soon as shutdown starts;
 * - an `app.defer` finalizer waits until the listener has really closed before the app says bye.
 *
 * Run: npm run build && node -r ts-node/register/transpile-only demos/echo/server.ts [port]
 */
import * as net from 'node:net';
import { Observable, mergeMap } from 'rxjs';
import { runApp } from 'rxrun';
import { HOST, portFromArgs } from './endpoint';

/** Starts listening on subscribe (printing the bound address) and emits every accepted socket. */
function listen$(server: net.Server, port: number): Observable<net.Socket> {
  return new Observable<net.Socket>((subscriber) => {
    const onConnection = (socket: net.Socket) => subscriber.next(socket);
    const onError = (error: Error) => subscriber.error(error);
    server.on('connection', onConnection);
    server.on('error', onError);
    server.listen(port, HOST, () => console.log(`Serving on ${describeAddress(server.address())}`));
    return () => {
      server.off('connection', onConnection);
      server.off('error', onError);
    };
  });
}

/** aiorun's `handle_echo`: read once, echo it back, close. Unsubscribing destroys the socket. */
function echoOnce$(socket: net.Socket): Observable<never> {
  return new Observable<never>((subscriber) => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.once('data', (data) => {
      const message = data.toString();
      console.log(`Received '${message}' from ${peer}`);
      console.log(`Send: '${message}'`);
      console.log('Close the client socket');
      socket.end(data);
    });
    // Done once both sides have closed; a client that goes away early is not an app error either.
    socket.once('close', () => subscriber.complete());
    socket.once('error', () => undefined);
    return () => {
      if (!socket.destroyed) socket.destroy();
    };
  });
}

function describeAddress(address: ReturnType<net.Server['address']>): string {
  return address !== null && typeof address === 'object' ? `${address.address}:${address.port}` : String(address);
}

runApp((app) => {
  const server = net.createServer();
  // 'close' fires once the listener is closed *and* its last connection has ended. Listen now, so
  // the event cannot be missed; a plain listener, so a listen error does not reject anything.
  const listenerClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  // Runs while every task is still alive: stop accepting at once (aiorun's `server.close()`).
  app.onShutdown(() => {
    server.close();
  }, { name: 'stop accepting connections' });

  // Runs after the tasks were cancelled (open connections destroyed), so the close can complete.
  app.defer(async () => {
    await listenerClosed;
    console.log('Listener closed');
  }, { name: 'wait for the listener to close', timeout: 5000 });

  return listen$(server, portFromArgs()).pipe(mergeMap((socket) => echoOnce$(socket)));
});
