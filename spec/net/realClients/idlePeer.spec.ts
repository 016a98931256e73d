import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FixtureChild } from '../../process/fixtureChild';
import { exitOrKill, killDrainApps, startDrainApp } from './support/drainApp';
import { KEPT, runLoadTrial, summary, verdict } from './support/loadTrial';

// A client that keeps its idle keep-alive connection and ignores the server's FIN (Python http.client, never
// reading again) must not hold the drain until keepAliveTimeout (65 s in the fixture) or drainTimeout (set to 10 s
// here to bound the test): the app exits by SIGTERM with no DrainTimeoutError. The SIGTERM→exit time is printed,
// never asserted.
const PEER = path.resolve(__dirname, '..', '..', '..', 'bench', 'http-drain', 'idle-peer.py');
const DRAIN_TIMEOUT_MS = 10_000;
const peers: FixtureChild[] = [];

function startIdlePeer(port: number): FixtureChild {
  const peer = new FixtureChild(spawn('python3', [PEER, String(port), '60'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  peers.push(peer);
  return peer;
}

afterEach(() => {
  killDrainApps();
  for (const peer of peers.splice(0)) peer.kill();
});

describe('serve$ drain with an idle keep-alive peer that ignores FIN (Python http.client)', () => {
  it(
    'the app still exits by SIGTERM and the drain reports no error',
    async () => {
      const app = await startDrainApp(0, { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) });
      const peer = startIdlePeer(app.port);
      await peer.waitForLine(/^answered 200 keep-alive$/);

      const sigtermAt = process.hrtime.bigint();
      app.child.signal('SIGTERM');
      const exit = await exitOrKill(app.child, 30_000);
      const ms = Number(process.hrtime.bigint() - sigtermAt) / 1e6;
      console.log(`idle Python peer: SIGTERM→exit ${ms.toFixed(0)} ms (drainTimeout ${DRAIN_TIMEOUT_MS} ms); drain: ${app.drainSteps().join(', ')}`);

      expect({
        exit,
        outcome: app.outcome().status,
        drainErrors: app.outcome().errors,
        drainTimeoutInStderr: app.child.stderr.split('\n').filter((line) => line.includes('DrainTimeoutError')),
      }).toEqual({ exit: { code: null, signal: 'SIGTERM' }, outcome: 'ok', drainErrors: [], drainTimeoutInStderr: [] });
      expect(peer.hasExited).toBe(false); // it really kept its connection (and ignored the FIN) the whole time
    },
    60_000,
  );

  it(
    'with an undici Pool under load at the same time: no request fails, and the idle peer does not hold the exit',
    async () => {
      let peer: FixtureChild | undefined;
      const result = await runLoadTrial({
        client: 'undici Pool',
        delayMs: 0,
        methods: ['GET', 'POST'],
        env: { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) },
        beforeLoad: async (port) => {
          peer = startIdlePeer(port);
          await peer.waitForLine(/^answered 200 keep-alive$/);
        },
      });
      console.log(summary('undici Pool + idle Python peer, 0 ms handler', result));
      expect({ ...verdict(result), drainTimeoutInStderr: result.stderr.split('\n').filter((line) => line.includes('DrainTimeoutError')) }).toEqual({
        ...KEPT,
        drainTimeoutInStderr: [],
      });
      expect(peer?.hasExited).toBe(false);
    },
    60_000,
  );
});
