/**
 * `probes().serve$(port)` in a pod: all interfaces when `KUBERNETES_SERVICE_HOST` is set (a kubelet
 * probes the pod IP), the loopback elsewhere; a host you give wins. One function reads the variable
 * (`inKubernetes`), for this and for `serve$`'s default `drainDelay`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { merge, tap } from 'rxjs';
import { probes, type ProbeListening } from 'rxrun';
import { inKubernetes } from '../../lib/net/inKubernetes';
import { startApp } from './support';

const VARIABLE = 'KUBERNETES_SERVICE_HOST';

/** Runs `make` with the variable set to `value` (or unset), restoring it after. */
function withEnv<T>(value: string | undefined, make: () => T): T {
  const saved = process.env[VARIABLE];
  if (value === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = value;
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env[VARIABLE];
    else process.env[VARIABLE] = saved;
  }
}

describe('probes().serve$ under Kubernetes', () => {
  it('binds all interfaces when KUBERNETES_SERVICE_HOST is set, for a port and for options without a host', async () => {
    const listening: ProbeListening[] = [];
    const app = startApp((ctx) => {
      const health = probes({ app: ctx });
      const servers = withEnv('10.96.0.1', () => [health.serve$(0), health.serve$({ port: 0 })]);
      return merge(...servers).pipe(tap((value) => listening.push(value)));
    });
    await waitForCount(listening, 2);
    for (const { address, url } of listening) {
      expect(['0.0.0.0', '::']).toContain((address as AddressInfo).address);
      // Reachable on the loopback too (the kubelet uses the pod IP).
      expect(await status(`${url}/livez`)).toBe(200);
    }
    app.port.signal('SIGTERM');
    expect((await app.stopped).errors).toEqual([]);
  });

  it('binds the loopback elsewhere, and a host you give wins in a pod', async () => {
    const listening: ProbeListening[] = [];
    const app = startApp((ctx) => {
      const health = probes({ app: ctx });
      const servers = [
        withEnv(undefined, () => health.serve$(0)),
        withEnv(undefined, () => health.serve$({ port: 0 })),
        withEnv('10.96.0.1', () => health.serve$({ port: 0, host: '127.0.0.1' })),
      ];
      return merge(...servers).pipe(tap((value) => listening.push(value)));
    });
    await waitForCount(listening, 3);
    expect(listening.map(({ address }) => (address as AddressInfo).address)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    app.port.signal('SIGTERM');
    expect((await app.stopped).errors).toEqual([]);
  });

  it('inKubernetes reads KUBERNETES_SERVICE_HOST (set and not empty)', () => {
    expect(withEnv('10.96.0.1', inKubernetes)).toBe(true);
    expect(withEnv('', inKubernetes)).toBe(false);
    expect(withEnv(undefined, inKubernetes)).toBe(false);
  });
});

/** Waits (one event-loop turn at a time, bounded) until `list` has `count` entries. */
async function waitForCount(list: readonly unknown[], count: number): Promise<void> {
  for (let turn = 0; turn < 100_000 && list.length < count; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(list).toHaveLength(count);
}

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}
