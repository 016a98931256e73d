import type { ProcessPort } from '../process/ProcessPort.js';
import type { ShutdownReason } from './types.js';

/**
 * Makes losing the IPC channel to the parent a shutdown request (`{ kind: 'disconnect' }`): a child
 * whose parent died (SIGKILLed, crashed) stops itself gracefully instead of running on as an orphan.
 * Bound with the IPC `shutdown` message (option `ipcShutdown`); returns the unbind function, or
 * `undefined` when the process has no IPC channel or the port cannot tell (internal).
 */
export function bindParentLoss(port: ProcessPort, request: (reason: ShutdownReason) => void): (() => void) | undefined {
  if (typeof port.onDisconnect !== 'function') return undefined;
  return port.onDisconnect(() => request({ kind: 'disconnect' }));
}
