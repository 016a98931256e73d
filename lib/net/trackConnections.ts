import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import type * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { SchedulerLike } from 'rxjs';
import { dueBatches } from './dueBatches.js';
import type { ServerKind } from './serverKind.js';

/** One accepted connection, from its raw TCP socket to its close (internal). */
interface Connection {
  readonly key: string;
  readonly raw: net.Socket;
  /** What to end: the TLS socket once the handshake is done, else the raw socket. */
  socket: net.Socket;
  secured: boolean;
  /**
   * HTTP/1 responses not finished yet (in flight; `response.req` is the request). An array: HTTP/1 has
   * one in flight, a few when pipelined, and finishes them in order — no hashing on the hot path.
   */
  readonly responses: ServerResponse[];
  /** `bytesRead` that requests account for: more means a request is arriving (plain HTTP/1 only). */
  accounted: number;
  /** Scheduler time of the last response finished (or of the accept): the idle grace counts from it. */
  lastActive: number;
  /** The client's address (`remoteAddress`; '' for a Unix socket): its sockets are one pool. */
  readonly peer: string;
  upgraded: Duplex | undefined;
  upgradeRequest: IncomingMessage | undefined;
  session: Http2Session | undefined;
  /** We ended it (FIN) or handed it to a drain hook. */
  ended: boolean;
  closed: boolean;
}

/** Callbacks the tracker calls on user code (wrapped by the caller). */
export interface TrackerHooks {
  onUpgradedSocket(socket: Duplex, request: IncomingMessage): void;
  onConnectionDrain(socket: net.Socket): void;
  /** A connection, session or upgraded socket closed. */
  onClosed(): void;
  /** Idle sockets got FIN now, having been quiet for the idle grace: how many. */
  onIdleClosed(count: number): void;
  /** Sockets that got FIN and whose peer did not close within the linger were destroyed: their descriptions. */
  onLingerExpired(names: readonly string[]): void;
}

/** How the drain treats idle HTTP sockets (internal; see `ServeConfig.idleGrace` and `linger`). */
export interface IdleSettings {
  readonly scheduler: SchedulerLike;
  /** Ms an idle socket must have been quiet (since its last response) before it gets FIN. */
  readonly idleGrace: number;
  /** Ms a socket that got FIN waits for its peer to close before it is destroyed. */
  readonly linger: number;
}

/** Tracks a server's connections and performs the drain steps on them (internal to `serve$`). */
export interface ConnectionTracker {
  /** Open connections (TCP), HTTP/2 sessions included in them. */
  readonly size: number;
  /** Marks the drain begun: HTTP/1 responses not begun (in flight or to come) get `Connection: close`; busy sockets end after their last response. */
  beginDrain(): void;
  /**
   * HTTP/1: every idle socket gets FIN once it has been
   * quiet for the idle grace (counted from its last response), in batches told by `onIdleClosed` —
   * the first (always told, maybe 0) one turn after this call, so requests already buffered are read first.
   * net: every socket goes to `onConnectionDrain` (returns how many; HTTP returns `undefined`).
   */
  closeIdle(): number | undefined;
  /** HTTP/2: `session.close()` (GOAWAY) on every session. */
  goaway(): number;
  /** Upgraded sockets go to `onUpgradedSocket`. */
  drainUpgraded(): number;
  /** Descriptions of the busy connections (what a drain timeout names) or of the quiet ones, at most `limit`. */
  describe(limit: number, which: 'busy' | 'quiet'): string[];
  /** Busy connections: a response in flight, a request arriving, an HTTP/2 session, an upgraded socket. */
  busyCount(): number;
  /** Destroys everything still open; returns how many. */
  destroyAll(): number;
  /** Removes the tracker's listeners from the server and drops its timers. */
  detach(): void;
}

/** A client (one remote address) during the drain. */
interface Peer {
  lastActive: number;
  inFlight: number;
}

/** Quiet sockets due within this many ms of each other get FIN (or are destroyed) together. */
const BATCH_MS = 10;
/** At most this many in-flight requests are named per connection. */
const REQUESTS_NAMED = 3;

/** Starts tracking `server`'s connections; call before `listen` so none is missed (internal). */
export function trackConnections(server: net.Server, kind: ServerKind, hooks: TrackerHooks, idle: IdleSettings): ConnectionTracker {
  const connections = new Map<string, Connection>();
  // The raw and TLS sockets of each connection: a cheap lookup for every request (remoteAddress is a syscall).
  const bySocket = new WeakMap<object, Connection>();
  const { scheduler } = idle;
  let draining = false;
  let firstSweep: NodeJS.Immediate | undefined;
  /** Per client address, from the drain's start: when it was last active, and its requests in flight. */
  const peers = new Map<string, Peer>();
  /** The connection whose 'connection' (plain) or 'secureConnection' (TLS) event is being emitted. */
  let lastOpened: Connection | undefined;
  let nextId = 0;
  const serverEvents = server as unknown as NodeJS.EventEmitter;
  const quietDue = dueBatches<Connection>(scheduler, BATCH_MS, (due) => {
    let count = 0;
    for (const connection of due) if (settle(connection)) count += 1;
    if (count > 0) hooks.onIdleClosed(count);
  });
  const lingerDue = dueBatches<Connection>(scheduler, BATCH_MS, (due) => {
    const names: string[] = [];
    for (const connection of due) {
      if (connection.closed) continue;
      names.push(describeConnection(connection));
      destroy(connection);
    }
    if (names.length > 0) hooks.onLingerExpired(names);
  });

  const keyOf = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string | undefined =>
    socket.remoteAddress === undefined ? undefined : `${socket.remoteAddress}:${socket.remotePort}`;
  const find = (socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }) => {
    const known = bySocket.get(socket);
    // Stryker disable next-line ConditionalExpression: equivalent — the endpoint match below only backs up HTTP/2's session socket (a proxy), which onSession also finds as lastOpened
    if (known !== undefined) return known;
    const key = keyOf(socket);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, as above — every socket passed here is in bySocket or has another way to its connection (lastOpened, _parent)
    return key === undefined ? undefined : connections.get(key);
  };

  const onConnection = (raw: net.Socket) => {
    nextId += 1;
    // An HTTP/2 session's socket and a TLS socket are other objects than the raw one: match them by remote endpoint.
    // No endpoint: a Unix socket (named by accept order), or a TCP socket that closed before it was accepted.
    const key = keyOf(raw) ?? `${typeof server.address() === 'string' ? 'unix' : 'closed'}#${nextId}`;
    const connection: Connection = {
      // Stryker disable next-line StringLiteral: equivalent — any constant puts every Unix-socket client in one pool
      key, raw, socket: raw, secured: false, responses: [], accounted: 0, lastActive: scheduler.now(), peer: raw.remoteAddress ?? '',
      upgraded: undefined, upgradeRequest: undefined, session: undefined, ended: false, closed: false,
    };
    connections.set(key, connection);
    bySocket.set(raw, connection);
    // Stryker disable next-line ConditionalExpression: `true` is equivalent (for TLS, onSecureConnection sets lastOpened again before the 'session' it emits); its `false` twin, killed by the Unix-socket HTTP/2 test, is ignored with it
    if (!kind.secure) lastOpened = connection;
    raw.once('close', () => {
      connection.closed = true;
      // Stryker disable next-line ConditionalExpression: defensive — a remote endpoint is reused only after its connection closed, so the key is still its own; the `false` twin (never deleted), killed by the size tests, is ignored with it
      if (connections.get(key) === connection) connections.delete(key);
      hooks.onClosed();
    });
    if (!draining) return;
    if (kind.protocol === 'net') handToConnectionHook(connection);
    else {
      peerOf(connection).lastActive = connection.lastActive;
      settle(connection);
    }
  };

  const onSecureConnection = (socket: net.Socket) => {
    // A Unix socket has no remote endpoint to match by. Node links a server's TLS socket to the raw one it
    // wraps only through `_parent` (set since Node 0.11, relied on by Node's own tls code): read it there.
    const connection = find(socket) ?? bySocket.get((socket as { _parent?: object })._parent ?? socket);
    // Stryker disable next-line ConditionalExpression: defensive — Node emits 'secureConnection' only for a socket it got through 'connection'
    if (connection === undefined) return;
    connection.socket = socket;
    connection.secured = true;
    bySocket.set(socket, connection);
    lastOpened = connection;
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (request.httpVersionMajor >= 2) return; // HTTP/2 streams: their session drains them
    const connection = find(request.socket);
    if (connection === undefined) return;
    connection.responses.push(response);
    if (draining) {
      closeAfter(response);
      const peer = peerOf(connection);
      peer.inFlight += 1;
      peer.lastActive = scheduler.now();
    }
    // One shared listener, no closure or once-wrapper per request: this is the whole steady-state cost.
    response.on('close', onResponseClose);
  };

  // A response always emits 'close' (after 'finish', or when its socket went away); `this` is the response.
  function onResponseClose(this: ServerResponse): void {
    const request = this.req;
    const connection = bySocket.get(request.socket as object);
    // Stryker disable next-line ConditionalExpression: defensive — this listener is added only for a request whose connection was found, and bySocket holds that request's socket
    if (connection === undefined) return;
    const index = connection.responses.indexOf(this);
    // Stryker disable next-line ConditionalExpression: defensive — a response is listed from its 'request' to this, its one 'close'
    if (index < 0) return;
    connection.responses.splice(index, 1);
    connection.accounted = connection.raw.bytesRead;
    connection.lastActive = scheduler.now();
    if (draining) {
      const peer = peerOf(connection);
      peer.inFlight -= 1;
      peer.lastActive = connection.lastActive;
    }
    // A body still arriving is accounted for at its end.
    // Stryker disable next-line ConditionalExpression: equivalent — a complete request has emitted 'end' already, or emits it within this tick (its dump after the response), before any byte is read: the listener would repeat what was just done
    if (!request.complete) {
      request.once('end', () => {
        connection.accounted = connection.raw.bytesRead;
        if (draining) settle(connection);
      });
    }
    if (!draining || connection.responses.length > 0) return;
    // It told the client it closes (ours or the handler's header): Node ends the socket itself, and we
    // make sure of it. Otherwise (its head went out before the drain, promising keep-alive) the client may
    // reuse it at once: it waits the idle grace like any other idle socket.
    if (saysClose(this) && connection.upgraded === undefined && !isReceiving(connection)) endSocket(connection);
    else settle(connection);
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex) => {
    const connection = find(socket as net.Socket);
    if (connection === undefined) return;
    connection.upgraded = socket;
    connection.upgradeRequest = request;
    // The user's 'upgrade' listener runs after this one: hand the socket over once it has it. (`nextTick`
    // orders work in the event loop, as `queueMicrotask` would; it reads and changes nothing of the process,
    // so it does not go through the process port.)
    if (draining) process.nextTick(() => handUpgraded(connection));
  };

  const onSession = (session: Http2Session) => {
    // `session.socket` is a proxy, not the socket we saw. The http2 server emits 'session' synchronously
    // from the 'connection' (plain) or 'secureConnection' (TLS) event that opened it, after our prepended
    // listener: that connection is `lastOpened` (the endpoint match covers TCP; this covers Unix sockets).
    // Stryker disable next-line ConditionalExpression,OptionalChaining: defensive — lastOpened is the connection whose event emits this 'session', its session still unset; the `false` twin, killed by the Unix-socket HTTP/2 tests, is ignored with it
    const connection = find(session.socket) ?? (lastOpened?.session === undefined ? lastOpened : undefined);
    // Stryker disable next-line ConditionalExpression: defensive — the lastOpened fallback finds every session opened after tracking began (one opened before never reaches here)
    if (connection === undefined) return;
    connection.session = session;
    if (draining) session.close();
  };

  // Node treats an upgrade request as an ordinary request when nobody listens for 'upgrade' (or
  // 'connect'): listen only while the user does, or we would change what the server does.
  const upgradeEvents = ['upgrade', 'connect'];
  // Stryker disable next-line BooleanLiteral: equivalent — the setup below sets it to false before any listener of ours can run
  let adjusting = false;
  const syncUpgradeListener = (event: string | symbol) => {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — includes() rejects symbols as the typeof test does, and a removal made while we adjust only schedules a check that finds nothing to change; the `!includes` twin, killed by the other-events test, is ignored with them
    if (adjusting || typeof event !== 'string' || !upgradeEvents.includes(event)) return;
    // After the listener change that Node reports before making it (event-loop ordering, as above).
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
    // Stryker disable next-line ConditionalExpression: the typeof test is equivalent (includes() rejects symbols too); its twins, killed by the listener tests, are ignored with it
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
    // `adjusting`: our own prepend must not be added a second time by the newListener hook.
    adjusting = true;
    try {
      for (const event of upgradeEvents) if (serverEvents.listenerCount(event) > 0) serverEvents.prependListener(event, onUpgrade);
    } finally {
      adjusting = false;
    }
  }

  function endSocket(connection: Connection): void {
    // Stryker disable next-line ConditionalExpression: defensive — settle checks `ended` itself, and onResponseClose needs a response, which Node never reads on a socket whose writable side ended
    if (connection.ended) return;
    connection.ended = true;
    // FIN, never RST: the client sees 'end'. The read side stays open, so a request already on its way is
    // still read (and answered if the socket can still write) rather than answered by a reset. A peer that
    // never closes its side (a pool that ignores FIN) is destroyed after the linger.
    connection.socket.end();
    // Stryker disable next-line ConditionalExpression: `true` is equivalent (the linger batch skips closed connections itself); its `false` twin, killed by the linger test, is ignored with it
    if (!connection.closed) lingerDue.add(connection, scheduler.now() + idle.linger);
  }

  function stopTimers(): void {
    // Stryker disable next-line ConditionalExpression: equivalent — clearImmediate(undefined) does nothing
    if (firstSweep !== undefined) clearImmediate(firstSweep);
    firstSweep = undefined;
    quietDue.clear();
    lingerDue.clear();
  }

  function destroy(connection: Connection): void {
    connection.session?.destroy();
    connection.upgraded?.destroy();
    // Stryker disable next-line CallExpression: equivalent — destroying either the TLS socket or the raw one it wraps closes both (and a plain connection's socket is the raw one)
    connection.socket.destroy();
    // Stryker disable next-line CallExpression: equivalent, as above
    connection.raw.destroy();
  }

  function closeAfter(response: ServerResponse): void {
    if (!response.headersSent) response.setHeader('Connection', 'close');
  }

  /** The response told the client the connection closes (ours or the handler's header). */
  function saysClose(response: ServerResponse): boolean {
    // Stryker disable next-line StringLiteral: the `''` is equivalent (any string without 'close' stands for no header); the 'connection' twin, killed by the Connection: close tests, is ignored with it
    return /\bclose\b/i.test(String(response.getHeader('connection') ?? ''));
  }

  function handUpgraded(connection: Connection): void {
    // Stryker disable next-line ConditionalExpression: the undefined tests only narrow the types (both callers pass an upgraded connection, with its request); the `ended` twin, killed by the hand-over-from-the-listener test, is ignored with them
    if (connection.ended || connection.upgraded === undefined || connection.upgradeRequest === undefined) return;
    connection.ended = true;
    hooks.onUpgradedSocket(connection.upgraded, connection.upgradeRequest);
  }

  function handToConnectionHook(connection: Connection): void {
    // Stryker disable next-line ConditionalExpression: defensive — both callers (closeIdle, a connection opened while draining) pass a connection not handed over yet
    if (connection.ended) return;
    connection.ended = true;
    hooks.onConnectionDrain(connection.socket);
  }

  function isReceiving(connection: Connection): boolean {
    // Bytes beyond what requests account for: a request's head is arriving. TLS records (alerts,
    // tickets) make raw byte counts meaningless, so this refinement is for plain HTTP/1 only.
    return !kind.secure && connection.raw.bytesRead > connection.accounted;
  }

  /** Busy: a response in flight, a request arriving, an HTTP/2 session, an upgraded or `net` socket not closed yet. */
  function isBusy(connection: Connection): boolean {
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent — a closed connection has left `connections` (describe, busyCount) and settle checks `closed` before calling this
    if (connection.closed) return false;
    // Handed to a hook (upgraded, net) or to GOAWAY: open until the protocol closes it, so busy.
    if (connection.upgraded !== undefined || connection.session !== undefined || kind.protocol === 'net') return true;
    if (connection.ended) return false; // FIN sent after its last response: waiting for the peer (linger)
    return connection.responses.length > 0 || isReceiving(connection);
  }

  /** The drain-time record of a client (its sockets' pool), made from its sockets at the drain's start. */
  function peerOf(connection: Connection): Peer {
    let peer = peers.get(connection.peer);
    if (peer === undefined) {
      peer = { lastActive: connection.lastActive, inFlight: 0 };
      peers.set(connection.peer, peer);
    }
    return peer;
  }

  /**
   * An HTTP/1 socket during the drain, whenever something about it changed: a busy one is left to end
   * after its last response; an idle one gets FIN once its *client* — every socket from its address —
   * has been quiet for the idle grace, so a request a pooled client sends on it meanwhile is answered
   * (with `Connection: close`) instead of crossing the FIN. Counting per socket is not enough: a pool
   * whose busy sockets close (`Connection: close`) moves its next requests to its long-idle ones, and
   * a FIN it has not read yet loses them (measured with `http.Agent` and nginx). Returns whether it got
   * FIN now.
   */
  function settle(connection: Connection): boolean {
    if (connection.ended || connection.closed || isBusy(connection)) return false;
    const peer = peerOf(connection);
    const now = scheduler.now();
    const due = peer.inFlight > 0 ? now + idle.idleGrace : Math.max(connection.lastActive, peer.lastActive) + idle.idleGrace;
    if (now < due) {
      quietDue.add(connection, due);
      return false;
    }
    endSocket(connection);
    return true;
  }

  return {
    get size() {
      return connections.size;
    },
    beginDrain() {
      draining = true;
      // Stryker disable next-line ConditionalExpression: equivalent — only HTTP/1 connections have responses; for HTTP/2 the peer records it would make feed only settle() of a connection opened while draining, which first sets its peer's lastActive to its own (latest) accept time
      if (kind.protocol !== 'http1') return;
      for (const connection of connections.values()) {
        for (const response of connection.responses) closeAfter(response);
        const peer = peerOf(connection);
        peer.lastActive = Math.max(peer.lastActive, connection.lastActive);
        peer.inFlight += connection.responses.length;
      }
    },
    closeIdle() {
      if (kind.protocol === 'net') {
        let count = 0;
        for (const connection of [...connections.values()]) {
          if (connection.ended) continue;
          handToConnectionHook(connection);
          count += 1;
        }
        return count;
      }
      // One event-loop turn first (after this poll phase): a request already in a socket's buffer is read,
      // and answered with Connection: close, rather than met by a FIN.
      firstSweep = setImmediate(() => { // real-time: one event-loop turn, no delay, so pending socket reads run first
        firstSweep = undefined;
        let count = 0;
        for (const connection of [...connections.values()]) if (settle(connection)) count += 1;
        hooks.onIdleClosed(count);
      });
      return undefined;
    },
    goaway() {
      let count = 0;
      for (const connection of connections.values()) {
        const session = connection.session;
        if (session === undefined || session.destroyed) continue;
        // Closed already: since Node 24 the http2 server's close() (stop-accepting, just before) sends GOAWAY itself.
        // Stryker disable next-line ConditionalExpression: equivalent — close() on a closed session does nothing
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
      return count;
    },
    describe(limit, which) {
      const names: string[] = [];
      for (const connection of connections.values()) {
        if (names.length >= limit) break;
        if (isBusy(connection) === (which === 'busy')) names.push(describeConnection(connection));
      }
      return names;
    },
    busyCount() {
      let count = 0;
      for (const connection of connections.values()) if (isBusy(connection)) count += 1;
      return count;
    },
    destroyAll() {
      stopTimers();
      const open = [...connections.values()];
      for (const connection of open) destroy(connection);
      return open.length;
    },
    detach() {
      attached = false;
      stopTimers();
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
    if (connection.upgraded !== undefined) {
      const request = connection.upgradeRequest;
      // Stryker disable next-line ConditionalExpression,StringLiteral: defensive — onUpgrade sets the request together with the socket
      return request === undefined ? 'upgraded' : `upgraded (${requestLine(request)})`;
    }
    if (connection.session !== undefined) return 'http2 session';
    if (kind.protocol === 'net') return 'open';
    if (kind.secure && !connection.secured) return 'handshake';
    if (connection.responses.length > 0) {
      const requests = connection.responses.map((response) => response.req);
      const named = requests.slice(0, REQUESTS_NAMED).map(requestLine);
      if (requests.length > REQUESTS_NAMED) named.push(`+${requests.length - REQUESTS_NAMED} more`);
      return `busy (${requests.length} in flight: ${named.join(', ')})`;
    }
    if (isReceiving(connection)) return 'receiving';
    if (connection.ended) return 'closing (FIN sent)';
    return 'idle';
  }
}

function requestLine(request: IncomingMessage): string {
  // Stryker disable next-line StringLiteral: defensive — Node's parser sets method and url on every server request
  return `${request.method ?? '?'} ${request.url ?? '?'}`;
}
