/**
 * Everything an app does to or hears from its process goes through a port: signals and IPC messages
 * in; logging, exit status and signal re-raise out. `realProcessPort()` is the default;
 * `createTestProcess()` from `rxrun/testing` drives an app from a marble test.
 *
 * @example
 * ```ts
 * // Forward signals from a supervisor object instead of `process`:
 * const port: ProcessPort = { ...realProcessPort(), onSignal: (signal, listener) => supervisor.on(signal, listener) };
 * runApp(main$, { process: port });
 * ```
 */
export interface ProcessPort {
  /** `process.platform` or what a test pretends. */
  readonly platform: NodeJS.Platform;
  /** Listens for a signal; returns a function that removes exactly that listener. */
  onSignal(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): () => void;
  /** Listens for IPC messages without keeping the channel alive; `undefined` when there is no channel. */
  onMessage(listener: (message: unknown) => void): (() => void) | undefined;
  /**
   * Optional: calls `listener` once when the IPC channel to the parent closes (the parent died or
   * disconnected); `undefined` when there is no channel. The app then shuts itself down: no orphans.
   */
  onDisconnect?(listener: () => void): (() => void) | undefined;
  /** Listens for `uncaughtException` or `unhandledRejection`. */
  onProcessError(
    kind: 'uncaughtException' | 'unhandledRejection',
    listener: (error: unknown) => void,
  ): () => void;
  /** Holds the process open while an app runs; returns the release function. */
  keepAlive(): () => void;
  /** Active handle and request types (as `process.getActiveResourcesInfo()`), less the port's own. */
  activeResources(): string[];
  /**
   * Optional: calls `done` once handles and requests that finished in this turn of the event loop
   * are no longer listed by `activeResources()` (Node lists a closed socket or a completed fs request
   * until libuv's close callback has run), and I/O requests in flight (output still being written,
   * which under PM2's cluster mode is an fs write to PM2's log file) have completed, within a bound.
   * The app waits for it before `stopped` names open handles.
   */
  settle?(done: () => void): void;
  /**
   * Optional: sends an IPC message to the parent (`process.send`). Returns true once the message was
   * handed to a connected channel, false when there is none. What `process.send` itself returns is
   * not used: Node's `false` only means "queued", and PM2's cluster mode wraps `process.send` in a
   * function that returns `undefined`. A write that fails later calls `onError`.
   */
  send?(message: unknown, onError?: (error: unknown) => void): boolean;
  /**
   * Optional: reads one environment variable of the process (`process.env[name]`). rxrun reads what a
   * process manager tells its child (PM2's `pm_id`, `kill_timeout`) and `RXRUN_LOG`.
   */
  env?(name: string): string | undefined;
  /**
   * Optional: emits a process warning (`process.emitWarning(message, { type })`): the channel left for
   * an error that no app can take any more (no app, or it stopped), such as a `serve$` drain that
   * timed out after its app was gone. Without it, such a warning goes to the real process.
   */
  warning?(message: string, type: string): void;
  /** Writes one line to the diagnostic stream (stderr). */
  writeLine(line: string): void;
  /** Ends the process with this status (the real port: once the current microtasks have run). */
  exit(code: number): void;
  /** Ends the process by the signal's default action (removing every listener for it first), falling back to `exit(128 + n)`; the real port: once the current microtasks have run. */
  raise(signal: NodeJS.Signals): void;
}
