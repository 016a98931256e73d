import type { ProcessPort } from './ProcessPort.js';
import { loadBuiltin } from '../core/loadBuiltin.js';
import { signalExitStatus } from './signals.js';

const RAISE_FALLBACK_MS = 250;
const KEEP_ALIVE_PERIOD_MS = 2 ** 30;
const STDIO_FLUSH_LIMIT_MS = 500;
const STDIO_FLUSH_POLL_MS = 5;
// I/O requests (not handles): each ends by itself once its write or fs call completes. A process
// manager that redirects stdio to files (PM2's cluster mode replaces process.stdout.write and
// process.stderr.write with writes to its log files) turns every output line into an FSReqCallback.
const IO_REQUESTS: readonly string[] = ['FSReqCallback', 'FSReqPromise', 'WriteWrap', 'SimpleWriteWrap', 'ShutdownWrap'];

// Per process, not per port: every app's keep-alive timer is rxrun's own, never a handle an app leaked.
let keepAliveCount = 0;

let instance: ProcessPort | undefined;

/**
 * The process port of the running Node process (one per process: every call returns the same port).
 * Every listener it installs is removed by the function it returns. Everything rxrun does to or reads
 * from `process` goes through it (the environment, warnings, IPC, signals, exit), with three
 * exceptions that are not the process's state: `process.nextTick` in `serve$`'s connection tracking
 * (event-loop ordering, like `queueMicrotask`), `process.cwd()` as `fork$`'s default `cwd` (what
 * `node:child_process` itself would use), and `console.error`, the documented default of
 * `supervise`, `taskGroup`, `timer$` and `resource$` for errors with no app to take them.
 *
 * @returns The {@link ProcessPort} of this process: the same object on every call.
 * @see {@link RunAppOptions} (`process`); `createTestProcess` in `rxrun/testing` for a fake one.
 * @example
 * ```ts
 * import { runApp, realProcessPort } from 'rxrun';
 * runApp(main$, { process: realProcessPort() }); // the same as leaving `process` out
 * ```
 */
export function realProcessPort(): ProcessPort {
  instance ??= createRealProcessPort();
  return instance;
}

function createRealProcessPort(): ProcessPort {
  return {
    platform: process.platform,
    onSignal(signal, listener) {
      const handler = () => listener(signal);
      process.on(signal, handler);
      return () => void process.off(signal, handler);
    },
    onMessage(listener) {
      if (typeof process.send !== 'function') return undefined;
      // Node refs the IPC channel while 'message' listeners exist; the app's keep-alive holds the
      // process anyway while it runs, and removing the listener at `stopped` unrefs the channel again.
      process.on('message', listener);
      return () => void process.off('message', listener);
    },
    onDisconnect(listener) {
      if (typeof process.send !== 'function') return undefined;
      if (!process.connected) {
        // The parent was gone before the app started: tell it after the current start-up.
        const pending = setImmediate(listener); // real-time: after the app's synchronous start
        return () => clearImmediate(pending);
      }
      process.once('disconnect', listener);
      return () => void process.off('disconnect', listener);
    },
    onProcessError(kind, listener) {
      const handler = (error: unknown, origin?: string) => {
        // Under --unhandled-rejections=strict Node raises a rejection as an uncaughtException first
        // and, once that is handled, emits unhandledRejection too: take it there, once.
        if (kind === 'uncaughtException' && origin === 'unhandledRejection') return;
        listener(error);
      };
      process.on(kind, handler);
      return () => void process.off(kind, handler);
    },
    send(message, onError) {
      if (typeof process.send !== 'function' || !process.connected) return false;
      // What send returns is not the answer: Node's false only means "queued", and PM2's cluster mode
      // wraps process.send in a function that returns undefined. Handed to a connected channel without
      // a throw, the message is sent; a write that fails later comes to the callback (without one, Node
      // would emit it as an 'error' event on process).
      process.send(message, undefined, undefined, (error: Error | null) => {
        if (error) onError?.(error);
      });
      return true;
    },
    env(name) {
      return process.env[name];
    },
    keepAlive() {
      keepAliveCount += 1;
      const handle = setInterval(() => undefined, KEEP_ALIVE_PERIOD_MS); // real-time: a timer is how Node is held open
      let released = false;
      return () => {
        if (released) return;
        released = true;
        keepAliveCount -= 1;
        clearInterval(handle);
      };
    },
    activeResources() {
      // Node creates the stdio streams' handles (PipeWrap, TTYWrap) lazily, on first use; create them
      // now so that the app's baseline holds them and they are never reported as left open by the app.
      const stdio = [process.stdout, process.stderr];
      const resources = process.getActiveResourcesInfo();
      const drop = (names: readonly string[]) => {
        const index = resources.findIndex((resource) => names.includes(resource));
        if (index >= 0) resources.splice(index, 1);
      };
      for (let i = 0; i < keepAliveCount; i += 1) drop(['Timeout']);
      // A piped stdio stream still flushing has one write request in flight: output, not a leak.
      for (const stream of stdio) if (stream.writableLength > 0) drop(['SimpleWriteWrap', 'WriteWrap']);
      return resources;
    },
    settle(done) {
      // real-time: libuv runs close callbacks after the check phase; the second immediate follows them
      setImmediate(() => setImmediate(() => whenIoDone(() => setImmediate(done))));
    },
    warning(message, type) {
      process.emitWarning(message, { type });
    },
    writeLine(line) {
      process.stderr.write(`${line}\n`);
    },
    exit(code) {
      whenStdioFlushed(() => process.exit(code));
    },
    raise(signal) {
      whenStdioFlushed(() => {
        // Other code still listens for the signal (signal-exit, used by execa, tmp, write-file-atomic…):
        // killing by the signal would skip its 'exit' cleanup. Exit with the same status instead.
        if (process.listenerCount(signal) > 0) {
          process.exit(signalExitStatus(signal));
          return;
        }
        restoreTerminal();
        // Node as PID 1 (or a signal the OS ignores) survives the re-raise: then exit as a shell would report it.
        setTimeout(() => process.exit(signalExitStatus(signal)), RAISE_FALLBACK_MS); // real-time: fallback after the re-raise
        process.kill(process.pid, signal);
      });
    },
  };
}

// On Linux, writes to a pipe that is full are queued and finished asynchronously: exiting at once
// would cut off the last lines (the app's own and rxrun's). Waits for both streams to flush, after
// the current microtasks (so handlers of runApp's promise still see the outcome), bounded so that a
// reader that never reads cannot hold the exit.
function whenStdioFlushed(then: () => void): void {
  let waited = 0;
  const check = () => {
    const flushed = process.stdout.writableLength === 0 && process.stderr.writableLength === 0 && !ioInFlight();
    if (flushed || waited >= STDIO_FLUSH_LIMIT_MS) {
      then();
      return;
    }
    waited += STDIO_FLUSH_POLL_MS;
    setTimeout(check, STDIO_FLUSH_POLL_MS); // real-time: polls the streams' buffers while they drain
  };
  setImmediate(check); // real-time: after the current microtasks
}

// Output (or other I/O) still being written: under PM2's cluster mode the last lines (the app's and
// rxrun's) are fs writes to PM2's log files; `settle` waits for them before naming what the app left
// open, so that they are not blamed on it, and before exiting, so that they are not lost. Bounded, so
// that an fs call that never returns cannot hold the stop; the port's own poll timer is a handle, not a request.
function whenIoDone(then: () => void): void {
  let waited = 0;
  const check = () => {
    if (!ioInFlight() || waited >= STDIO_FLUSH_LIMIT_MS) {
      then();
      return;
    }
    waited += STDIO_FLUSH_POLL_MS;
    setTimeout(check, STDIO_FLUSH_POLL_MS); // real-time: polls until the requests in flight complete
  };
  check();
}

function ioInFlight(): boolean {
  return realProcessPort().activeResources().some((resource) => IO_REQUESTS.includes(resource));
}

// The signal's default action skips Node's own terminal reset; an app that set stdin to raw mode would
// leave the user's terminal raw after Ctrl-C.
function restoreTerminal(): void {
  try {
    // isatty first: touching process.stdin builds the stream (a millisecond or two), needless off a terminal.
    if (loadBuiltin('node:tty').isatty(0) && process.stdin.isTTY && process.stdin.isRaw) process.stdin.setRawMode(false);
  } catch {
    // Nothing to restore.
  }
}
