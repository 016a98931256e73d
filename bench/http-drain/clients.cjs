// Real HTTP clients as closed-loop load drivers, shared by bench/http-drain.mjs (real-client rows) and
// spec/net/realClients/*.spec.ts (the drain's "no request on an accepted connection is lost" tests).
// CommonJS so that jest (which runs the specs as CommonJS) and the ESM bench can both load it; types in clients.d.cts.
//
// Every driver runs `workers` closed loops (the next request as soon as the previous one settled) against one
// origin through one pooled, keep-alive client — undici Pool, undici fetch (an undici Agent), node http.Agent
// ({ keepAlive: true }), autocannon — until `stop()`, `maxRequests` or `maxMs`. Each request is classified:
//   ok        a 2xx whose body `verify` accepts;
//   failed    the request was written on a connection (the connection was established) and did not get such an
//             answer: reset, "other side closed", socket hang up, truncated body, non-2xx, wrong body, hung;
//   refused   it never reached a connection: ECONNREFUSED (a new connect after the listener closed) or any other
//             connect-level error before the request was written. Counted apart; allowed.
// `failed` entries carry the connection's local port where the client exposes it: `reclassify(tally, accepted)`
// moves the ones whose port the server process never accepted (the kernel completed the handshake, then reset it
// from the backlog when the listener closed) to `unaccepted`. `mark()` (call it when SIGTERM goes out) splits the
// counts into before/after.
'use strict';
const diagnostics = require('node:diagnostics_channel');
const http = require('node:http');
const { Pool, Agent, fetch } = require('undici');
const autocannon = require('autocannon');

const DEFAULT_POST_BODY = 'x'.repeat(2048);
const REQUEST_TIMEOUT_MS = 10_000;
const now = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let nextLoadId = 0;

/** Fresh counters (see the file comment). */
function createTally() {
  return { sent: 0, ok: 0, failed: 0, refused: 0, unaccepted: 0, okAfterMark: 0, sentAfterMark: 0, failedAfterMark: 0, markAt: undefined, failures: [], refusedKinds: {} };
}

/** The error code of `error` or of its cause (undici fetch wraps the socket error in `TypeError('fetch failed')`). */
function codeOf(error) {
  return error?.code ?? error?.cause?.code ?? error?.cause?.cause?.code;
}

function describeError(error) {
  const cause = error?.cause === undefined ? '' : ` (cause: ${describeError(error.cause)})`;
  return `${error?.name ?? 'Error'}${codeOf(error) ? ` ${codeOf(error)}` : ''}: ${error?.message ?? String(error)}${cause}`;
}

/** Records one settled request: `{ method, path, ok, written, localPort, status, kind, detail, sentAt }`. */
function record(tally, result) {
  const afterMark = tally.markAt !== undefined && result.sentAt >= tally.markAt;
  const doneAfterMark = tally.markAt !== undefined;
  if (afterMark) tally.sentAfterMark += 1;
  if (result.ok) {
    tally.ok += 1;
    if (doneAfterMark) tally.okAfterMark += 1;
    return;
  }
  if (!result.written) {
    tally.refused += 1;
    const kind = result.kind ?? 'refused';
    tally.refusedKinds[kind] = (tally.refusedKinds[kind] ?? 0) + 1;
    return;
  }
  tally.failed += 1;
  if (doneAfterMark) tally.failedAfterMark += 1;
  tally.failures.push({
    kind: result.kind, detail: result.detail, method: result.method, path: result.path, localPort: result.localPort, status: result.status, afterMark,
  });
}

/** Moves failures on connections the server process never accepted (`accepted`: remote ports it saw) to `unaccepted`. */
function reclassify(tally, accepted) {
  const kept = [];
  for (const failure of tally.failures) {
    if (failure.localPort !== undefined && !accepted.has(failure.localPort)) tally.unaccepted += 1;
    else kept.push(failure);
  }
  tally.failed = kept.length;
  tally.failures = kept;
  return tally;
}

/** `{ 'reset ECONNRESET': 3, ... }`: failures grouped by kind and detail, for messages. */
function failureKinds(tally) {
  const kinds = {};
  for (const failure of tally.failures) {
    const key = `${failure.method} ${failure.kind}${failure.status === undefined ? '' : ` ${failure.status}`}`;
    kinds[key] = (kinds[key] ?? 0) + 1;
  }
  return kinds;
}

/**
 * The tally of one load plus `recordResult` (record, then wake `whenOk` waiters) and `whenOk(n)`: resolves
 * `true` once `n` requests got an ok answer, `false` if the load ended first (`ended()`).
 */
function createLoadState(onSettled) {
  const tally = createTally();
  let waiters = [];
  const wake = (value) => {
    waiters = waiters.filter((waiter) => {
      if (value === undefined && tally.ok < waiter.n) return true;
      waiter.resolve(value ?? true);
      return false;
    });
  };
  return {
    tally,
    recordResult(result) {
      record(tally, result);
      onSettled?.(result, tally);
      if (result.ok) wake(undefined);
    },
    whenOk(n) {
      if (tally.ok >= n) return Promise.resolve(true);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    ended: () => wake(false),
  };
}

/** The default check: any 2xx. */
const any2xx = (_method, status) => status >= 200 && status < 300;

function resolveOptions(options) {
  const origin = options.origin;
  if (typeof origin !== 'string') throw new TypeError("clients: option 'origin' must be a URL string like http://127.0.0.1:8080");
  return {
    origin,
    workers: options.workers ?? 20,
    methods: options.methods ?? ['GET'],
    body: options.body ?? DEFAULT_POST_BODY,
    verify: options.verify ?? any2xx,
    maxRequests: options.maxRequests ?? 100_000,
    maxMs: options.maxMs ?? 30_000,
    refusedBackoffMs: options.refusedBackoffMs ?? 5,
    basePath: options.basePath ?? '/r',
    warmup: options.warmup ?? 0,
    onSettled: options.onSettled,
  };
}

/**
 * The closed loops shared by the request/response drivers: `send({ method, path })` resolves with a result for
 * `record`. Returns the load handle (`tally`, `mark`, `stop`, `done`, `close`).
 */
function closedLoop(options, send, close) {
  const o = resolveOptions(options);
  const state = createLoadState(o.onSettled);
  const tally = state.tally;
  const loadId = (nextLoadId += 1);
  let stopped = false;
  let seq = 0;
  const deadline = Date.now() + o.maxMs;
  const more = () => !stopped && tally.sent < o.maxRequests && Date.now() < deadline;

  async function worker(index) {
    const method = o.methods[index % o.methods.length];
    while (more()) {
      seq += 1;
      tally.sent += 1;
      const request = { method, path: `${o.basePath}/${loadId}-${seq}`, sentAt: now() };
      const result = { ...request, ...(await send(request)) };
      state.recordResult(result);
      if (!result.ok) await sleep(o.refusedBackoffMs);
    }
  }

  // `warmup` concurrent requests first (each on its own pooled connection), so the pool holds that many connections
  // although only `workers` loops use it: the rest stay idle, like a pool sized for a peak under lighter load.
  const warmup = async () => {
    if (o.warmup <= 0) return;
    await Promise.all(Array.from({ length: o.warmup }, async (_, index) => {
      seq += 1;
      tally.sent += 1;
      const request = { method: o.methods[index % o.methods.length], path: `${o.basePath}/${loadId}-${seq}`, sentAt: now() };
      state.recordResult({ ...request, ...(await send(request)) });
    }));
  };
  const done = warmup()
    .then(() => Promise.all(Array.from({ length: o.workers }, (_, index) => worker(index))))
    .then(() => state.ended());
  return {
    tally,
    whenOk: state.whenOk,
    inFlight: () => tally.sent - tally.ok - tally.failed - tally.refused,
    mark() {
      tally.markAt = now();
    },
    stop() {
      stopped = true;
    },
    done,
    close,
  };
}

/** Collects `request.path -> socket.localPort` for undici requests whose headers went out on a socket (diagnostics channel). */
function undiciWrites(basePath) {
  const written = new Map();
  const onSendHeaders = ({ request, socket }) => {
    if (typeof request?.path === 'string' && request.path.startsWith(basePath)) written.set(request.path, socket?.localPort);
  };
  diagnostics.subscribe('undici:client:sendHeaders', onSendHeaders);
  return {
    take(path) {
      const wasWritten = written.has(path);
      const localPort = written.get(path);
      written.delete(path);
      return { written: wasWritten, localPort };
    },
    unsubscribe: () => diagnostics.unsubscribe('undici:client:sendHeaders', onSendHeaders),
  };
}

/** A failed undici/fetch request: refused when it never went out (or ECONNREFUSED), else failed with the socket's port. */
function undiciFailure(error, sent) {
  const code = codeOf(error);
  const localPort = sent.localPort ?? error?.socket?.localPort ?? error?.cause?.socket?.localPort;
  return { ok: false, written: sent.written && code !== 'ECONNREFUSED', localPort, kind: code ?? error?.name ?? 'error', detail: describeError(error) };
}

/** undici `Pool` (`connections` keep-alive sockets, no pipelining), `pool.request`, body read in full. */
function startUndiciPool(options) {
  const o = resolveOptions(options);
  const pool = new Pool(o.origin, { connections: options.connections ?? o.workers, pipelining: 1, ...options.undici });
  const writes = undiciWrites(o.basePath);
  const send = async ({ method, path }) => {
    try {
      const response = await pool.request({
        method, path, body: method === 'POST' ? o.body : undefined, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      const text = await response.body.text();
      const sent = writes.take(path);
      const ok = o.verify(method, response.statusCode, text);
      return { ok, written: true, localPort: sent.localPort, status: response.statusCode, kind: ok ? undefined : 'bad-response', detail: ok ? undefined : text.slice(0, 200) };
    } catch (error) {
      return undiciFailure(error, writes.take(path));
    }
  };
  return closedLoop(options, send, async () => {
    writes.unsubscribe();
    await pool.destroy();
  });
}

/** undici `fetch` through an undici `Agent` (`connections` keep-alive sockets per origin), body read in full. */
function startUndiciFetch(options) {
  const o = resolveOptions(options);
  const agent = new Agent({ connections: options.connections ?? o.workers, pipelining: 1, ...options.undici });
  const writes = undiciWrites(o.basePath);
  const send = async ({ method, path }) => {
    try {
      const response = await fetch(new URL(path, o.origin), {
        method, body: method === 'POST' ? o.body : undefined, dispatcher: agent, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const sent = writes.take(path);
      const ok = o.verify(method, response.status, text);
      return { ok, written: true, localPort: sent.localPort, status: response.status, kind: ok ? undefined : 'bad-response', detail: ok ? undefined : text.slice(0, 200) };
    } catch (error) {
      return undiciFailure(error, writes.take(path));
    }
  };
  return closedLoop(options, send, async () => {
    writes.unsubscribe();
    await agent.destroy();
  });
}

/** node `http.request` through `new http.Agent({ keepAlive: true, maxSockets })`; body read in full. */
function startHttpAgent(options) {
  const o = resolveOptions(options);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections ?? o.workers });
  const url = new URL(o.origin);
  const send = ({ method, path }) =>
    new Promise((resolve) => {
      let written = false;
      let localPort;
      let reused = false;
      const settle = (result) => resolve({ written, localPort, reused, ...result });
      const body = method === 'POST' ? Buffer.from(o.body) : undefined;
      const request = http.request({
        agent, host: url.hostname, port: url.port, method, path, headers: body === undefined ? {} : { 'content-length': body.length }, timeout: REQUEST_TIMEOUT_MS,
      });
      request.on('socket', (socket) => {
        reused = request.reusedSocket;
        const connected = () => {
          written = true;
          localPort = socket.localPort;
        };
        if (socket.connecting) socket.once('connect', connected);
        else connected();
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error('request timed out'), { code: 'HUNG' })));
      request.on('error', (error) => {
        const code = codeOf(error);
        settle({ ok: false, written: written && code !== 'ECONNREFUSED', kind: `${code ?? error.name}${reused ? ' (reused socket)' : ''}`, detail: describeError(error) });
      });
      request.on('response', (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', (error) => settle({ ok: false, written: true, kind: `truncated ${codeOf(error) ?? ''}`.trim(), detail: describeError(error) }));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (!response.complete) return settle({ ok: false, written: true, status: response.statusCode, kind: 'truncated', detail: text.slice(0, 200) });
          const ok = o.verify(method, response.statusCode, text);
          settle({ ok, written: true, status: response.statusCode, kind: ok ? undefined : 'bad-response', detail: ok ? undefined : text.slice(0, 200) });
        });
      });
      request.end(body);
    });
  return closedLoop(options, send, async () => agent.destroy());
}

/**
 * autocannon (programmatic, `workers` connections, one request at a time each, `methods` taking turns on every
 * connection). autocannon reconnects by itself and counts a request lost to a closed keep-alive socket nowhere
 * (on the socket's 'end' it just reconnects), so the driver counts per socket, through `setupClient`: requests
 * written on it and responses read from it. When a socket closes with requests unanswered, they are `refused` if
 * it never connected or if they went out after a response that said `Connection: close` (autocannon ignores that
 * header and writes its next request anyway: the server had said it would close), else `failed` ('lost'). `stop()` destroys its clients at once (no more reconnects): a
 * still-connecting socket's request counts as refused, a connected one's as failed ('hung') — so stop it only
 * once `quiet()` resolved (no connected socket is waiting for an answer). `done` resolves with autocannon's own
 * result (its `errors`, `timeouts`, `non2xx`, `mismatches`; its `resets` count request-sequence restarts, not
 * connection resets). `verifyBody(body)` checks bodies (autocannon's option); `verify(method, status)` statuses.
 */
function startAutocannon(options) {
  const o = resolveOptions(options);
  const load = createLoadState(o.onSettled);
  const tally = load.tally;
  const clients = [];
  const perSocket = new Map();
  let stopping = false;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));

  const settleSocket = (socket) => {
    const state = perSocket.get(socket);
    if (state === undefined || state.settled) return;
    state.settled = true;
    perSocket.delete(socket);
    const pending = state.written - state.answered;
    for (let i = 0; i < pending; i += 1) {
      const index = state.answered + i;
      const hung = state.connected && !state.closedByPeer;
      // autocannon ignores `Connection: close` and writes its next request anyway: the server said it would close.
      const afterClose = state.closeAfter !== undefined && index > state.closeAfter;
      let kind = hung ? 'hung' : 'lost';
      if (!state.connected) kind = state.code ?? 'still connecting at stop';
      else if (afterClose) kind = 'sent after Connection: close';
      load.recordResult({
        method: state.methods[index] ?? '?', sentAt: state.sentAt[index], ok: false, written: state.connected && !afterClose, localPort: state.localPort, kind,
        detail: state.error ?? (hung ? 'no answer when the load stopped' : 'the server closed the connection before the response'),
      });
    }
  };
  const track = (socket) => {
    let state = perSocket.get(socket);
    if (state !== undefined) return state;
    state = { written: 0, answered: 0, closeAfter: undefined, connected: !socket.connecting, closedByPeer: false, settled: false, localPort: socket.localPort, methods: [], sentAt: [], error: undefined };
    perSocket.set(socket, state);
    const s = state;
    socket.once('connect', () => {
      s.connected = true;
      s.localPort = socket.localPort;
    });
    socket.once('end', () => (s.closedByPeer = true));
    socket.once('error', (error) => {
      s.error = describeError(error);
      s.code = codeOf(error);
      if (s.connected) s.closedByPeer = true;
    });
    socket.once('close', () => settleSocket(socket));
    return state;
  };

  const requests = o.methods.map((method) => (method === 'POST' ? { method, path: `${o.basePath}/ac`, body: o.body } : { method, path: `${o.basePath}/ac` }));
  const instance = autocannon(
    {
      url: o.origin, connections: o.workers, pipelining: 1, duration: Math.max(1, Math.ceil(o.maxMs / 1000)), timeout: REQUEST_TIMEOUT_MS / 1000,
      sampleInt: 100, // autocannon ends a stopped run on its next sample tick (default every second)
      requests,
      ...(options.verifyBody === undefined ? {} : { verifyBody: options.verifyBody }),
      setupClient(client) {
        clients.push(client);
        let turn = 0;
        let lastStatus;
        client.on('request', () => {
          if (stopping) return;
          const state = track(client.conn);
          state.methods.push(o.methods[turn % o.methods.length]);
          state.sentAt.push(now());
          turn += 1;
          state.written += 1;
          tally.sent += 1;
          if (tally.sent >= o.maxRequests) handle.stop();
        });
        client.on('headers', (info) => {
          // The response being parsed says `Connection: close` (http-parser-js: shouldKeepAlive false).
          const state = perSocket.get(client.conn);
          if (state !== undefined && info?.shouldKeepAlive === false && state.closeAfter === undefined) state.closeAfter = state.answered;
        });
        client.on('response', (status) => {
          lastStatus = status;
          const state = perSocket.get(client.conn);
          if (state === undefined) return;
          const method = state.methods[state.answered] ?? '?';
          const sentAt = state.sentAt[state.answered];
          state.answered += 1;
          const ok = o.verify(method, status, undefined);
          load.recordResult({ method, sentAt, ok, written: true, localPort: state.localPort, status, kind: ok ? undefined : 'bad-response' });
        });
        client.on('mismatch', (body) => {
          // 'response' (emitted first) counted it ok; its body did not match.
          tally.ok -= 1;
          if (tally.markAt !== undefined) tally.okAfterMark -= 1;
          load.recordResult({ method: '?', sentAt: now(), ok: false, written: true, status: lastStatus, kind: 'bad-body', detail: String(body).slice(0, 200) });
        });
      },
    },
    (error, result) => finish(error === null || error === undefined ? result : { error }),
  );
  const deadline = setTimeout(() => handle.stop(), o.maxMs);
  const waitingSockets = () => [...perSocket.values()].filter((state) => state.connected && !state.settled && state.written > state.answered).length;
  const handle = {
    tally,
    whenOk: load.whenOk,
    inFlight: () => tally.sent - tally.ok - tally.failed - tally.refused,
    mark() {
      tally.markAt = now();
    },
    /** Resolves once no connected socket waits for an answer (polled every 5 ms), or `false` after `timeoutMs`. */
    async quiet(timeoutMs = 2000) {
      for (const until = Date.now() + timeoutMs; Date.now() < until; await sleep(5)) if (waitingSockets() === 0) return true;
      return false;
    },
    stop() {
      if (stopping) return;
      stopping = true;
      clearTimeout(deadline);
      for (const client of clients) {
        const socket = client.conn;
        client.destroy();
        if (socket !== undefined) settleSocket(socket);
      }
      for (const socket of [...perSocket.keys()]) settleSocket(socket);
      instance.stop();
      load.ended();
    },
    done: finished,
    async close() {
      handle.stop();
      await finished;
    },
  };
  return handle;
}

module.exports = {
  DEFAULT_POST_BODY, createTally, record, reclassify, failureKinds, startUndiciPool, startUndiciFetch, startHttpAgent, startAutocannon,
};
