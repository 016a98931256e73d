import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerKind } from './serverKind.js';

/** One accepted connection, from its raw TCP socket to its close (internal). */
interface Connection {
  readonly key: string;
  readonly raw: net.Socket;
  /** What to end: the TLS socket once the handshake is done, else the raw socket. */
  socket: net.Socket;
  secured: boolean;
  /** HTTP/1 responses not finished yet (in flight). */
  readonly responses: Set<ServerResponse>;
  /** `bytesRead` that requests account for: more means a request is arriving (plain HTTP/1 only). */
  accounted: number;
  upgraded: Duplex | undefined;
  session: Http2Session | undefined;
  /** We ended it (FIN) or handed it to a drain hook. */
  ended: boolean;
}

/** Callbacks the tracker calls on user code (wrapped by the caller). */
export interface TrackerHooks {
  onUpgradedSocket(socket: Duplex): void;
  onConnectionDrain(socket: net.Socket): void;
  /** A connection, session or upgraded socket closed. */
  onClosed(): void;
  /** Idle sockets kept open while others were busy were ended (FIN) now that none is busy: how many. */
  onIdleClosed(count: number): void;
}

/** Tracks a server's connections and performs the drain steps on them (internal to `serve$`). */
export interface ConnectionTracker {
  /** Open connections (TCP), HTTP/2 sessions included in them. */
  readonly size: number;
  /** Marks the drain begun: new HTTP/1 responses get `Connection: close`; busy sockets end after their last response. */
  beginDrain(): void;
  /**
   * HTTP/1: in-flight responses get `Connection: close`; idle sockets get FIN now when nothing is busy
   * (returns how many), else they stay open until nothing is busy (returns `undefined`; `onIdleClosed`
   * tells when). net: every socket goes to `onConnectionDrain` (returns how many).
   */
  closeIdle(): number | undefined;
  /** Idle sockets wait for the busy ones (a `closeIdle` returned `undefined` and `onIdleClosed` was not called yet). */
  readonly idleWaiting: boolean;
  /** HTTP/2: `session.close()` (GOAWAY) on every session. */
  goaway(): number;
  /** Upgraded sockets go to `onUpgradedSocket`. */
  drainUpgraded(): number;
  /** Descriptions of what is open, at most `limit`. */
  describe(limit: number): string[];
  /** Destroys everything still open; returns how many. */
  destroyAll(): number;
  /** Removes the tracker's listeners from the server. */
  detach(): void;
}

/**
 * When idle HTTP sockets get FIN at the drain: `'after-busy'` once nothing else is in flight (a request
 * that arrives on one meanwhile is served with `Connection: close`), `'at-once'` one event-loop turn
 * after the drain began (internal; see `ServeConfig.idleSockets`).
 */
export type IdleSocketPolicy = 'after-busy' | 'at-once';

/** Starts tracking `server`'s connections; call before `listen` so none is missed (internal). */
export function trackConnections(
  server: net.Server,
  kind: ServerKind,
  hooks: TrackerHooks,
  idlePolicy: IdleSocketPolicy = 'after-busy',
): ConnectionTracker {
  const connections = new Map<string, Connection>();
  // The raw and TLS sockets of each connection: a cheap lookup for every request (remoteAddress is a syscall).
  const bySocket = new WeakMap<object, Connection>();
  let draining = false;
  /** Idle sockets wait for the busy ones to finish before they get FIN (see `settleIdle`). */
  let idleWaiting = false;
  let settleQueued = false;
  let nextId = 0;
  const serverEvents = server as unknown as NodeJS.EventEmitter;

  const keyOf = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string | undefined =>
    socket.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`;
  const find = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }) => {
    const known = bySocket.get(socket);
    if (known !== undefined) return known;
    const key = keyOf(socket);
    return key === undefined ? undefined : connections.get(key);
  };

  const onConnection = (raw: net.Socket) => {
    nextId += 1;
    // An HTTP/2 session's socket and a TLS socket are other objects than the raw one: match them by remote endpoint.
    const key = keyOf(raw) ?? `closed#${nextId}`;
    const connection: Connection = {
      key, raw, socket: raw, secured: false, responses: new Set(), accounted: 0, upgraded: undefined, session: undefined, ended: false,
    };
    connections.set(key, connection);
    bySocket.set(raw, connection);
    raw.once('close', () => {
      if (connections.get(key) === connection) connections.delete(key);
      if (draining) settleIdle();
      hooks.onClosed();
    });
    if (draining) drainConnection(connection);
  };

  const onSecureConnection = (socket: net.Socket) => {
    const connection = find(socket);
    if (connection === undefined) return;
    connection.socket = socket;
    connection.secured = true;
    bySocket.set(socket, connection);
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (request.httpVersionMajor >= 2) return; // HTTP/2 streams: their session drains them
    const connection = find(request.socket);
    if (connection === undefined) return;
    connection.responses.add(response);
    connection.accounted = connection.raw.bytesRead;
    if (draining) closeAfter(response);
    // One listener per request keeps the steady-state cost low: a response always emits 'close' (after
    // 'finish', or when its socket went away). A body still arriving then is accounted for at its end.
    const onFinished = () => {
      if (!connection.responses.delete(response)) return;
      connection.accounted = connection.raw.bytesRead;
      if (!request.complete) {
        request.once('end', () => {
          connection.accounted = connection.raw.bytesRead;
          if (draining) settleIdle();
        });
      }
      if (!draining) return;
      // Its last response is out: FIN — unless the next request is arriving (it is answered with Connection:
      // close), or the response went out promising keep-alive (its head was sent before the drain) while
      // idle sockets wait: the client may reuse it at once, so it waits with them.
      const waits = idleWaiting && !saysClose(response);
      if (connection.responses.size === 0 && connection.upgraded === undefined && !isReceiving(connection) && !waits) endSocket(connection);
      settleIdle();
    };
    response.once('close', onFinished);
  };

  const onUpgrade = (_request: IncomingMessage, socket: Duplex) => {
    const connection = find(socket as net.Socket);
    if (connection === undefined) return;
    connection.upgraded = socket;
    // The user's 'upgrade' listener runs after this one: hand the socket over once it has it.
    if (draining) {
      process.nextTick(() => {
        handUpgraded(connection);
        settleIdle();
      });
    }
  };

  const onSession = (session: Http2Session) => {
    const connection = find(session.socket);
    if (connection === undefined) return;
    connection.session = session;
    if (draining) session.close();
  };

  // Node treats an upgrade request as an ordinary request when nobody listens for 'upgrade' (or
  // 'connect'): listen only while the user does, or we would change what the server does.
  const upgradeEvents = ['upgrade', 'connect'];
  let adjusting = false;
  const syncUpgradeListener = (event: string | symbol) => {
    if (adjusting || typeof event !== 'string' || !upgradeEvents.includes(event)) return;
    process.nextTick(() => {
      const ours = serverEvents.listeners(event).includes(onUpgrade);
      const theirs = serverEvents.listenerCount(event) - (ours ? 1 : 0);
      adjusting = true;
      try {
        if (theirs > 0 && !ours && attached) serverEvents.prependListener(event, onUpgrade);
        if (theirs === 0 && ours) serverEvents.removeListener(event, onUpgrade);
      } finally {
        adjusting = false;
      }
    });
  };
  // Synchronously too: an upgrade can arrive before the next tick.
  const onNewListener = (event: string | symbol) => {
    if (adjusting || typeof event !== 'string' || !upgradeEvents.includes(event)) return;
    if (!serverEvents.listeners(event).includes(onUpgrade)) {
      adjusting = true;
      try {
        serverEvents.prependListener(event, onUpgrade);
      } finally {
        adjusting = false;
      }
    }
  };

  let attached = true;
  serverEvents.prependListener('connection', onConnection);
  if (kind.secure) serverEvents.prependListener('secureConnection', onSecureConnection);
  if (kind.protocol !== 'net') serverEvents.prependListener('request', onRequest);
  if (kind.protocol === 'http2') serverEvents.prependListener('session', onSession);
  if (kind.protocol === 'http1') {
    serverEvents.on('newListener', onNewListener);
    serverEvents.on('removeListener', syncUpgradeListener);
    for (const event of upgradeEvents) if (serverEvents.listenerCount(event) > 0) serverEvents.prependListener(event, onUpgrade);
  }

  function endSocket(connection: Connection): void {
    if (connection.ended) return;
    connection.ended = true;
    // FIN, never RST: the client sees 'end'. The read side stays open, so a request already on its way is
    // still read (and answered if the socket can still write) rather than answered by a reset.
    connection.socket.end();
  }

  function closeAfter(response: ServerResponse): void {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  }

  /** The response told the client the connection closes (ours or the handler's header). */
  function saysClose(response: ServerResponse): boolean {
    return /\bclose\b/i.test(String(response.getHeader('connection') ?? ''));
  }

  function handUpgraded(connection: Connection): void {
    if (connection.ended || connection.upgraded === undefined) return;
    connection.ended = true;
    hooks.onUpgradedSocket(connection.upgraded);
  }

  function isReceiving(connection: Connection): boolean {
    // Bytes beyond what requests account for: a request's head is arriving. TLS records (alerts,
    // tickets) make raw byte counts meaningless, so this refinement is for plain HTTP/1 only.
    return !kind.secure && connection.raw.bytesRead > connection.accounted;
  }

  /** Busy: a response in flight, a request arriving, an HTTP/2 session or an upgraded socket not handed over yet. */
  function isBusy(connection: Connection, upgradedBusy = true): boolean {
    if (connection.ended) return false;
    if (connection.upgraded !== undefined) return upgradedBusy;
    return connection.responses.size > 0 || connection.session !== undefined || isReceiving(connection);
  }

  /** `upgradedBusy: false` at the drain's start: upgraded sockets go to their hook in the same step sequence. */
  function hasBusy(upgradedBusy = true): boolean {
    for (const connection of connections.values()) if (isBusy(connection, upgradedBusy)) return true;
    return false;
  }

  /**
   * Idle sockets that waited for the busy ones get FIN once none is busy — one event-loop turn later,
   * so a request already in a socket's buffer is read first (and served with Connection: close) rather
   * than met by the FIN. A request arriving meanwhile makes its socket busy, and the wait goes on.
   */
  function settleIdle(force = false): void {
    if (!idleWaiting || settleQueued || (!force && hasBusy())) return;
    settleQueued = true;
    setImmediate(() => { // real-time: one event-loop turn (no delay), so pending socket reads run before the FIN
      settleQueued = false;
      if (!idleWaiting || (!force && hasBusy())) return;
      idleWaiting = false;
      let count = 0;
      for (const connection of [...connections.values()]) {
        // At once: the busy ones end after their last response, as usual.
        if (connection.ended || (force && isBusy(connection))) continue;
        endSocket(connection);
        count += 1;
      }
      hooks.onIdleClosed(count);
    });
  }

  /** A connection at the drain's start or accepted during it: returns whether it was ended (or handed to a hook) now. */
  function drainConnection(connection: Connection): boolean {
    if (connection.ended) return false;
    if (kind.protocol === 'net') {
      connection.ended = true;
      hooks.onConnectionDrain(connection.socket);
      return true;
    }
    if (connection.session !== undefined) return false; // GOAWAY
    if (connection.upgraded !== undefined) return false; // to onUpgradedSocket
    // Ends after its last response; those not begun yet say so.
    for (const response of connection.responses) closeAfter(response);
    if (isBusy(connection, false)) return false; // ends after its response (one arriving gets Connection: close)
    // Idle — a pooled keep-alive socket, one that sent nothing, or one still in its TLS handshake: while
    // other work is in flight it stays open (a request that arrives is served with Connection: close),
    // and it gets FIN once nothing is busy (settleIdle). Nothing busy: FIN now.
    if (idleWaiting) return false;
    endSocket(connection);
    return true;
  }

  return {
    get size() {
      return connections.size;
    },
    get idleWaiting() {
      return idleWaiting;
    },
    beginDrain() {
      draining = true;
    },
    closeIdle() {
      if (kind.protocol !== 'net' && idlePolicy === 'at-once' && connections.size > 0) {
        idleWaiting = true;
        for (const connection of [...connections.values()]) drainConnection(connection);
        settleIdle(true);
        return undefined;
      }
      if (kind.protocol !== 'net' && hasBusy(false)) {
        idleWaiting = true;
        for (const connection of [...connections.values()]) drainConnection(connection);
        return undefined;
      }
      let count = 0;
      for (const connection of [...connections.values()]) if (drainConnection(connection)) count += 1;
      return count;
    },
    goaway() {
      let count = 0;
      for (const connection of connections.values()) {
        const session = connection.session;
        if (session === undefined || session.destroyed) continue;
        // Closed already: since Node 24 the http2 server's close() (stop-accepting, just before) sends GOAWAY itself.
        if (!session.closed) session.close();
        count += 1;
      }
      return count;
    },
    drainUpgraded() {
      let count = 0;
      for (const connection of [...connections.values()]) {
        if (connection.upgraded === undefined || connection.ended) continue;
        handUpgraded(connection);
        count += 1;
      }
      settleIdle();
      return count;
    },
    describe(limit) {
      return [...connections.values()].slice(0, limit).map(describeConnection);
    },
    destroyAll() {
      idleWaiting = false;
      const open = [...connections.values()];
      for (const connection of open) {
        connection.session?.destroy();
        connection.upgraded?.destroy();
        connection.socket.destroy();
        connection.raw.destroy();
      }
      return open.length;
    },
    detach() {
      attached = false;
      idleWaiting = false;
      serverEvents.removeListener('connection', onConnection);
      serverEvents.removeListener('secureConnection', onSecureConnection);
      serverEvents.removeListener('request', onRequest);
      serverEvents.removeListener('session', onSession);
      serverEvents.removeListener('newListener', onNewListener);
      serverEvents.removeListener('removeListener', syncUpgradeListener);
      for (const event of upgradeEvents) serverEvents.removeListener(event, onUpgrade);
    },
  };

  function describeConnection(connection: Connection): string {
    return `${connection.key} ${stateOf(connection)}`;
  }

  function stateOf(connection: Connection): string {
    if (connection.upgraded !== undefined) return 'upgraded';
    if (connection.session !== undefined) return 'http2 session';
    if (kind.protocol === 'net') return 'open';
    if (kind.secure && !connection.secured) return 'handshake';
    if (connection.responses.size > 0) return `busy (${connection.responses.size} in flight)`;
    if (isReceiving(connection)) return 'receiving';
    return 'idle';
  }
}
