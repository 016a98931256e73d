import type { ProcessPort } from './ProcessPort.js';
import { signalExitStatus } from './signals.js';

const RAISE_FALLBACK_MS = 250;
const KEEP_ALIVE_PERIOD_MS = 2 ** 30;

/**
 * The process port of the running Node process. Every listener it installs is removed by the
 * function it returns; nothing else in rxrun touches `process`.
 *
 * @example
 * ```ts
 * import { runApp, realProcessPort } from 'rxrun';
 * runApp(main$, { process: realProcessPort() }); // the same as leaving `process` out
 * ```
 */
export function realProcessPort(): ProcessPort {
  let keepAliveCount = 0;
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
    onProcessError(kind, listener) {
      const handler = (error: unknown) => listener(error);
      process.on(kind, handler);
      return () => void process.off(kind, handler);
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
      void process.stdout;
      void process.stderr;
      const resources = process.getActiveResourcesInfo();
      for (let i = 0; i < keepAliveCount; i += 1) {
        const index = resources.indexOf('Timeout');
        if (index >= 0) resources.splice(index, 1);
      }
      return resources;
    },
    settle(done) {
      // real-time: libuv runs close callbacks after the check phase; the second immediate follows them
      setImmediate(() => setImmediate(done));
    },
    writeLine(line) {
      process.stderr.write(`${line}\n`);
    },
    exit(code) {
      // real-time: after the current microtasks, so that handlers of runApp's promise see the outcome
      setImmediate(() => process.exit(code));
    },
    raise(signal) {
      // real-time: after the current microtasks, so that handlers of runApp's promise see the outcome
      setImmediate(() => {
        process.removeAllListeners(signal);
        // real-time: Node as PID 1 (or a signal the OS ignores) survives the re-raise; exit like a shell would report it
        setTimeout(() => process.exit(signalExitStatus(signal)), RAISE_FALLBACK_MS);
        process.kill(process.pid, signal);
      });
    },
  };
}
