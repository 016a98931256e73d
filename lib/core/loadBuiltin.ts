import type * as childProcess from 'node:child_process';
import type { Cluster } from 'node:cluster';
import type * as http from 'node:http';
import type * as https from 'node:https';
import type * as os from 'node:os';
import type * as tls from 'node:tls';
import type * as tty from 'node:tty';
import type * as workerThreads from 'node:worker_threads';

/** The built-ins rxrun loads on first use, by id. */
interface Builtins {
  'node:child_process': typeof childProcess;
  /** The cluster object itself (Node's `module.exports`; there is no `default` at run time). */
  'node:cluster': Cluster;
  'node:http': typeof http;
  'node:https': typeof https;
  'node:os': typeof os;
  'node:tls': typeof tls;
  'node:tty': typeof tty;
  'node:worker_threads': typeof workerThreads;
}

/**
 * A Node built-in module, loaded when first used rather than when rxrun is imported (internal):
 * `http`, `https`, `tls`, `net`, `crypto` and `tty` cost several milliseconds to load, and an app that
 * serves nothing (a queue worker) never needs them. Import these modules as types only
 * (`import type * as http from 'node:http'`) and call this where a value is needed.
 *
 * `process.getBuiltinModule` (Node ≥ 20.16 and ≥ 22.3) works whatever the module format; before those
 * versions CommonJS `require` does — rxrun's code always runs as CommonJS (its ESM entry re-exports
 * the CommonJS build, see .ci/write-esm-entries.mjs). Node caches built-ins, so repeated calls are cheap.
 *
 * @example
 * ```ts
 * const server = loadBuiltin('node:http').createServer(handler);
 * ```
 */
export function loadBuiltin<ID extends keyof Builtins>(id: ID): Builtins[ID] {
  // Optional: absent before Node 20.16 / 22.3 (@types/node declares it always present).
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fallback where getBuiltinModule is missing
  return (typeof get === 'function' ? get.call(process, id) : require(id)) as Builtins[ID];
}
