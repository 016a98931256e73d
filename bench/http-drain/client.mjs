// Keep-alive load client for bench/http-drain.mjs, over raw `net` sockets so every request and
// connection can be classified exactly (autocannon cannot say what happened to which request after SIGTERM).
//
// The pool has `busy` slots (closed loop: the next request goes out one event-loop turn after the previous
// response, like an http.Agent with a queue) and `idle` slots (a think time of 100-400 ms between requests, so
// idle keep-alive sockets exist at SIGTERM, like a proxy's upstream pool). One request at a time per socket,
// no pipelining. A socket is reused unless the response said `Connection: close` or the server closed it
// first; a request is never retried. After a refused or failed connection a slot waits `backoffMs` before it
// tries again (it keeps offering about the same request rate as before). The busy slots start spread over
// `spreadMs` (one handler period), so requests in flight at any instant have uniformly spread remaining times.
//
// Request outcomes: ok (complete 200 with the expected body), reset (ECONNRESET / EPIPE), eof (the server
// closed the socket before any byte of the response: "socket hang up"), truncated (some bytes, then the
// socket ended/reset), non200, hung (still waiting when the run is torn down).
// Connection outcomes: refused (ECONNREFUSED: nothing was written), or connected (the request is then
// written at once); whether the server *process* accepted a connected socket is decided later from the
// server's `A <port>` trace (see server.cjs).
import net from 'node:net';

const now = () => process.hrtime.bigint();

/** Parses one HTTP/1.1 response head; returns undefined until the blank line arrived. */
function parseHead(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status, headers, headLength: end + 4, contentLength: Number(headers['content-length'] ?? 0) };
}

/**
 * Starts the load against 127.0.0.1:port. Returns { requests, connections, inFlight(), stop(), settled() }.
 * `mark` is set by the driver (sigtermAt) to tag requests and connections relative to SIGTERM.
 */
export function startLoad({ port, busy = 64, idle = 16, backoffMs = 200, thinkMs = [100, 400], spreadMs = 200, expectedBody }) {
  const requests = [];
  const connections = [];
  const state = { stopped: false, open: 0, sigtermAt: undefined };
  const outstanding = new Set();
  const sockets = new Set();
  const timers = new Set();
  let settle;

  const later = (fn, ms) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const after = (at) => state.sigtermAt !== undefined && at >= state.sigtermAt;
  const checkSettled = () => {
    if (state.stopped && outstanding.size === 0 && settle) settle();
  };

  function finish(request, outcome, detail) {
    if (request.outcome) return;
    request.outcome = outcome;
    request.detail = detail;
    request.doneAt = now();
    if (outcome !== 'ok') request.connection.failed = true;
    outstanding.delete(request);
    checkSettled();
  }

  function slot(kind) {
    let conn; // { socket, id, ended, buffer, current, requests }

    const next = () => {
      if (state.stopped) return;
      if (conn && !conn.ended) send();
      else connect();
    };
    const schedule = (ms) => {
      if (ms === 0) setImmediate(next);
      else later(next, ms);
    };
    const think = () => (kind === 'busy' ? 0 : thinkMs[0] + Math.random() * (thinkMs[1] - thinkMs[0]));

    function connect() {
      const record = { id: connections.length, kind, startedAt: now(), localPort: undefined, refused: false, requests: 0, failed: false };
      record.afterSigterm = after(record.startedAt);
      connections.push(record);
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      sockets.add(socket);
      const c = { socket, record, ended: false, buffer: Buffer.alloc(0), current: undefined };
      conn = c;
      socket.on('connect', () => {
        record.localPort = socket.localPort;
        record.connectedAt = now();
        if (conn === c) next();
      });
      socket.on('data', (chunk) => onData(c, chunk));
      socket.on('end', () => onGone(c, 'eof'));
      socket.on('error', (error) => {
        if (record.localPort === undefined) {
          record.refused = true;
          record.error = error.code;
        }
        onGone(c, error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : `error:${error.code}`);
      });
      socket.on('close', () => {
        sockets.delete(socket);
        onGone(c, 'eof');
      });
    }

    function send() {
      const c = conn;
      const request = { kind, connection: c.record, seq: c.record.requests, writtenAt: now(), outcome: undefined, received: 0 };
      request.afterSigterm = after(request.writtenAt);
      c.record.requests += 1;
      requests.push(request);
      outstanding.add(request);
      c.current = request;
      c.buffer = Buffer.alloc(0);
      c.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    }

    function onData(c, chunk) {
      const request = c.current;
      if (!request) return; // unsolicited bytes: ignore
      request.received += chunk.length;
      c.buffer = Buffer.concat([c.buffer, chunk]);
      const head = parseHead(c.buffer);
      if (!head || c.buffer.length < head.headLength + head.contentLength) return;
      const body = c.buffer.subarray(head.headLength, head.headLength + head.contentLength);
      c.current = undefined;
      request.connectionClose = /close/i.test(head.headers.connection ?? '');
      if (head.status !== 200) finish(request, 'non200', head.status);
      else if (expectedBody && !body.equals(expectedBody)) finish(request, 'truncated', 'body mismatch');
      else finish(request, 'ok');
      if (request.connectionClose) {
        c.ended = true;
        c.socket.end();
      }
      if (conn === c) schedule(think());
    }

    function onGone(c, why) {
      const wasEnded = c.ended;
      c.ended = true;
      const request = c.current;
      if (request) {
        c.current = undefined;
        finish(request, request.received > 0 ? 'truncated' : why, why);
      }
      if (!wasEnded) c.socket.destroy();
      if (conn === c && (request || c.record.refused) && !c.retryScheduled) {
        c.retryScheduled = true;
        conn = undefined;
        later(next, backoffMs);
      }
    }

    next();
  }

  // Spread the first requests over one handler period so the closed loops do not move in lock-step waves
  // (otherwise the time from SIGTERM to the last in-flight response depends on the wave's phase).
  for (let i = 0; i < busy; i += 1) later(() => slot('busy'), (i * spreadMs) / busy);
  for (let i = 0; i < idle; i += 1) later(() => slot('idle'), Math.random() * thinkMs[1]);

  return {
    requests,
    connections,
    state,
    inFlight: () => outstanding.size,
    outstanding,
    /** Stop offering new requests and connections (idle keep-alive sockets stay open, like a client pool). */
    stop() {
      state.stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      checkSettled();
    },
    /** Resolves once no request is outstanding (after stop()), or after `timeoutMs`, marking the rest hung. */
    settled(timeoutMs) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          for (const request of [...outstanding]) finish(request, 'hung');
          resolve();
        }, timeoutMs);
        settle = () => {
          clearTimeout(timer);
          resolve();
        };
        checkSettled();
      });
    },
    /** Closes every client socket. */
    destroy() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
