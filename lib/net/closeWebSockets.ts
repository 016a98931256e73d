import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { checkKnownKeys, checkObject, describe } from '../core/validate.js';

/**
 * The part of a WebSocket the drain uses: `close(code, reason)` sends a close frame (`ws`'s `WebSocket` fits).
 *
 * @example
 * ```ts
 * const socket: ClosableWebSocket = { close: (code, reason) => console.log('close', code, reason) };
 * ```
 */
export interface ClosableWebSocket {
  close(code?: number, reason?: string): void;
}

/**
 * The part of a WebSocket server {@link closeWebSockets} uses: its `'connection'` event, which gives
 * each WebSocket with the request that upgraded it (`ws`'s `WebSocketServer` fits).
 *
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws';
 * const wss: WebSocketServerLike = new WebSocketServer({ noServer: true });
 * ```
 */
export interface WebSocketServerLike {
  on(event: 'connection', listener: (socket: ClosableWebSocket, request: IncomingMessage) => void): unknown;
}

/**
 * Options of {@link closeWebSockets}.
 *
 * @example
 * ```ts
 * closeWebSockets(wss, { code: 1012, reason: 'restarting' });
 * ```
 */
export interface CloseWebSocketsConfig {
  /** The close code sent to each client. Default 1001 ("going away": the server is shutting down). */
  code?: number;
  /** The close reason, at most 123 bytes of UTF-8. Default `'going away'`. */
  reason?: string;
}

/**
 * An `onUpgradedSocket` hook for `serve$` that closes each WebSocket of `wss` with a close frame —
 * code 1001 "going away" by default — at the drain, instead of the default FIN with no close frame
 * (which a client reports as 1006, abnormal closure). It finds the WebSocket of each upgraded socket
 * through the request that upgraded it (from `wss`'s `'connection'` event), so you keep no map.
 * Create it with the WebSocketServer, before the first connection. An upgraded socket `wss` has no
 * WebSocket for (another server's, a handshake still in progress, or `noServer` mode without
 * `wss.emit('connection', ws, request)`) gets `socket.end()`. The drain then waits for each close
 * handshake (the client answers the close frame, the socket closes), bounded by `drainTimeout`.
 *
 * ```
 * client:   open ─────────────── ◄close 1001 "going away"  close►  (socket closed)
 * serve$:   ──────── SIGTERM ─── upgraded ───────────────────────── drained
 * ```
 *
 * @param wss The WebSocket server, with `on('connection', …)` (`ws`'s `WebSocketServer`).
 * @param config See {@link CloseWebSocketsConfig}.
 * @returns The hook to pass as `serve$`'s `onUpgradedSocket` option (see {@link ServeConfig}).
 * @throws TypeError for a `wss` without `on()`, an unknown option, a `code` that is not a number or a `reason` that
 * is not a string; RangeError for a `code` a server may not send (other than 1000–1003, 1007–1014, 3000–4999) or a
 * `reason` over 123 bytes of UTF-8.
 * @see {@link serve$}, [Servers and probes](../../docs/servers-and-probes.md).
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { WebSocketServer } from 'ws';
 * import { closeWebSockets, runApp, serve$ } from 'rxrun';
 *
 * const server = createServer((req, res) => res.end('hello\n'));
 * const wss = new WebSocketServer({ server });
 * wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
 * runApp((app) => serve$(server, 8080, { app, onUpgradedSocket: closeWebSockets(wss) }));
 * // SIGTERM → every client gets close code 1001 "going away" → drained → exit
 * ```
 */
export function closeWebSockets(wss: WebSocketServerLike, config?: CloseWebSocketsConfig): (socket: Duplex, request: IncomingMessage) => void {
  const where = 'closeWebSockets';
  if (typeof wss !== 'object' || wss === null || typeof (wss as Partial<WebSocketServerLike>).on !== 'function') {
    throw new TypeError(`${where}: 'wss' must be a WebSocket server with on('connection', …) (ws's WebSocketServer), got ${describe(wss)}`);
  }
  const options = checkObject(where, 'config', config);
  checkKnownKeys(where, options, ['code', 'reason']);
  const code = checkCode(where, options['code']) ?? 1001;
  const reason = checkReason(where, options['reason']) ?? 'going away';

  const byRequest = new WeakMap<IncomingMessage, ClosableWebSocket>();
  wss.on('connection', (socket, request) => {
    byRequest.set(request, socket);
  });
  return (socket, request) => {
    const webSocket = byRequest.get(request);
    if (webSocket === undefined) socket.end();
    else webSocket.close(code, reason);
  };
}

function checkCode(where: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${where}: option 'code' must be a number, got ${describe(value)}`);
  // RFC 6455 §7.4: codes an endpoint may send (1004–1006 and 1015 are reserved; 3000–4999 for libraries and apps).
  const valid = Number.isInteger(value) && ((value >= 1000 && value <= 1014 && ![1004, 1005, 1006].includes(value)) || (value >= 3000 && value <= 4999));
  if (!valid) throw new RangeError(`${where}: option 'code' must be a close code a server may send (1000–1003, 1007–1014, 3000–4999), got ${value}`);
  return value;
}

function checkReason(where: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${where}: option 'reason' must be a string, got ${describe(value)}`);
  if (Buffer.byteLength(value) > 123) throw new RangeError(`${where}: option 'reason' must be at most 123 bytes of UTF-8, got ${Buffer.byteLength(value)}`);
  return value;
}
