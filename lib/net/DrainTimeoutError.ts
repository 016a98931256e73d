/**
 * Reported (source `'server'`) when a `serve$` drain outlived its `drainTimeout`: what was still
 * open was destroyed, and is named here (remote address and state, at most 50).
 *
 * ```
 * drain:     s-------------------X    s stop-accepting; a response still in flight at 20 (drainTimeout 20)
 * reported:  --------------------x    DrainTimeoutError naming what was destroyed (step 'destroyed')
 * ```
 *
 * @example
 * ```ts
 * const timedOut = outcome.errors.find((record) => record.error instanceof DrainTimeoutError);
 * if (timedOut) console.warn((timedOut.error as DrainTimeoutError).names);
 * ```
 */
export class DrainTimeoutError extends Error {
  override readonly name = 'DrainTimeoutError';
  constructor(
    /** The `serve$` name. */
    readonly serverName: string,
    /** The drain timeout that ran out, in ms. */
    readonly timeoutMs: number,
    /** How many connections, sessions or upgraded sockets were destroyed. */
    readonly count: number,
    /** Their descriptions (`127.0.0.1:51234 busy (1 in flight)`), at most 50. */
    readonly names: readonly string[],
  ) {
    super(`rxrun: server '${serverName}' did not drain within ${timeoutMs} ms; destroyed ${count}: ${names.join(', ') || 'nothing'}`);
  }
}
