/**
 * The TCP echo client from the aiorun README, rebuilt on rxrun: connect, send 'Hello World!',
 * print the echo, close, then `app.stop()` — aiorun's `loop.stop()` — so the process exits 0
 * after one round trip. A refused connection is a task error: the process exits 1.
 *
 * Run (server running): npm run build && node -r ts-node/register/transpile-only demos/echo/client.ts [port]
 */
import * as net from 'node:net';
import { Observable, tap } from 'rxjs';
import { runApp } from 'rxrun';
import { HOST, portFromArgs } from './endpoint';

/** Connects, sends `message`, emits the first chunk received, then completes. */
function roundTrip$(port: number, message: string): Observable<string> {
  return new Observable<string>((subscriber) => {
    const socket = net.connect(port, HOST, () => {
      console.log(`Send: '${message}'`);
      socket.write(message);
    });
    socket.once('data', (data) => {
      subscriber.next(data.toString());
      console.log('Close the socket');
      socket.end();
    });
    // Complete only when both sides are closed, so no socket outlives the round trip.
    socket.once('close', () => subscriber.complete());
    socket.once('error', (error) => subscriber.error(error));
    return () => {
      if (!socket.destroyed) socket.destroy();
    };
  });
}

runApp((app) =>
  roundTrip$(portFromArgs(), 'Hello World!').pipe(
    tap({
      next: (received) => console.log(`Received: '${received}'`),
      complete: () => app.stop('one round trip done'), // exit after one message, like the original
    }),
  ),
);
