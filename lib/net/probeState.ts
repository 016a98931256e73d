import {
  BehaviorSubject, EMPTY, Observable, concat, defer, distinctUntilChanged, exhaustMap, filter, finalize, ignoreElements, map, share,
  switchMap, takeUntil, tap, timer, type SchedulerLike,
} from 'rxjs';
import { createSerialQueue } from '../core/serialQueue.js';
import type { AppInternals } from '../core/appRegistry.js';
import type { Phase } from '../core/types.js';
import { serversStarting$ } from './joinReadySignal.js';
import { runChecks$, type ProbeCheck, type ProbeCheckResult } from './probeChecks.js';

/** What the probes know of their app at one moment (internal). */
export interface ProbeSnapshot {
  readonly phase: Phase;
  /** Not stopped: `/livez`. */
  readonly alive: boolean;
  /** Reached `running` once, with no shutdown requested before: `/startupz`. */
  readonly started: boolean;
  /** `running`, no shutdown requested, every `serve$` of the app listening, and none closed or failed outside a shutdown: the gate of `/readyz`. */
  readonly accepting: boolean;
  /** The last evaluation of the checks; `undefined` before the first. */
  readonly checks: readonly ProbeCheckResult[] | undefined;
  /** `serve$` servers of the app that closed or failed outside a shutdown (not ready while any). */
  readonly closedServers: readonly string[];
  /** `serve$` of the app that started and do not listen yet (not ready while any). */
  readonly serversStarting: number;
  /** A shutdown was requested (not ready from then on). */
  readonly shutdownRequested: boolean;
}

/** One `probes()` instance bound to its app (internal). */
export interface ProbeState {
  readonly internals: AppInternals;
  /** Current snapshot, replayed; completes when the app's events end (at `stopped`). */
  readonly snapshot$: BehaviorSubject<ProbeSnapshot>;
  /** True while the app accepts traffic and every check passed in the last evaluation. */
  isReady(snapshot: ProbeSnapshot): boolean;
  /** Runs the checks, sharing a run in flight; cancelled (no value) when the gate goes down. */
  evaluate$(): Observable<readonly ProbeCheckResult[]>;
  /** Re-evaluates the checks every `checkInterval` while accepting (shared; runs while subscribed). */
  readonly polling$: Observable<never>;
}

export interface ProbeStateSettings {
  readonly checks: readonly (readonly [string, ProbeCheck])[];
  readonly checkTimeout: number;
  readonly checkInterval: number;
  readonly scheduler: SchedulerLike;
}

/**
 * Follows the app's lifecycle events: the gate drops at the first shutdown request (before the
 * `stopping` phase event) and while a `serve$` server is closed outside the shutdown, `alive` at
 * `stopped`; the snapshot completes with the app's events.
 */
export function createProbeState(internals: AppInternals, settings: ProbeStateSettings): ProbeState {
  const { checks, checkTimeout, checkInterval, scheduler } = settings;
  let requested = false;
  /** `serve$` servers that closed or failed outside the shutdown (and did not listen again since). */
  const lostServers = new Set<string>();
  /** `serve$` of the app that started and have not listened yet. */
  let serversStarting = 0;
  const isAccepting = (phase: Phase) => phase === 'running' && !requested && lostServers.size === 0 && serversStarting === 0;
  let snapshotReady = false;
  const startingServers = serversStarting$(internals).subscribe((count) => {
    serversStarting = count;
    if (snapshotReady) update((current) => ({ accepting: isAccepting(current.phase), serversStarting: count }));
  });
  const initialPhase = internals.phase;
  const snapshot$ = new BehaviorSubject<ProbeSnapshot>({
    phase: initialPhase,
    alive: initialPhase !== 'stopped',
    started: initialPhase !== 'starting',
    // A request made while starting is invisible from here (no event left to hear): it begins the
    // shutdown right after `running`, so the gate would be open for that one synchronous step at most.
    accepting: initialPhase === 'running' && !internals.context.signal.aborted && lostServers.size === 0 && serversStarting === 0,
    checks: undefined,
    closedServers: [],
    serversStarting,
    shutdownRequested: internals.context.signal.aborted,
  });
  // Updates made while one is being delivered (a synchronous check run started by the gate opening)
  // wait for it: delivered inside it, they would reach later subscribers before the older value.
  const deliver = createSerialQueue();
  snapshotReady = true;
  const update = (change: Partial<ProbeSnapshot> | ((current: ProbeSnapshot) => Partial<ProbeSnapshot>)) =>
    deliver(() => snapshot$.next({ ...snapshot$.value, ...(typeof change === 'function' ? change(snapshot$.value) : change) }));

  internals.context.events$.subscribe({
    next: (event) => {
      if (event.type === 'shutdown-requested' && event.first) {
        requested = true;
        update({ accepting: false, shutdownRequested: true });
      } else if (event.type === 'phase') {
        const { phase } = event;
        update((current) => ({
          phase,
          alive: phase !== 'stopped',
          // Reached `running` with a shutdown already requested (main threw, say): it never started.
          started: current.started || (phase === 'running' && !requested),
          accepting: isAccepting(phase),
        }));
      } else if (event.type === 'server-closed') {
        lostServers.add(event.name);
        update({ accepting: false, closedServers: [...lostServers] });
      } else if (event.type === 'server-listening' && lostServers.delete(event.name)) {
        // Served again (a supervised restart): ready again once nothing else is lost.
        update((current) => ({ accepting: isAccepting(current.phase), closedServers: [...lostServers] }));
      }
    },
    complete: () => {
      startingServers.unsubscribe();
      update({ alive: false, accepting: false });
      deliver(() => snapshot$.complete());
    },
  });

  const accepting$ = snapshot$.pipe(map((snapshot) => snapshot.accepting), distinctUntilChanged());
  const gateDown$ = accepting$.pipe(filter((accepting) => !accepting));
  let inFlight: Observable<readonly ProbeCheckResult[]> | undefined;

  const evaluate$ = () =>
    defer(() => {
      if (!snapshot$.value.accepting) return EMPTY;
      inFlight ??= runChecks$(checks, checkTimeout, scheduler).pipe(
        takeUntil(gateDown$),
        tap((results) => update({ checks: results })),
        finalize(() => {
          inFlight = undefined;
        }),
        share(),
      );
      return inFlight;
    });

  const polling$ =
    checks.length === 0
      ? EMPTY
      : accepting$.pipe(
          switchMap((accepting) =>
            accepting ? concat(evaluate$(), timer(checkInterval, checkInterval, scheduler).pipe(exhaustMap(evaluate$))) : EMPTY,
          ),
          ignoreElements(),
          share(),
        );

  return {
    internals,
    snapshot$,
    isReady: (snapshot) =>
      snapshot.accepting && (checks.length === 0 || (snapshot.checks !== undefined && snapshot.checks.every((result) => result.status === 'pass'))),
    evaluate$,
    polling$,
  };
}
