// trackConnections in isolation (issue 9): real `http`/`net` servers on 127.0.0.1, raw client sockets,
// and a manual scheduler for the idle grace and the linger — fast enough to judge every mutant, with
// no wall-clock assertion (tests wait for events, never for a duration). Every wait is bounded: it fails
// at once, naming what it waited for, when the event can no longer come (the socket or session closed
// first), or after a hang guard that only stops a mutant from hanging the run (never asserted).
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { SchedulerAction, Subscription } from 'rxjs';
import type { ServerKind } from '../../lib/net/serverKind';
import { trackConnections, type ConnectionTracker } from '../../lib/net/trackConnections';
import { manualScheduler, type ManualScheduler } from '../support/manualScheduler';
import { selfSignedCert } from './tls';

const HTTP1: ServerKind = { protocol: 'http1', secure: false, scheme: 'http' };
const NET: ServerKind = { protocol: 'net', secure: false, scheme: 'tcp' };

interface Calls {
  upgraded: { socket: Duplex; request: http.IncomingMessage }[];
  drained: net.Socket[];
  closed: number;
  idleClosed: number[];
  lingerExpired: (readonly string[])[];
}

interface Setup {
  server: net.Server;
  tracker: ConnectionTracker;
  scheduler: ManualScheduler;
  calls: Calls;
  port: number;
  /** Responses the handler holds until the test ends them. */
  held: http.ServerResponse[];
}

const cleanups: (() => void)[] = [];
let certificate: { key: Buffer; cert: Buffer } | undefined;
/** One self-signed certificate for the whole file (openssl takes a while). */
const credentials = () => (certificate ??= selfSignedCert());
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/**
 * A manual scheduler that fails, naming the cause, when one `advance` runs more actions than any drain
 * here needs (a tracker re-arming a timer for the same instant forever would otherwise spin).
 */
function boundedScheduler(): ManualScheduler {
  const inner = manualScheduler(1000);
  let ranThisAdvance = 0;
  return {
    now: () => inner.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      return inner.schedule<T>(function (this: SchedulerAction<T>, value?: T) {
        ranThisAdvance += 1;
        if (ranThisAdvance > 10_000) throw new Error('the tracker re-armed its timers more than 10,000 times in one advance');
        work.call(this, value);
      }, delay, state);
    },
    advance(ms) {
      ranThisAdvance = 0;
      inner.advance(ms);
    },
    get pending() {
      return inner.pending;
    },
  };
}

function track(server: net.Server, kind: ServerKind, idleGrace = 100, linger = 1000) {
  const scheduler = boundedScheduler();
  const calls: Calls = { upgraded: [], drained: [], closed: 0, idleClosed: [], lingerExpired: [] };
  const tracker = trackConnections(
    server,
    kind,
    {
      onUpgradedSocket: (socket, request) => void calls.upgraded.push({ socket, request }),
      onConnectionDrain: (socket) => void calls.drained.push(socket),
      onClosed: () => void (calls.closed += 1),
      onIdleClosed: (count) => void calls.idleClosed.push(count),
      onLingerExpired: (names) => void calls.lingerExpired.push(names),
    },
    { scheduler, idleGrace, linger },
  );
  return { scheduler, calls, tracker };
}

/** The server side of each client connection accepted by `listen`ed servers, by the client's port. */
const accepted = new Map<number, net.Socket>();

async function listen(server: net.Server): Promise<number> {
  server.on('connection', (socket: net.Socket) => {
    if (socket.remotePort !== undefined) accepted.set(socket.remotePort, socket);
  });
  await bounded(new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), 'the server listens');
  cleanups.push(() => {
    server.close();
    (server as http.Server).closeAllConnections?.();
  });
  return (server.address() as net.AddressInfo).port;
}

/** An HTTP/1 server whose handler holds every response (`held`), or answers at once when `answer` says so. */
async function httpSetup(options: { idleGrace?: number; linger?: number; answer?: (request: http.IncomingMessage) => boolean } = {}): Promise<Setup> {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((request, response) => {
    if (options.answer?.(request) === true) response.end('now');
    else held.push(response);
  });
  server.keepAliveTimeout = 60_000;
  const tracked = track(server, HTTP1, options.idleGrace, options.linger);
  const port = await listen(server);
  return { server, port, held, ...tracked };
}

/** A keep-alive response whose head (content-length 2) has reached the client, its body not yet sent; no drain yet. */
async function headSentBeforeDrain() {
  const setup = await httpSetup({ idleGrace: 100 });
  const client = await connect(setup.port);
  client.socket.write(get('/early'));
  await until(() => setup.held.length === 1);
  setup.held[0].writeHead(200, { 'content-length': '2' });
  setup.held[0].flushHeaders();
  await until(() => client.text().includes('\r\n\r\n'));
  return { ...setup, client };
}

/** One client with an idle socket and a busy one (its request held), quiet for 500 ms; then the drain and its first sweep. */
async function drainWithSiblingInFlight() {
  const setup = await httpSetup({ idleGrace: 100 });
  const idle = await connect(setup.port);
  const busy = await connect(setup.port);
  busy.socket.write(get('/work'));
  await until(() => setup.held.length === 1 && setup.tracker.size === 2);
  setup.scheduler.advance(500);
  setup.tracker.beginDrain();
  setup.tracker.closeIdle();
  await turn();
  return { ...setup, idle, busy };
}

interface Client {
  socket: net.Socket;
  /** Everything received so far. */
  text(): string;
  /** The server's FIN arrives (rejects if the socket closes without one). */
  ended(): Promise<void>;
  /** The socket closes. */
  closed(): Promise<void>;
  isEnded(): boolean;
  /**
   * Whether the server's side has ended (FIN sent), checked synchronously: a FIN the tracker sends is sent
   * by the call that decides it, so the test asserts this at once rather than waiting for one that never comes.
   */
  finSent(): boolean;
}

/**
 * Hang guard only: an awaited event that should come within a few event-loop turns (loopback I/O) gets
 * this long before the test fails naming it, so a mutant that removes the event fails the test instead of
 * hanging it. No test asserts a duration; on a correct tracker every wait ends by its event.
 */
const HANG_GUARD_MS = 2000;

/** Waits for `promise`, failing with `what` once the hang guard expires. */
async function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let guard: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    guard = setTimeout(() => reject(new Error(`never happened: ${what} (hang guard)`)), HANG_GUARD_MS); // real-time: hang guard only
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(guard);
  }
}

/**
 * `emitter`'s `event`; rejects at once when `impossibleAfter` comes first (then `event` can no longer
 * come, e.g. 'close' before 'end'), and is bounded by the hang guard.
 */
function nextEvent<T = void>(emitter: NodeJS.EventEmitter, event: string, what: string, impossibleAfter = 'close'): Promise<T> {
  return bounded(
    new Promise<T>((resolve, reject) => {
      const onEvent = (value: T) => {
        emitter.removeListener(impossibleAfter, onImpossible);
        resolve(value);
      };
      const onImpossible = () => {
        emitter.removeListener(event, onEvent);
        reject(new Error(`never happened: ${what} ('${impossibleAfter}' came first)`));
      };
      emitter.once(event, onEvent);
      emitter.once(impossibleAfter, onImpossible);
    }),
    what,
  );
}

/** A raw client socket; `from` picks another loopback address as the client's (another client). */
async function connect(port: number, from?: string): Promise<Client> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, ...(from === undefined ? {} : { localAddress: from }) });
  let received = '';
  let ended = false;
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.once('end', () => (ended = true));
  socket.once('close', () => (closed = true));
  cleanups.push(() => socket.destroy());
  await nextEvent(socket, 'connect', 'the client connects');
  const name = `client :${socket.localPort}`;
  return {
    socket,
    text: () => received,
    ended: () => (ended ? Promise.resolve() : closed ? Promise.reject(new Error(`${name} closed without a FIN`)) : nextEvent(socket, 'end', `${name} gets the server's FIN`)),
    closed: () => (closed ? Promise.resolve() : nextEvent(socket, 'close', `${name} closes`, 'never')),
    isEnded: () => ended,
    finSent: () => {
      const server = accepted.get(socket.localPort ?? -1);
      if (server === undefined) throw new Error(`${name}: not accepted by a listening server`);
      return server.writableEnded;
    },
  };
}

/** Waits (by event-loop turns, not by time) until `predicate` holds. */
async function until(predicate: () => boolean): Promise<void> {
  for (let turn = 0; !predicate(); turn += 1) {
    if (turn > 20_000) throw new Error(`condition never held: ${predicate.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
const responses = (text: string) => text.split('HTTP/1.1 ').length - 1;

describe('trackConnections (HTTP/1)', () => {
  it('counts open connections and reports each close', async () => {
    const { tracker, port, calls } = await httpSetup();
    expect(tracker.size).toBe(0);
    const a = await connect(port);
    const b = await connect(port);
    await until(() => tracker.size === 2);
    a.socket.destroy();
    await until(() => calls.closed === 1);
    expect(tracker.size).toBe(1);
    b.socket.destroy();
    await until(() => calls.closed === 2);
    expect(tracker.size).toBe(0);
  });

  it('names busy, receiving and idle connections, and counts the busy ones', async () => {
    const { tracker, port, held } = await httpSetup();
    const idle = await connect(port);
    const busy = await connect(port);
    const receiving = await connect(port);
    busy.socket.write(get('/a') + get('/b') + get('/c') + get('/d') + get('/e'));
    receiving.socket.write('GET /half HTTP/1.1\r\nHo');
    await until(() => held.length === 5 && tracker.size === 3);
    await until(() => tracker.busyCount() === 2);
    const busyName = `127.0.0.1:${busy.socket.localPort} busy (5 in flight: GET /a, GET /b, GET /c, +2 more)`;
    const receivingName = `127.0.0.1:${receiving.socket.localPort} receiving`;
    const idleName = `127.0.0.1:${idle.socket.localPort} idle`;
    expect(tracker.describe(10, 'busy').sort()).toEqual([busyName, receivingName].sort());
    expect(tracker.describe(10, 'quiet')).toEqual([idleName]);
    expect(tracker.describe(1, 'busy')).toHaveLength(1);
    expect(tracker.describe(0, 'busy')).toEqual([]);
    held[0].end('a');
    held[1].end('b');
    await until(() => responses(busy.text()) === 2);
    expect(tracker.describe(10, 'busy')).toContain(`127.0.0.1:${busy.socket.localPort} busy (3 in flight: GET /c, GET /d, GET /e)`);
    for (const response of held.slice(2)) response.end('x');
    await until(() => responses(busy.text()) === 5);
    // Answered: idle again (its bytes accounted for).
    expect(tracker.describe(10, 'quiet').sort()).toEqual([idleName, `127.0.0.1:${busy.socket.localPort} idle`].sort());
    expect(tracker.busyCount()).toBe(1);
  });

  it('accounts for a request body that ends after its response: the socket is idle, not receiving', async () => {
    let bodyEnded = false;
    const server = http.createServer((request, response) => {
      request.on('end', () => (bodyEnded = true));
      request.resume();
      response.end('early');
    });
    server.keepAliveTimeout = 60_000;
    const { tracker, scheduler } = track(server, HTTP1);
    const port = await listen(server);
    const client = await connect(port);
    client.socket.write('POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345');
    await until(() => client.text().endsWith('early'));
    client.socket.write('67890');
    await until(() => bodyEnded);
    await turn();
    expect(tracker.describe(5, 'quiet')).toEqual([`127.0.0.1:${client.socket.localPort} idle`]);
    expect(tracker.busyCount()).toBe(0);
    expect(scheduler.pending).toBe(0); // not draining: nothing to wait for
  });

  it('gives responses not begun `Connection: close` once draining, and the socket ends after the last one', async () => {
    const { tracker, port, held, calls } = await httpSetup();
    const client = await connect(port);
    client.socket.write(get('/slow'));
    await until(() => held.length === 1);
    tracker.beginDrain();
    expect(held[0].getHeader('connection')).toBe('close');
    expect(tracker.busyCount()).toBe(1);
    held[0].end('bye');
    await client.ended();
    expect(client.text()).toMatch(/connection: close/i);
    await until(() => calls.closed === 1);
    expect(tracker.size).toBe(0);
    expect(tracker.busyCount()).toBe(0);
  });

  it('leaves the header of a response already sent alone; its socket then waits the idle grace', async () => {
    const { tracker, held, calls, scheduler, client } = await headSentBeforeDrain();
    tracker.beginDrain();
    scheduler.advance(50);
    held[0].end('ok');
    await until(() => client.text().endsWith('ok'));
    expect(client.text()).toMatch(/keep-alive/i);
    await turn();
    expect(client.isEnded()).toBe(false);
    expect(tracker.describe(5, 'quiet')).toEqual([`127.0.0.1:${client.socket.localPort} idle`]);
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    expect(calls.idleClosed).toEqual([0]);
    scheduler.advance(99);
    expect(calls.idleClosed).toEqual([0]);
    expect(client.isEnded()).toBe(false);
    scheduler.advance(10);
    expect(calls.idleClosed).toEqual([0, 1]);
    expect(client.finSent()).toBe(true);
    await client.ended();
    expect(tracker.describe(5, 'quiet')).toEqual([`127.0.0.1:${client.socket.localPort} closing (FIN sent)`]);
  });

  it('ends an idle socket on the first sweep when it has been quiet for the idle grace', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const client = await connect(port);
    await until(() => tracker.size === 1);
    scheduler.advance(100);
    tracker.beginDrain();
    expect(tracker.closeIdle()).toBeUndefined();
    expect(calls.idleClosed).toEqual([]); // one turn later, so buffered requests are read first
    await turn();
    expect(calls.idleClosed).toEqual([1]);
    expect(client.finSent()).toBe(true);
    await client.ended();
    expect(tracker.busyCount()).toBe(0);
  });

  it('leaves a socket whose request is arriving alone at the sweep; it ends after that request\'s response', async () => {
    const { tracker, port, calls } = await httpSetup({ idleGrace: 0, answer: () => true });
    const client = await connect(port);
    client.socket.write('GET /late HTTP/1.1\r\nHo');
    await until(() => tracker.busyCount() === 1);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    expect(calls.idleClosed).toEqual([0]);
    expect(client.isEnded()).toBe(false);
    client.socket.write('st: t\r\n\r\n');
    await until(() => client.text().endsWith('now'));
    expect(client.text()).toMatch(/^HTTP\/1.1 200/);
    expect(client.text()).toMatch(/connection: close/i);
    await client.ended();
  });

  it('counts the idle grace from the last response of any socket of the same client', async () => {
    // The idle socket alone has been quiet long enough; the first sweep (one turn after closeIdle) has run.
    const { held, calls, scheduler, idle, busy } = await drainWithSiblingInFlight();
    expect(calls.idleClosed).toEqual([0]); // its client still has a request in flight
    scheduler.advance(1000);
    expect(idle.isEnded()).toBe(false);
    held[0].end('done'); // Connection: close: that socket ends now
    expect(held[0].getHeader('connection')).toBe('close'); // set at the drain's start
    await busy.ended();
    scheduler.advance(99);
    await turn();
    expect(idle.isEnded()).toBe(false);
    scheduler.advance(10);
    expect(idle.finSent()).toBe(true);
    await idle.ended();
    expect(calls.idleClosed).toEqual([0, 1]);
  });

  it('a request arriving during the drain pushes back the FIN of its client\'s idle sockets', async () => {
    const { tracker, port, held, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const idle = await connect(port);
    const other = await connect(port);
    await until(() => tracker.size === 2);
    scheduler.advance(500);
    tracker.beginDrain();
    other.socket.write(get('/during'));
    await until(() => held.length === 1);
    expect(held[0].getHeader('connection')).toBe('close');
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    expect(calls.idleClosed).toEqual([0]);
    scheduler.advance(50);
    held[0].end('x');
    await other.ended();
    scheduler.advance(99);
    await turn();
    expect(idle.isEnded()).toBe(false);
    scheduler.advance(10);
    expect(idle.finSent()).toBe(true);
    await idle.ended();
  });

  it('settles a connection opened during the drain: idle grace counted from its accept', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    const late = await connect(port);
    await until(() => tracker.size === 1);
    scheduler.advance(99);
    await turn();
    expect(late.isEnded()).toBe(false);
    scheduler.advance(10);
    expect(calls.idleClosed).toEqual([0, 1]);
    expect(late.finSent()).toBe(true);
    await late.ended();
  });

  it('destroys a socket whose peer ignores the FIN for the linger, and names it', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 0, linger: 1000 });
    const stubborn = await connect(port);
    const polite = await connect(port);
    polite.socket.on('end', () => polite.socket.end());
    await until(() => tracker.size === 2);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep has run
    expect(stubborn.finSent()).toBe(true);
    expect(polite.finSent()).toBe(true);
    await stubborn.ended();
    await polite.closed();
    await until(() => tracker.size === 1);
    scheduler.advance(999);
    await turn();
    expect(calls.lingerExpired).toEqual([]);
    scheduler.advance(20);
    expect(calls.lingerExpired).toEqual([[`127.0.0.1:${stubborn.socket.localPort} closing (FIN sent)`]]);
    await until(() => tracker.size === 0);
  });

  it('a socket whose peer closed within the linger is not named when the linger expires', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 0, linger: 1000 });
    const client = await connect(port);
    await until(() => tracker.size === 1);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep has run
    expect(client.finSent()).toBe(true);
    await client.ended();
    client.socket.end();
    await until(() => calls.closed === 1);
    scheduler.advance(2000);
    expect(calls.lingerExpired).toEqual([]);
  });

  it('destroyAll destroys every socket and drops the timers', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const a = await connect(port);
    const b = await connect(port);
    await until(() => tracker.size === 2);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    expect(scheduler.pending).toBeGreaterThan(0);
    expect(tracker.destroyAll()).toBe(2);
    expect(scheduler.pending).toBe(0);
    await until(() => tracker.size === 0 && calls.closed === 2);
    expect(a.socket.destroyed || b.socket.destroyed).toBe(false); // the server's side went, not the client's
  });

  it('detach removes every listener it added and stops the first sweep', async () => {
    const server = http.createServer(() => undefined);
    const before = ['connection', 'request', 'newListener', 'removeListener', 'upgrade'].map((event) => server.listenerCount(event));
    const { tracker, calls } = track(server, HTTP1);
    server.on('upgrade', () => undefined);
    expect(server.listenerCount('upgrade')).toBe(2);
    tracker.closeIdle();
    tracker.detach();
    await turn();
    await turn();
    expect(calls.idleClosed).toEqual([]);
    expect(server.listenerCount('upgrade')).toBe(1);
    expect(['connection', 'request', 'newListener', 'removeListener'].map((event) => server.listenerCount(event))).toEqual(before.slice(0, 4));
  });
});

describe('trackConnections (upgrades)', () => {
  const upgradeRequest = get('/ws', 'Connection: Upgrade\r\nUpgrade: test\r\n');

  it('listens for upgrades only while the user does', async () => {
    const server = http.createServer(() => undefined);
    track(server, HTTP1);
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(server.listenerCount('connect')).toBe(0);
    const user = () => undefined;
    server.on('upgrade', user);
    expect(server.listenerCount('upgrade')).toBe(2);
    server.on('connect', user);
    expect(server.listenerCount('connect')).toBe(2);
    server.on('other', user);
    expect(server.listenerCount('other')).toBe(1);
    server.removeListener('upgrade', user);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(server.listenerCount('connect')).toBe(2);
    server.removeListener('other', user);
    server.removeListener('connect', user);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listenerCount('connect')).toBe(0);
  });

  // A bug this spec found: when the server already listened for upgrades, the tracker's own
  // prependListener fired its 'newListener' hook, which added the listener too — twice, and detach()
  // removed only one copy, so the tracker still saw upgrades after detach.
  it('adds its upgrade listener once to a server that already listens for upgrades, and detach removes it', () => {
    const server = http.createServer(() => undefined);
    const user = () => undefined;
    server.on('upgrade', user);
    const { tracker } = track(server, HTTP1);
    expect(server.listenerCount('upgrade')).toBe(2);
    tracker.detach();
    expect(server.listeners('upgrade')).toEqual([user]);
  });

  it('keeps one listener of its own when the user swaps theirs within a tick', () => {
    const server = http.createServer(() => undefined);
    const { tracker } = track(server, HTTP1);
    const user = () => undefined;
    server.on('upgrade', user);
    expect(server.listenerCount('upgrade')).toBe(2);
    expect(server.listeners('upgrade')[1]).toBe(user);
    server.removeListener('upgrade', user);
    server.on('upgrade', user); // before the tick: ours must stay, and once
    return new Promise<void>((resolve) => {
      process.nextTick(() => {
        expect(server.listenerCount('upgrade')).toBe(2);
        tracker.detach();
        expect(server.listeners('upgrade')).toEqual([user]);
        resolve();
      });
    });
  });

  it('does not re-add its upgrade listener after detach', async () => {
    const server = http.createServer(() => undefined);
    const { tracker } = track(server, HTTP1);
    const user = () => undefined;
    const other = () => undefined;
    server.on('upgrade', user);
    server.on('upgrade', other);
    tracker.detach();
    server.removeListener('upgrade', other);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listeners('upgrade')).toEqual([user]);
  });

  it('hands upgraded sockets to the hook, once, and names them as busy', async () => {
    const server = http.createServer(() => undefined);
    const { tracker, calls } = track(server, HTTP1);
    const sockets: Duplex[] = [];
    server.on('upgrade', (_request, socket: Duplex) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
      sockets.push(socket);
    });
    const port = await listen(server);
    const client = await connect(port);
    const plain = await connect(port);
    client.socket.write(upgradeRequest);
    await until(() => sockets.length === 1 && tracker.size === 2);
    expect(tracker.busyCount()).toBe(1);
    expect(tracker.describe(5, 'busy')).toEqual([`127.0.0.1:${client.socket.localPort} upgraded (GET /ws)`]);
    tracker.beginDrain();
    expect(tracker.drainUpgraded()).toBe(1);
    expect(calls.upgraded).toHaveLength(1);
    expect(calls.upgraded[0].socket).toBe(sockets[0]);
    expect(calls.upgraded[0].request.url).toBe('/ws');
    expect(tracker.drainUpgraded()).toBe(0);
    expect(calls.upgraded).toHaveLength(1);
    // The hook has it: still busy until it closes.
    expect(tracker.busyCount()).toBe(1);
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    expect(client.isEnded()).toBe(false);
    sockets[0].destroy();
    await until(() => tracker.busyCount() === 0);
    expect(plain.isEnded()).toBe(false);
  });

  it('hands a socket upgraded during the drain to the hook after the user\'s listener ran', async () => {
    const server = http.createServer(() => undefined);
    const { tracker, calls } = track(server, HTTP1);
    let userHad = 0;
    server.on('upgrade', (_request, socket: Duplex) => {
      userHad = calls.upgraded.length + 1;
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    });
    const port = await listen(server);
    tracker.beginDrain();
    const client = await connect(port);
    client.socket.write(upgradeRequest);
    await until(() => calls.upgraded.length === 1);
    expect(userHad).toBe(1);
    expect(calls.upgraded[0].request.url).toBe('/ws');
    expect(tracker.drainUpgraded()).toBe(0);
  });

  it('treats an upgrade request as a plain request when nobody listens for upgrades', async () => {
    const { tracker, port, held } = await httpSetup();
    const client = await connect(port);
    client.socket.write(upgradeRequest);
    await until(() => held.length === 1);
    expect(tracker.describe(5, 'busy')).toEqual([`127.0.0.1:${client.socket.localPort} busy (1 in flight: GET /ws)`]);
  });
});

describe('trackConnections (net)', () => {
  async function netSetup() {
    const server = net.createServer((socket) => socket.on('error', () => undefined));
    const tracked = track(server, NET);
    const port = await listen(server);
    return { server, port, ...tracked };
  }

  it('hands every open socket to the connection hook, once, and the ones opened later at once', async () => {
    const { tracker, port, calls } = await netSetup();
    const a = await connect(port);
    await connect(port);
    await until(() => tracker.size === 2);
    expect(tracker.busyCount()).toBe(2);
    expect(tracker.describe(5, 'busy')).toEqual(expect.arrayContaining([`127.0.0.1:${a.socket.localPort} open`]));
    expect(tracker.describe(5, 'quiet')).toEqual([]);
    tracker.beginDrain();
    expect(tracker.closeIdle()).toBe(2);
    expect(calls.drained).toHaveLength(2);
    expect(calls.drained.map((socket) => socket.remotePort).sort()).toEqual([...tracker.describe(5, 'busy').map((name) => Number(/:(\d+) /.exec(name)?.[1]))].sort());
    expect(tracker.closeIdle()).toBe(0);
    const late = await connect(port);
    await until(() => calls.drained.length === 3);
    expect(calls.drained[2].remotePort).toBe(late.socket.localPort);
    expect(tracker.closeIdle()).toBe(0);
    calls.drained[0].destroy();
    await until(() => tracker.busyCount() === 2);
  });

  it('names a socket with no remote endpoint (closed before it was accepted) closed#N on a TCP server', async () => {
    const { server, tracker } = await netSetup();
    const gone = new net.Socket(); // never connected: no remoteAddress, as a socket reset before its accept
    cleanups.push(() => gone.destroy());
    server.emit('connection', gone);
    expect(tracker.describe(5, 'busy')).toEqual(['closed#1 open']);
  });

  it('does not hand sockets over before the drain begins', async () => {
    const { tracker, port, calls } = await netSetup();
    await connect(port);
    await until(() => tracker.size === 1);
    await turn();
    expect(calls.drained).toEqual([]);
    expect(tracker.goaway()).toBe(0);
    expect(tracker.drainUpgraded()).toBe(0);
  });
});

describe('trackConnections (TLS and HTTP/2)', () => {
  const HTTPS: ServerKind = { protocol: 'http1', secure: true, scheme: 'https' };
  const H2: ServerKind = { protocol: 'http2', secure: false, scheme: 'http' };

  it('HTTPS: names a connection in its handshake, then by its requests, and ends the TLS socket once drained', async () => {
    const held: http.ServerResponse[] = [];
    const server = https.createServer(credentials(), (_request, response) => held.push(response));
    const { tracker, calls } = track(server, HTTPS, 0);
    const port = await listen(server);
    const raw = await connect(port); // never says hello
    await until(() => tracker.size === 1);
    expect(tracker.describe(5, 'quiet')).toEqual([`127.0.0.1:${raw.socket.localPort} handshake`]);
    const secure = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    secure.on('error', () => undefined);
    cleanups.push(() => secure.destroy());
    await nextEvent(secure, 'secureConnect', 'the TLS handshake completes');
    secure.write(get('/tls'));
    await until(() => held.length === 1);
    expect(tracker.describe(5, 'busy')).toEqual([`127.0.0.1:${secure.localPort} busy (1 in flight: GET /tls)`]);
    tracker.beginDrain();
    held[0].end('done');
    let text = '';
    secure.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await nextEvent(secure, 'end', "the TLS client gets the server's FIN");
    expect(text).toMatch(/connection: close/i);
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    expect(calls.idleClosed).toEqual([1]); // the one in its handshake: idle, so FIN
    expect(raw.finSent()).toBe(true);
    await raw.ended();
  });

  it('HTTPS on a Unix socket: matches the TLS socket to its connection through the raw one', async () => {
    const held: http.ServerResponse[] = [];
    const server = https.createServer(credentials(), (_request, response) => held.push(response));
    const { tracker } = track(server, HTTPS, 0);
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrun-track-'));
    const socketPath = path.join(dir, 's.sock');
    await bounded(new Promise<void>((resolve) => server.listen(socketPath, resolve)), 'the server listens');
    cleanups.push(() => {
      server.close();
      server.closeAllConnections();
      rmSync(dir, { recursive: true, force: true });
    });
    const secure = tls.connect({ path: socketPath, rejectUnauthorized: false });
    secure.on('error', () => undefined);
    cleanups.push(() => secure.destroy());
    await nextEvent(secure, 'secureConnect', 'the TLS handshake completes');
    secure.write(get('/unix'));
    await until(() => held.length === 1);
    expect(tracker.busyCount()).toBe(1);
    // Named by the accept order (a Unix socket has no remote endpoint), not as a closed socket.
    expect(tracker.describe(5, 'busy')).toEqual(['unix#1 busy (1 in flight: GET /unix)']);
  });

  it('HTTP/2: names sessions as busy, sends GOAWAY to each once, and closes a session opened while draining', async () => {
    const server = http2.createServer();
    server.on('stream', (stream) => {
      stream.on('error', () => undefined);
      stream.respond({ ':status': 200 });
      stream.end('h2');
    });
    const { tracker } = track(server, H2);
    const port = await listen(server);
    const sessions: http2.ClientHttp2Session[] = [];
    const open = async () => {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', () => undefined);
      cleanups.push(() => session.destroy());
      sessions.push(session);
      await nextEvent(session, 'remoteSettings', 'the HTTP/2 session is set up');
      return session;
    };
    const first = await open();
    const stream = first.request({ ':path': '/h2' });
    stream.on('error', () => undefined);
    stream.resume();
    await nextEvent(stream, 'end', 'the HTTP/2 response ends');
    await until(() => tracker.busyCount() === 1);
    expect(tracker.describe(5, 'busy')).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ http2 session$/)]);
    expect(tracker.closeIdle()).toBeUndefined();
    tracker.beginDrain();
    const goaway = nextEvent(first, 'goaway', 'the first session gets GOAWAY');
    goaway.catch(() => undefined); // awaited below; a failed expect in between must not leave it unhandled
    expect(tracker.goaway()).toBe(1);
    await goaway;
    const late = await open().catch(() => undefined);
    const lateGoaway = late === undefined || late.closed ? Promise.resolve() : nextEvent(late, 'goaway', 'the session opened while draining gets GOAWAY');
    await lateGoaway;
    await until(() => tracker.size === 0);
    expect(tracker.goaway()).toBe(0);
  });
});

describe('trackConnections (HTTP/1 drain details)', () => {
  it('before the drain: answered requests, a late body and idle time end nothing and arm no timer', async () => {
    const { tracker, port, scheduler, calls } = await httpSetup({ idleGrace: 100, answer: () => true });
    const a = await connect(port);
    const b = await connect(port);
    a.socket.write(get('/one') + get('/two'));
    b.socket.write('POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\n12');
    await until(() => responses(a.text()) === 2 && responses(b.text()) === 1);
    b.socket.write('34');
    await until(() => tracker.describe(5, 'quiet').length === 2);
    expect(scheduler.pending).toBe(0);
    scheduler.advance(100_000);
    expect([a.finSent(), b.finSent()]).toEqual([false, false]);
    expect(calls.idleClosed).toEqual([]);
    expect(tracker.busyCount()).toBe(0);
  });

  it('a connection opened during the drain pushes back the FIN of its client\'s idle sockets', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const idle = await connect(port);
    await until(() => tracker.size === 1);
    scheduler.advance(50); // quiet for 50 of 100 ms: due at 1100
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    scheduler.advance(20); // 1070
    const late = await connect(port);
    await until(() => tracker.size === 2);
    scheduler.advance(40); // 1110: the client was active at 1070
    expect(idle.finSent()).toBe(false);
    scheduler.advance(60); // 1170: quiet since 1070 for the grace
    expect(idle.finSent()).toBe(true);
    expect(late.finSent()).toBe(true);
    expect(calls.idleClosed).toEqual([0, 2]);
    await idle.ended();
  });

  it('a response finishing on a sibling socket restarts its client\'s idle grace, at any time', async () => {
    // The first sweep has run (at 1500): the idle socket is due at 1600 (a request in flight).
    const { held, calls, scheduler, idle, busy } = await drainWithSiblingInFlight();
    scheduler.advance(50);
    held[0].end('done'); // 1550
    expect(held[0].getHeader('connection')).toBe('close'); // set at the drain's start
    await busy.ended();
    scheduler.advance(59); // 1609: its first slot passed, but its client was active at 1550
    expect(idle.finSent()).toBe(false);
    scheduler.advance(50); // 1659
    expect(idle.finSent()).toBe(true);
    expect(calls.idleClosed).toEqual([0, 1]);
  });

  it('ends a socket itself once its `Connection: close` response finished during the drain (FIN, linger armed)', async () => {
    const { tracker, port, held, calls, scheduler } = await httpSetup({ idleGrace: 100, linger: 1000 });
    const client = await connect(port);
    client.socket.write(get('/slow'));
    await until(() => held.length === 1);
    tracker.beginDrain();
    let atClose: { names: string[]; pending: number } | undefined;
    // After the tracker's own 'close' listener (added when the request came): what it did then.
    held[0].once('close', () => (atClose = { names: tracker.describe(5, 'quiet'), pending: scheduler.pending }));
    held[0].end('bye');
    await client.ended();
    expect(atClose).toEqual({ names: [`127.0.0.1:${client.socket.localPort} closing (FIN sent)`], pending: 1 });
    await until(() => calls.closed === 1); // Node closes it too
    scheduler.advance(2000);
    expect(calls.lingerExpired).toEqual([]);
  });

  it('a body still arriving after a keep-alive response holds the FIN until it ends', async () => {
    let bodyEnded = false;
    const { tracker, port, held, scheduler } = await httpSetup({ idleGrace: 100 });
    const client = await connect(port);
    client.socket.write('POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345');
    await until(() => held.length === 1);
    held[0].req.on('end', () => (bodyEnded = true));
    held[0].req.resume();
    held[0].writeHead(200, { 'content-length': '2' });
    held[0].flushHeaders(); // keep-alive promised before the drain
    await until(() => client.text().includes('\r\n\r\n'));
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run
    held[0].end('ok');
    await until(() => client.text().endsWith('ok'));
    client.socket.write('67');
    await until(() => tracker.describe(5, 'busy').length === 1);
    expect(tracker.describe(5, 'busy')).toEqual([`127.0.0.1:${client.socket.localPort} receiving`]);
    scheduler.advance(200); // its grace has passed, but a body is arriving
    expect(client.finSent()).toBe(false);
    client.socket.write('890');
    await until(() => bodyEnded);
    expect(client.finSent()).toBe(true); // at the body's end, the grace being over
    await client.ended();
  });

  it('tells no idle batch when the sockets due in it became busy meanwhile', async () => {
    const { tracker, port, held, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const client = await connect(port);
    await until(() => tracker.size === 1);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run // due at 1100
    client.socket.write(get('/now'));
    await until(() => held.length === 1);
    scheduler.advance(200);
    expect(calls.idleClosed).toEqual([0]);
    expect(client.isEnded()).toBe(false);
  });
});

describe('trackConnections (HTTP/2 details)', () => {
  const H2: ServerKind = { protocol: 'http2', secure: false, scheme: 'http' };
  const H2S: ServerKind = { protocol: 'http2', secure: true, scheme: 'https' };

  function answer(server: http2.Http2Server | http2.Http2SecureServer) {
    server.on('stream', (stream) => {
      stream.on('error', () => undefined);
      stream.respond({ ':status': 200 });
      stream.end('h2');
    });
  }

  async function listenUnix(server: net.Server): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), 'rxrun-track-'));
    const socketPath = path.join(dir, 's.sock');
    await bounded(new Promise<void>((resolve) => server.listen(socketPath, resolve)), 'the server listens');
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return socketPath;
  }

  async function session(authority: string, createConnection: () => Duplex): Promise<http2.ClientHttp2Session> {
    const client = http2.connect(authority, { createConnection });
    client.on('error', () => undefined);
    cleanups.push(() => client.destroy());
    await nextEvent(client, 'remoteSettings', 'the HTTP/2 session is set up');
    return client;
  }

  async function fetchOn(client: http2.ClientHttp2Session, path: string): Promise<string> {
    const stream = client.request({ ':path': path });
    stream.on('error', () => undefined);
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    await nextEvent(stream, 'end', `the HTTP/2 response to ${path} ends`);
    return body;
  }

  for (const secure of [false, true]) {
    it(`${secure ? 'TLS' : 'plain'} HTTP/2 on a Unix socket: each session belongs to the connection just opened`, async () => {
      const server = secure ? http2.createSecureServer(credentials()) : http2.createServer();
      answer(server);
      const { tracker } = track(server, secure ? H2S : H2);
      const socketPath = await listenUnix(server);
      const open = () =>
        session(secure ? 'https://localhost' : 'http://localhost', () =>
          secure ? tls.connect({ path: socketPath, ALPNProtocols: ['h2'], rejectUnauthorized: false }) : net.connect(socketPath),
        );
      const first = await open();
      const second = await open();
      expect(await fetchOn(first, '/a')).toBe('h2');
      expect(await fetchOn(second, '/b')).toBe('h2');
      await until(() => tracker.size === 2);
      expect(tracker.busyCount()).toBe(2);
      expect(tracker.describe(5, 'busy')).toEqual(['unix#1 http2 session', 'unix#2 http2 session']);
      tracker.beginDrain();
      const goaways = [first, second].map((client) => nextEvent(client, 'goaway', 'each session gets GOAWAY'));
      for (const goaway of goaways) goaway.catch(() => undefined);
      expect(tracker.goaway()).toBe(2);
      await Promise.all(goaways);
    });
  }

  it('a request on a session during the drain (before GOAWAY) is answered as usual (compatibility API)', async () => {
    const server = http2.createServer((_request, response) => response.end('h2'));
    const { tracker } = track(server, H2);
    const port = await listen(server);
    const client = await session(`http://127.0.0.1:${port}`, () => net.connect({ port, host: '127.0.0.1' }));
    await until(() => tracker.size === 1);
    tracker.beginDrain();
    expect(await fetchOn(client, '/during')).toBe('h2');
    expect(tracker.busyCount()).toBe(1);
  });
});

describe('trackConnections (listeners)', () => {
  const events = ['connection', 'secureConnection', 'request', 'session', 'newListener', 'removeListener', 'upgrade', 'connect'];
  const counts = (server: net.Server) => Object.fromEntries(events.map((event) => [event, server.listenerCount(event)]));

  const kinds: [string, () => net.Server, ServerKind, string[]][] = [
    ['net', () => net.createServer(), NET, ['connection']],
    ['http', () => http.createServer(), HTTP1, ['connection', 'request', 'newListener', 'removeListener']],
    ['https', () => https.createServer(credentials()), { protocol: 'http1', secure: true, scheme: 'https' }, ['connection', 'secureConnection', 'request', 'newListener', 'removeListener']],
    ['http2', () => http2.createServer(), { protocol: 'http2', secure: false, scheme: 'http' }, ['connection', 'request', 'session']],
    ['http2 (TLS)', () => http2.createSecureServer(credentials()), { protocol: 'http2', secure: true, scheme: 'https' }, ['connection', 'secureConnection', 'request', 'session']],
  ];
  for (const [name, create, kind, added] of kinds) {
    it(`${name}: adds exactly the listeners its kind needs (its upgrade listener before the user's) and detach removes them all`, () => {
      const server = create();
      const user = () => undefined;
      server.on('upgrade', user);
      // (An http2 server drops its own 'newListener' hook once someone listens for 'request'.)
      const before = counts(server);
      const { tracker } = track(server, kind);
      const after = counts(server);
      const expected = { ...before };
      for (const event of added) expected[event] += 1;
      if (kind.protocol === 'http1') expected.upgrade += 1;
      if (kind.protocol === 'http2') expected.newListener = after.newListener;
      expect(after).toEqual(expected);
      if (kind.protocol === 'http1') expect(server.listeners('upgrade')[1]).toBe(user);
      tracker.detach();
      expect(counts(server)).toEqual({ ...before, newListener: kind.protocol === 'http2' ? after.newListener : before.newListener });
      expect(server.listeners('upgrade')).toEqual([user]);
    });
  }

  it('ignores listeners of other events, added or removed', async () => {
    const server = http.createServer(() => undefined);
    track(server, HTTP1);
    const emitter: NodeJS.EventEmitter = server;
    const a = () => undefined;
    const b = () => undefined;
    emitter.on('other', a);
    emitter.on('other', b);
    emitter.on(Symbol.for('other'), a);
    emitter.removeListener('other', a);
    emitter.removeListener(Symbol.for('other'), a);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listeners('other')).toEqual([b]);
    expect(server.listenerCount('upgrade')).toBe(0);
  });

  it('puts its upgrade listener back when user code removed it but still listens, and not after detach', async () => {
    const server = http.createServer(() => undefined);
    const { tracker } = track(server, HTTP1);
    const user = () => undefined;
    server.on('upgrade', user);
    const ours = server.listeners('upgrade')[0] as (...args: unknown[]) => void;
    server.removeListener('upgrade', ours); // e.g. code that keeps only its own upgrade listener
    expect(server.listeners('upgrade')).toEqual([user]);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listeners('upgrade')).toEqual([ours, user]);
    const second = () => undefined;
    server.on('upgrade', second);
    expect(server.listeners('upgrade')).toEqual([ours, user, second]);
    server.removeListener('upgrade', user);
    server.removeListener('upgrade', second);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listeners('upgrade')).toEqual([]);
    server.on('upgrade', user);
    server.removeListener('upgrade', ours);
    tracker.detach(); // before the tick that would put it back
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listeners('upgrade')).toEqual([user]);
  });

  it('removeAllListeners(\'upgrade\') leaves none of its own', async () => {
    const server = http.createServer(() => undefined);
    track(server, HTTP1);
    server.on('upgrade', () => undefined);
    server.on('connect', () => undefined);
    server.removeAllListeners('upgrade');
    await new Promise((resolve) => process.nextTick(resolve));
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(server.listenerCount('connect')).toBe(2);
  });
});

describe('trackConnections (HTTP/1 edge cases)', () => {
  it('names exactly three requests in flight without a "+N more"', async () => {
    const { tracker, port, held } = await httpSetup();
    const client = await connect(port);
    client.socket.write(get('/a') + get('/b') + get('/c'));
    await until(() => held.length === 3);
    expect(tracker.describe(5, 'busy')).toEqual([`127.0.0.1:${client.socket.localPort} busy (3 in flight: GET /a, GET /b, GET /c)`]);
  });

  it('does not count a socket that closed before its FIN was due', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const leaving = await connect(port);
    const staying = await connect(port);
    await until(() => tracker.size === 2);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep (one turn after closeIdle) has run // both due at 1100
    leaving.socket.destroy();
    await until(() => calls.closed === 1);
    scheduler.advance(200);
    expect(calls.idleClosed).toEqual([0, 1]);
    expect(staying.finSent()).toBe(true);
    await staying.ended();
  });

  it('detach drops the idle and linger timers already armed', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100, linger: 1000 });
    const finned = await connect(port);
    await until(() => tracker.size === 1);
    scheduler.advance(100);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep has run
    expect(finned.finSent()).toBe(true);
    await finned.ended(); // linger armed
    const waiting = await connect(port);
    await until(() => tracker.size === 2); // waits its grace
    expect(scheduler.pending).toBe(2);
    tracker.detach();
    expect(scheduler.pending).toBe(0);
    scheduler.advance(5000);
    expect(calls.idleClosed).toEqual([1]);
    expect(calls.lingerExpired).toEqual([]);
    expect(waiting.isEnded()).toBe(false);
  });

  it('a request arriving after the FIN makes the socket neither busy nor longer-lived: destroyed when the linger ends', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 0, linger: 1000 });
    const client = await connect(port);
    await until(() => tracker.size === 1);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn(); // the first sweep has run
    expect(client.finSent()).toBe(true);
    await client.ended();
    scheduler.advance(500);
    client.socket.write('GET /late HTTP/1.1\r\nHo');
    await until(() => tracker.describe(5, 'quiet')[0]?.endsWith(' receiving') === true);
    expect(tracker.busyCount()).toBe(0);
    scheduler.advance(510);
    expect(calls.lingerExpired).toEqual([[`127.0.0.1:${client.socket.localPort} receiving`]]);
    await until(() => tracker.size === 0);
  });
});

describe('trackConnections (clients and requests during the drain)', () => {
  it('each client address is its own pool: another client\'s request in flight does not hold back a FIN', async () => {
    const { tracker, port, held, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const busy = await connect(port, '127.0.0.1');
    const other = await connect(port, '127.0.0.2');
    busy.socket.write(get('/work'));
    await until(() => held.length === 1 && tracker.size === 2);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn();
    expect(calls.idleClosed).toEqual([0]); // quiet for 0 ms: due at 1100
    scheduler.advance(110);
    expect(calls.idleClosed).toEqual([0, 1]);
    expect([other.finSent(), busy.finSent()]).toEqual([true, false]);
  });

  it('requests in flight hold their client\'s idle sockets however long they take, also ones arriving during the drain', async () => {
    const { tracker, port, held, calls, scheduler } = await httpSetup({ idleGrace: 100, answer: (request) => request.url === '/first' });
    const idle = await connect(port);
    const other = await connect(port);
    other.socket.write(get('/first'));
    await until(() => responses(other.text()) === 1);
    other.socket.write(get('/second'));
    await until(() => held.length === 1 && tracker.size === 2);
    scheduler.advance(500);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn();
    expect(calls.idleClosed).toEqual([0]);
    const third = await connect(port);
    third.socket.write(get('/third'));
    await until(() => held.length === 2);
    scheduler.advance(1000);
    held[0].end('2'); // /second done; /third still in flight
    await other.ended();
    scheduler.advance(1000);
    expect(idle.finSent()).toBe(false);
    held[1].end('3'); // now nothing in flight
    await third.ended();
    scheduler.advance(99);
    expect(idle.finSent()).toBe(false);
    scheduler.advance(11);
    expect(idle.finSent()).toBe(true);
  });

  it('at the drain\'s start a client\'s most recent activity counts for all its idle sockets', async () => {
    const { tracker, port, calls, scheduler } = await httpSetup({ idleGrace: 100 });
    const old = await connect(port);
    await until(() => tracker.size === 1);
    scheduler.advance(500);
    const recent = await connect(port); // accepted at 1500
    await until(() => tracker.size === 2);
    scheduler.advance(50);
    tracker.beginDrain();
    tracker.closeIdle();
    await turn();
    expect(calls.idleClosed).toEqual([0]);
    expect(old.finSent()).toBe(false);
    scheduler.advance(60); // 1610
    expect(calls.idleClosed).toEqual([0, 2]);
    expect([old.finSent(), recent.finSent()]).toEqual([true, true]);
  });

  it('a keep-alive response finishing during the drain, after the first sweep, gets its FIN after the idle grace', async () => {
    const { tracker, held, calls, scheduler, client } = await headSentBeforeDrain();
    tracker.beginDrain();
    tracker.closeIdle();
    await turn();
    expect(calls.idleClosed).toEqual([0]); // busy: not waiting for anything yet
    scheduler.advance(500);
    held[0].end('ok'); // 1500
    await until(() => client.text().endsWith('ok'));
    scheduler.advance(99);
    expect(client.finSent()).toBe(false);
    scheduler.advance(11);
    expect(client.finSent()).toBe(true);
    expect(calls.idleClosed).toEqual([0, 1]);
  });

  it('pipelined requests during the drain: the connection stays busy until the last response', async () => {
    const { tracker, port, held } = await httpSetup({ idleGrace: 100 });
    const client = await connect(port);
    client.socket.write(get('/a') + get('/b'));
    await until(() => held.length === 2);
    tracker.beginDrain();
    let atFirstClose: { busy: number; names: string[] } | undefined;
    held[0].once('close', () => (atFirstClose = { busy: tracker.busyCount(), names: tracker.describe(5, 'busy') }));
    held[0].end('a');
    await until(() => atFirstClose !== undefined);
    expect(atFirstClose).toEqual({ busy: 1, names: [`127.0.0.1:${client.socket.localPort} busy (1 in flight: GET /b)`] });
  });

  it('ignores a connection accepted before tracking began: its requests and upgrades pass untouched', async () => {
    const answered: string[] = [];
    const server = http.createServer((request, response) => {
      answered.push(request.url ?? '');
      response.end('plain');
    });
    server.on('upgrade', (_request, socket: Duplex) => {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
    });
    server.keepAliveTimeout = 60_000;
    const port = await listen(server);
    const before = await connect(port);
    const upgrading = await connect(port);
    await until(() => accepted.has(before.socket.localPort ?? -1) && accepted.has(upgrading.socket.localPort ?? -1));
    const { tracker, calls } = track(server, HTTP1);
    tracker.beginDrain();
    before.socket.write(get('/x'));
    upgrading.socket.write(get('/ws', 'Connection: Upgrade\r\nUpgrade: test\r\n'));
    await until(() => responses(before.text()) === 1 && upgrading.text().includes('101'));
    expect(answered).toEqual(['/x']);
    expect(before.text()).toMatch(/keep-alive/i);
    expect(tracker.size).toBe(0);
    await turn();
    expect(calls.upgraded).toEqual([]);
  });

  it('an upgrade whose user listener starts the drain\'s hand-over is handed to the hook once', async () => {
    const server = http.createServer(() => undefined);
    const { tracker, calls } = track(server, HTTP1);
    const handedInListener: number[] = [];
    server.on('upgrade', (_request, socket: Duplex) => {
      socket.on('error', () => undefined);
      handedInListener.push(tracker.drainUpgraded());
    });
    const port = await listen(server);
    tracker.beginDrain();
    const client = await connect(port);
    client.socket.write(get('/ws', 'Connection: Upgrade\r\nUpgrade: test\r\n'));
    await until(() => handedInListener.length === 1);
    await turn();
    expect(handedInListener).toEqual([1]);
    expect(calls.upgraded).toHaveLength(1);
  });
});

describe('trackConnections (destroying)', () => {
  it('destroyAll closes an HTTPS connection, TLS socket and all', async () => {
    const server = https.createServer(credentials(), (_request, response) => response.end('tls'));
    server.keepAliveTimeout = 60_000;
    const { tracker, calls } = track(server, { protocol: 'http1', secure: true, scheme: 'https' });
    const port = await listen(server);
    const secure = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    secure.on('error', () => undefined);
    cleanups.push(() => secure.destroy());
    await nextEvent(secure, 'secureConnect', 'the TLS handshake completes');
    let text = '';
    secure.on('data', (chunk: Buffer) => (text += chunk.toString()));
    secure.write(get('/tls'));
    await until(() => text.endsWith('tls'));
    expect(tracker.destroyAll()).toBe(1);
    await nextEvent(secure, 'close', 'the TLS client sees the connection close', 'never');
    await until(() => calls.closed === 1);
    expect(tracker.size).toBe(0);
  });

  it('an upgraded HTTPS connection counts as busy (no byte count needed)', async () => {
    const server = https.createServer(credentials(), () => undefined);
    const { tracker } = track(server, { protocol: 'http1', secure: true, scheme: 'https' });
    const upgraded: Duplex[] = [];
    server.on('upgrade', (_request, socket: Duplex) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
      upgraded.push(socket);
    });
    const port = await listen(server);
    const secure = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    secure.on('error', () => undefined);
    cleanups.push(() => secure.destroy());
    await nextEvent(secure, 'secureConnect', 'the TLS handshake completes');
    secure.write(get('/wss', 'Connection: Upgrade\r\nUpgrade: test\r\n'));
    await until(() => upgraded.length === 1);
    expect(tracker.busyCount()).toBe(1);
    expect(tracker.describe(5, 'busy')).toEqual([`127.0.0.1:${secure.localPort} upgraded (GET /wss)`]);
  });

  it('a response finishing on a connection upgraded after it (pipelined) leaves the upgraded socket to its hook', async () => {
    const held: http.ServerResponse[] = [];
    const server = http.createServer((_request, response) => held.push(response));
    server.keepAliveTimeout = 60_000;
    const { tracker, calls } = track(server, HTTP1);
    const upgraded: Duplex[] = [];
    server.on('upgrade', (_request, socket: Duplex) => {
      socket.on('error', () => undefined);
      upgraded.push(socket);
    });
    const port = await listen(server);
    const client = await connect(port);
    client.socket.write(get('/first') + get('/ws', 'Connection: Upgrade\r\nUpgrade: test\r\n'));
    await until(() => held.length === 1 && upgraded.length === 1);
    tracker.beginDrain();
    await turn();
    expect(calls.upgraded).toHaveLength(0); // upgraded before the drain: drainUpgraded hands it over
    let closed = false;
    held[0].once('close', () => (closed = true));
    held[0].end('first');
    await until(() => closed);
    // Not ended as an HTTP socket (Node may end it for that response's `Connection: close`): still the hook's.
    expect(tracker.drainUpgraded()).toBe(1);
    expect(calls.upgraded).toHaveLength(1);
  });
});
