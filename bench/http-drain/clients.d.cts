// Types of clients.cjs (the real-client load drivers shared by bench/http-drain.mjs and spec/net/realClients).

export type Method = 'GET' | 'POST';

/** One failed request: written on an established connection, then no valid 2xx. */
export interface Failure {
  readonly kind: string;
  readonly detail: string | undefined;
  readonly method: string;
  /** The request path (`<basePath>/<load>-<seq>`; autocannon: `<basePath>/ac`). */
  readonly path: string | undefined;
  /** The client socket's local port (= the server's remote port), when the client exposes it. */
  readonly localPort: number | undefined;
  readonly status: number | undefined;
  /** Sent after `mark()`. */
  readonly afterMark: boolean;
}

/** Counts of one load (see the comment at the top of clients.cjs). */
export interface Tally {
  sent: number;
  ok: number;
  failed: number;
  refused: number;
  unaccepted: number;
  okAfterMark: number;
  sentAfterMark: number;
  failedAfterMark: number;
  markAt: bigint | undefined;
  failures: Failure[];
  refusedKinds: Record<string, number>;
}

export interface LoadOptions {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Closed loops (autocannon: connections). Default 20. */
  readonly workers?: number;
  /** Pooled connections. Default: `workers`. */
  readonly connections?: number;
  /** Worker i sends `methods[i % length]` (autocannon: every connection takes them in turn). Default ['GET']. */
  readonly methods?: readonly Method[];
  /** POST body. Default 2048 × 'x'. */
  readonly body?: string;
  /** Whether an answer is ok. Default: any 2xx. autocannon passes `body` undefined (use `verifyBody`). */
  readonly verify?: (method: string, status: number, body: string | undefined) => boolean;
  /** autocannon only: its `verifyBody`. */
  readonly verifyBody?: (body: string) => boolean;
  /** Stop after this many requests. Default 100 000. */
  readonly maxRequests?: number;
  /** Stop after this many ms. Default 30 000. */
  readonly maxMs?: number;
  /** Pause of a worker after a refused request. Default 5 ms. */
  readonly refusedBackoffMs?: number;
  /** Paths are `<basePath>/<load>-<seq>`. Default '/r'. */
  readonly basePath?: string;
  /** Concurrent requests before the loops start, each opening a pooled connection (then idle if `workers` is smaller). Default 0. */
  readonly warmup?: number;
  /** Extra undici Pool/Agent options. */
  readonly undici?: Record<string, unknown>;
}

/** A running load. */
export interface Load {
  readonly tally: Tally;
  /** Resolves `true` once `n` requests got an ok answer, `false` if the load ended first. */
  whenOk(n: number): Promise<boolean>;
  /** Requests sent and not settled yet. */
  inFlight(): number;
  /** Marks "now" (SIGTERM sent): later completions count as after the mark. */
  mark(): void;
  /** No new requests. */
  stop(): void;
  /** Every loop ended (autocannon: its result). */
  readonly done: Promise<unknown>;
  /** Releases the client (pool, agent, autocannon run). */
  close(): Promise<void>;
}

export interface AutocannonLoad extends Load {
  /** Resolves `true` once no connected socket waits for an answer, `false` after `timeoutMs` (default 2000). */
  quiet(timeoutMs?: number): Promise<boolean>;
}

export const DEFAULT_POST_BODY: string;
export function createTally(): Tally;
export function record(tally: Tally, result: Record<string, unknown>): void;
/** Moves failures whose local port the server never accepted to `unaccepted`. */
export function reclassify(tally: Tally, accepted: ReadonlySet<number>): Tally;
/** Failures grouped as `'<method> <kind>[ <status>]': count`. */
export function failureKinds(tally: Tally): Record<string, number>;
export function startUndiciPool(options: LoadOptions): Load;
export function startUndiciFetch(options: LoadOptions): Load;
export function startHttpAgent(options: LoadOptions): Load;
export function startAutocannon(options: LoadOptions): AutocannonLoad;
