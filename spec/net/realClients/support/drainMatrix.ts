import type { Method } from '../../../../bench/http-drain/clients.cjs';
import { killDrainApps } from './drainApp';
import { killNginx } from './nginx';
import { KEPT, runLoadTrial, summary, verdict, type ClientName } from './loadTrial';

/** Each handler delay at least once; the 0 ms handler (where the keep-alive close race lives) three times. */
export const DELAY_CASES: readonly (readonly [string, number])[] = [
  ['0 ms handler, run 1', 0],
  ['0 ms handler, run 2', 0],
  ['0 ms handler, run 3', 0],
  ['5 ms handler', 5],
  ['200 ms handler', 200],
];

/** Generous per-test bound (a trial takes about a second); nothing asserted depends on speed. */
const TRIAL_TIMEOUT = 60_000;

/**
 * The drain promise for one real client, as `it`s per handler delay: SIGTERM mid-load, and no request on an
 * accepted connection is lost (refused new connections are allowed), the app exits by SIGTERM with a clean
 * outcome, and requests are still answered after SIGTERM.
 */
export function describeDrainUnderLoad(client: ClientName, methods: readonly Method[], viaNginx = false): void {
  const label = `${client}${viaNginx ? ' via nginx' : ''} (${methods.join(' + ')})`;
  describe(`serve$ drain under a real client: ${label}`, () => {
    afterEach(() => {
      killDrainApps();
      killNginx();
    });

    it.each(DELAY_CASES)(
      '%s: no request on an accepted connection fails when SIGTERM lands mid-load',
      async (name, delayMs) => {
        const result = await runLoadTrial({ client, delayMs, methods, viaNginx });
        console.log(summary(`${label}, ${name}`, result));
        expect(verdict(result)).toEqual(KEPT);
      },
      TRIAL_TIMEOUT,
    );
  });
}
