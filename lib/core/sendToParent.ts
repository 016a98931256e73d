import type { ProcessPort } from '../process/ProcessPort.js';
import type { ErrorSource } from './types.js';

/**
 * The app's way to its parent process (internal): PM2's `'ready'`, `workers$`' worker-up message.
 * False when the app stopped, the port cannot send or there is no channel; a write that fails (now or
 * later) is an `ipc` error of the app.
 */
export function createParentSender(
  port: ProcessPort,
  isStopped: () => boolean,
  reportError: (source: ErrorSource, name: string, error: unknown) => void,
): (message: unknown) => boolean {
  return (message) => {
    if (isStopped() || port.send === undefined) return false;
    try {
      return port.send(message, (error) => reportError('ipc', 'process.send', error));
    } catch (error) {
      reportError('ipc', 'process.send', error);
      return false;
    }
  };
}
