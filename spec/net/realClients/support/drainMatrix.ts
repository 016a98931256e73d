import type { Method } from '../../../../bench/http-drain/clients.cjs';
import { killDrainApps } from './drainApp';
import { killNginx } from './nginx';
import { KEPT, runLoadTrial, summary, verdict, type ClientName, type LoadTrialOptions } from './loadTrial';

/** Each handler delay at least once; the 0 ms handler (where the keep-alive close race lives) three times. */
export const DELAY_CASES: readonly (readonly [string, number])[] = [
  ['0 ms handler, run 1', 0],
  ['0 ms handler, run 2', 0],
  ['0 ms handler, run 3', 0],
  ['5 ms handler', 5],
  ['200 ms handler', 200],
];

/**
 * A pool sized for a peak under lighter load: `warmup` opens 20 pooled connections, 8 loops keep using some of
 * them, and the others have been idle for a second when SIGTERM lands (a client that hands out its most recently
 * used connection first — http.Agent's default 'lifo', nginx's upstream cache — leaves the rest idle). Once the busy
 * connections close (Connection: close), the client takes the idle ones, just as the drain may be closing them.
 * The one-second wait is setup, not an assertion.
 */
export const IDLE_POOL: MatrixOptions = {
  label: 'with idle pooled connections at SIGTERM',
  workers: 8,
  connections: 20,
  warmup: 20,
  loadBeforeSigtermMs: 1000,
};

/** Generous per-test bound (a trial takes about a second); nothing asserted depends on speed. */
const TRIAL_TIMEOUT = 60_000;

/** What varies besides the client and the handler delay (see `LoadTrialOptions`). */
export type MatrixOptions = Omit<LoadTrialOptions, 'client' | 'delayMs' | 'methods'> & {
  /** Names the describe block (e.g. 'via nginx'). */
  readonly label?: string;
  /** Default DELAY_CASES. */
  readonly cases?: readonly (readonly [string, number])[];
};

/**
 * The drain promise for one real client, as `it`s per handler delay: SIGTERM mid-load, and no request on an
 * accepted connection is lost (refused new connections are allowed), the app exits by SIGTERM with a clean
 * outcome, and requests are still answered after SIGTERM.
 */
export function describeDrainUnderLoad(client: ClientName, methods: readonly Method[], options: MatrixOptions = {}): void {
  const { label: extra, cases = DELAY_CASES, ...trial } = options;
  const label = `${client}${extra === undefined ? '' : ` ${extra}`} (${methods.join(' + ')})`;
  describe(`serve$ drain under a real client: ${label}`, () => {
    afterEach(() => {
      killDrainApps();
      killNginx();
    });

    it.each(cases)(
      '%s: no request on an accepted connection fails when SIGTERM lands mid-load',
      async (name, delayMs) => {
        const result = await runLoadTrial({ ...trial, client, delayMs, methods });
        console.log(summary(`${label}, ${name}`, result));
        expect(verdict(result)).toEqual(KEPT);
      },
      TRIAL_TIMEOUT,
    );
  });
}
