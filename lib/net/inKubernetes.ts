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
  return Boolean(process.env['KUBERNETES_SERVICE_HOST']);
}
