import * as net from 'node:net';
import { tap } from 'rxjs';
import { runApp$, serve$, type AppContext, type AppOutcome, type LifecycleEvent, type RunAppOptions, type ServeConfig, type ServeListening } from 'rxrun';
import { createTestProcess, type TestProcess } from 'rxrun/testing';

/** A running app under test: its port, every event so far, and promises to synchronise on. */
export interface AppUnderTest {
  readonly port: TestProcess;
  readonly events: LifecycleEvent[];
  readonly stopped: Promise<AppOutcome>;
  /** Resolves with the first event (already seen or future) that matches. */
  when(predicate: (event: LifecycleEvent) => boolean): Promise<LifecycleEvent>;
}

/** Runs `main` with real time and a test process (signals from the test, no real exit). */
export function startApp(main: (app: AppContext) => unknown, options: RunAppOptions = {}): AppUnderTest {
  const port = createTestProcess();
  const events: LifecycleEvent[] = [];
  const waiters: { predicate: (event: LifecycleEvent) => boolean; resolve: (event: LifecycleEvent) => void }[] = [];
  let resolveStopped: (outcome: AppOutcome) => void = () => undefined;
  const stopped = new Promise<AppOutcome>((resolve) => (resolveStopped = resolve));
  runApp$(main as never, { logger: false, ...options, process: port }).subscribe((event) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(event)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
    if (event.type === 'stopped') resolveStopped(event.outcome);
  });
  return {
    port,
    events,
    stopped,
    when: (predicate) => {
      const seen = events.find(predicate);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}

/** Serves `server` on 127.0.0.1:0 in an app; resolves with the app and where it listens. */
export async function serveInApp(
  server: net.Server,
  config: Omit<ServeConfig, 'app'> = {},
  options: RunAppOptions = {},
): Promise<AppUnderTest & { listening: ServeListening }> {
  let listening: ServeListening | undefined;
  const app = startApp((ctx) => serve$(server, { port: 0, host: '127.0.0.1' }, { ...config, app: ctx }).pipe(tap((value) => (listening = value))), options);
  await app.when((event) => event.type === 'server-listening');
  return { ...app, listening: listening as ServeListening };
}

/**
 * `server-drain` step labels in order: `step:count`. Idle sockets get FIN in batches as each falls quiet
 * (real time decides how they group): the `close-idle` batches are summed into the first one's place.
 */
export function drainSteps(events: readonly LifecycleEvent[]): string[] {
  const steps = drainStepsExact(events);
  const idle = steps.filter((step) => step.startsWith('close-idle:'));
  if (idle.length <= 1) return steps;
  const total = idle.reduce((sum, step) => sum + Number(step.slice('close-idle:'.length)), 0);
  const first = steps.indexOf(idle[0] as string);
  return steps.flatMap((step, index) => (index === first ? [`close-idle:${total}`] : step.startsWith('close-idle:') ? [] : [step]));
}

/** `server-drain` step labels exactly as emitted: `step:count`. */
export function drainStepsExact(events: readonly LifecycleEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'server-drain' ? [`${event.step}:${event.count}`] : []));
}

/** Event type / step / phase labels in order, for asserting sequences. */
export function labels(events: readonly LifecycleEvent[]): string[] {
  return events.map((event) => {
    if (event.type === 'server-drain') return `drain:${event.step}`;
    if (event.type === 'phase') return `phase:${event.phase}`;
    return event.type;
  });
}

/** A raw HTTP/1.1 client on one socket: send requests, read whole responses, see FIN and resets. */
export class RawClient {
  readonly socket: net.Socket;
  readonly connected: Promise<void>;
  /** Resolves when the server's FIN arrives ('end'). */
  readonly ended: Promise<void>;
  /** Resolves with the socket's error code, if any, once it closed. */
  readonly closed: Promise<string | undefined>;
  private buffer = '';
  private readers: (() => void)[] = [];
  private errorCode: string | undefined;

  constructor(port: number, options: { allowHalfOpen?: boolean } = {}) {
    this.socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: options.allowHalfOpen ?? false });
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.ended = new Promise((resolve) => this.socket.once('end', () => resolve()));
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve(this.errorCode)));
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (const reader of this.readers.splice(0)) reader();
    });
    this.socket.on('end', () => {
      for (const reader of this.readers.splice(0)) reader();
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.errorCode = error.code ?? error.message;
    });
  }

  send(path: string, headers: Record<string, string> = {}): void {
    const lines = [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([key, value]) => `${key}: ${value}`)];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  }

  /** Reads one whole response (Content-Length or chunked body). */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    for (;;) {
      const parsed = this.tryParse();
      if (parsed !== undefined) return parsed;
      if (this.socket.readableEnded) throw new Error(`connection ended mid-response: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
  }

  private tryParse(): { status: number; headers: Record<string, string>; body: string } | undefined {
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const [statusLine, ...headerLines] = this.buffer.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number((statusLine ?? '').split(' ')[1]);
    let rest = this.buffer.slice(headEnd + 4);
    let body = '';
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (rest.length < length) return undefined;
      body = rest.slice(0, length);
      rest = rest.slice(length);
    } else if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        if (lineEnd < 0) return undefined;
        const size = parseInt(rest.slice(0, lineEnd), 16);
        if (rest.length < lineEnd + 2 + size + 2) return undefined;
        if (size === 0) {
          rest = rest.slice(lineEnd + 4);
          break;
        }
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size);
        rest = rest.slice(lineEnd + 2 + size + 2);
      }
    }
    this.buffer = rest;
    return { status, headers, body };
  }
}

/** A promise and its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
