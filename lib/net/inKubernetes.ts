import { realProcessPort } from '../process/realProcessPort.js';

/**
 * Whether this process runs in a Kubernetes pod: `KUBERNETES_SERVICE_HOST` is set (the kubelet sets it
 * in every container). The one place rxrun reads it: `serve$`'s default `drainDelay` and the default
 * host of `probes().serve$` follow it (internal).
 *
 * @example
 * ```ts
 * const host = inKubernetes() ? undefined : '127.0.0.1'; // all interfaces in a pod, loopback elsewhere
 * ```
 */
export function inKubernetes(): boolean {
  // The real process's: `serve$()` and `probes()` read it when called, before they know their app.
  return Boolean(realProcessPort().env?.('KUBERNETES_SERVICE_HOST'));
}
