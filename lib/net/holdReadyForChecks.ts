import { Subscription } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import type { ProbeState } from './probeState.js';

/** The apps whose `'ready'` waits for their probes' readiness checks (`workers$` workers). */
const holding = new WeakSet<AppInternals>();

/**
 * Makes the app's `'ready'` message to its parent — a `workers$` worker's readiness, which its
 * primary waits for before it counts the worker ready (and, in a rolling restart, before it drains the
 * old one) — wait for the readiness checks of every `probes()` instance bound to it from now on
 * (internal). Each instance with checks joins the app's ready signal like a `serve$`, and counts as
 * "listening" once every check passed in one evaluation: until then its checks are evaluated while
 * the app accepts traffic, at once and every `checkInterval` (the probes' polling). Once they passed,
 * the gate lets go (a later failure only turns `/readyz` to 503). Returns the release (no more
 * instances are held).
 *
 * ```
 * phase:   s-r----------------
 * serve$:  --l----------------   (listening)
 * checks:    f---f---t          (evaluated every checkInterval = 4 frames while failing)
 * parent:  ----------'ready'
 * ```
 */
export function holdReadyForChecks(internals: AppInternals): () => void {
  holding.add(internals);
  return () => holding.delete(internals);
}

/** `probes()` bound an instance to its app: held when the app holds its ready for checks (internal). */
export function probesBound(state: ProbeState, checkCount: number): void {
  if (checkCount === 0 || !holding.has(state.internals)) return;
  const member = state.internals.joinReady();
  const gate = new Subscription();
  let passed = false;
  // Polling first: a synchronous check's answer is in the snapshot replayed next.
  gate.add(state.polling$.subscribe());
  gate.add(
    state.snapshot$.subscribe({
      next: (snapshot) => {
        if (passed || !state.isReady(snapshot)) return;
        passed = true;
        member.listening();
        gate.unsubscribe();
      },
      // The app stopped before its checks passed: no ready app (the signal closed at shutdown anyway).
      complete: () => {
        if (!passed) member.leave();
        gate.unsubscribe();
      },
    }),
  );
}
