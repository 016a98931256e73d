import type * as net from 'node:net';
import { loadBuiltin } from '../core/loadBuiltin.js';

/** What protocol a server speaks, as far as draining it is concerned (internal). */
export interface ServerKind {
  /** `http1`: `http`/`https`; `http2`: plain or secure HTTP/2; `net`: any other `net.Server` (`tls.Server` too). */
  readonly protocol: 'http1' | 'http2' | 'net';
  /** TLS on the socket: connections arrive raw (`connection`) and become secure (`secureConnection`). */
  readonly secure: boolean;
  /** The URL scheme of `ServeListening.url`. */
  readonly scheme: 'http' | 'https' | 'tcp' | 'tls';
}

/** Classifies a server; `undefined` when it is not a `net.Server` (internal). */
export function serverKind(server: unknown): ServerKind | undefined {
  if (typeof server !== 'object' || server === null) return undefined;
  const names = constructorNames(server);
  if (!names.includes('Server') || typeof (server as net.Server).listen !== 'function' || typeof (server as net.Server).close !== 'function') {
    return undefined;
  }
  if (names.includes('Http2SecureServer')) return { protocol: 'http2', secure: true, scheme: 'https' };
  if (names.includes('Http2Server')) return { protocol: 'http2', secure: false, scheme: 'http' };
  // Loaded here, not when rxrun is imported: an app that serves nothing never loads http or tls.
  if (server instanceof loadBuiltin('node:http').Server) return { protocol: 'http1', secure: false, scheme: 'http' };
  if (server instanceof loadBuiltin('node:https').Server) return { protocol: 'http1', secure: true, scheme: 'https' };
  if (server instanceof loadBuiltin('node:tls').Server) return { protocol: 'net', secure: true, scheme: 'tls' };
  return { protocol: 'net', secure: false, scheme: 'tcp' };
}

// Node does not export the HTTP/2 server classes: recognise them by their constructors' names.
function constructorNames(value: object): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(value) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string') names.push(ctor.name);
  }
  return names;
}

/** `http://127.0.0.1:3000`, `https://[::1]:8443`, `unix:/tmp/app.sock` (internal). */
export function listeningUrl(kind: ServerKind, address: net.AddressInfo | string | null): string {
  if (address === null) return `${kind.scheme}://unbound`;
  if (typeof address === 'string') return `unix:${address}`;
  // The unspecified address (all interfaces) is reachable on the loopback address of its family.
  let host = address.address;
  if (host === '::' || host === '0.0.0.0') host = '127.0.0.1';
  if (host.includes(':')) host = `[${host}]`;
  return `${kind.scheme}://${host}:${address.port}`;
}
