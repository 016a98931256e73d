// The Deployment controller of bench/k8s-rollout.mjs: a RollingUpdate from `old` pods to new ones under
// maxSurge / maxUnavailable, as the ReplicaSet controllers do it: create new pods while the non-terminating
// pods number fewer than replicas + maxSurge; delete an old pod whenever the Ready pods stay at or above
// replicas - maxUnavailable without it. Terminating pods count for neither. A deleted pod leaves the Service
// (after the propagation delay) at the same moment as the kubelet starts its termination.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rolls `old` to pods from `makePod()`. `remove(pod)` deletes a pod (Service + kubelet, concurrently) and
 * returns its exit promise. Resolves with `{ fresh, doneAt, oldExits }` once every new pod is Ready and every
 * old pod deleted (`kubectl rollout status` would return); `oldExits` resolves when the old pods have exited.
 */
export async function rollingUpdate({ old, makePod, remove, manifest, timeoutMs }) {
  const { replicas, maxSurge, maxUnavailable } = manifest;
  const started = performance.now();
  const live = [...old];
  const fresh = [];
  const exits = [];
  let wake;
  const kick = () => wake?.();
  for (const pod of old) pod.onReadyChange(kick);
  for (;;) {
    for (const pod of fresh) if (pod.exitedAt !== undefined) throw new Error(`${pod.name} exited (${pod.status}) during the rollout:\n${pod.lines.slice(-20).join('\n')}`);
    while (live.length + fresh.length < replicas + maxSurge && fresh.length < replicas) {
      const pod = makePod();
      pod.onReadyChange(kick);
      void pod.exited.then(kick);
      fresh.push(pod);
    }
    let available = live.filter((p) => p.ready).length + fresh.filter((p) => p.ready).length;
    while (live.length > 0 && available - (live[0].ready ? 1 : 0) >= replicas - maxUnavailable) {
      const pod = live.shift();
      if (pod.ready) available -= 1;
      exits.push(remove(pod));
    }
    if (live.length === 0 && fresh.length === replicas && fresh.every((p) => p.ready)) break;
    if (performance.now() - started > timeoutMs) throw new Error(`rollout not done after ${timeoutMs} ms`);
    await Promise.race([new Promise((resolve) => (wake = resolve)), sleep(1000)]);
  }
  return { fresh, doneAt: performance.now(), oldExits: Promise.all(exits) };
}
