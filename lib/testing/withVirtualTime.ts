import type { Phase } from '../core/types.js';
import { checkFunction, checkKnownKeys, checkObject, describe } from '../core/validate.js';
import { realProcessPort } from '../process/realProcessPort.js';
import { loadFakeTimers } from './loadFakeTimers.js';
import { VirtualTimeStallError } from './VirtualTimeStallError.js';

/**
 * The clock of a {@link withVirtualTime} block. Time moves by itself (whenever nothing else can
 * run, to the next timer); `advance` waits for a point in virtual time.
 *
 * @example
 * ```ts
 * await withVirtualTime(async (clock) => {
 *   await clock.advance(90_000); // instant
 *   expect(clock.now).toBe(90_000);
 *   expect(Date.now()).toBe(90_000); // real-time: none — inside the block Date is the virtual clock, which is what the example shows
 * });
 * ```
 */
export interface VirtualClock {
  /** Virtual ms since the epoch: what `Date.now()` returns inside the block (0 at the start, unless `start` says otherwise). */ // real-time: none — names the faked `Date.now()`, reads no clock
  readonly now: number;
  /** Virtual timers pending (`setTimeout`, `setInterval`, `setImmediate`, RxJS `asyncScheduler` actions). */
  readonly pendingTimers: number;
  /**
   * Resolves with the new `now` once virtual time has moved `ms` on; timers due on the way (and those
   * due at the same moment, set earlier) fire first, in order.
   *
   * @throws TypeError / RangeError (synchronously) for an `ms` that is not a number from 0 to 2147483647; Error
   * once the block has ended.
   */
  advance(ms: number): Promise<number>;
}

/**
 * Options of {@link withVirtualTime}.
 *
 * @example
 * ```ts
 * await withVirtualTime(body, { start: Date.parse('2030-01-01T00:00:00Z'), maxTimers: 1_000_000 });
 * ```
 */
export interface VirtualTimeOptions {
  /** Where the virtual clock starts, in epoch ms (what `Date.now()` first returns). Default 0. */ // real-time: none — names the faked `Date.now()`, reads no clock
  start?: number;
  /** The body fails with a `VirtualTimeStallError` after this many virtual timers fired. Default 100000. */
  maxTimers?: number;
}

/** A virtual app as the block sees it: abandoned if it is still running when the block ends. */
export interface VirtualScopeApp {
  readonly phase: Phase;
  abandon(): void;
}

/** The running block: its clock and the apps started in it. */
export interface VirtualScope {
  readonly clock: VirtualClock;
  readonly apps: Set<VirtualScopeApp>;
}

/** Faked while a block runs. Never faked: `process.nextTick`, `queueMicrotask` (promises must settle), `performance.now`, `process.hrtime`. */
export const FAKED_TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] as const;

const DEFAULT_MAX_TIMERS = 100_000;
/** Real event-loop turns with nothing to do before the block counts as stalled (one is enough in theory). */
const IDLE_TURNS = 3;
/** Then this many real pauses of REAL_IO_POLL_MS with nothing happening before it is a stall. */
const IDLE_PAUSES = 20;
/** How often, in real ms, the driver looks again while real I/O of the body is under way. */
const REAL_IO_POLL_MS = 1;

let active: (VirtualScope & { done: boolean }) | undefined;

/**
 * Runs `body` in virtual time (aiotools' `VirtualClock`, for Node): inside it, `setTimeout`,
 * `setInterval`, `setImmediate` and `Date` are faked (with `@sinonjs/fake-timers`, an optional peer
 * dependency to install), so RxJS's `asyncScheduler`, promise-returning hooks and finalizers,
 * `await sleep(5000)` in user code, the shutdown budget, step timeouts and `supervise` backoffs all
 * run on one virtual clock. Time moves by itself: whenever nothing else can run (a real event-loop
 * turn passed), the next virtual timer fires — so a 25 s budget or an hour of restarts takes
 * milliseconds, in a deterministic order. Promises, `process.nextTick`, `queueMicrotask` and
 * `performance.now` stay real. The fake timers are always uninstalled when the block ends — returned,
 * thrown or stalled — and apps started in it with {@link runVirtualApp} that still run are abandoned.
 *
 * The block rejects with a {@link VirtualTimeStallError} when it can never finish (nothing left to
 * run and no real I/O under way, or `maxTimers` fired), and with the error a virtual timer's callback
 * threw (where Node would raise an `uncaughtException`). Real I/O is not virtual: while some is under
 * way and no virtual timer is due, the block waits for it in real time; while timers are due, virtual
 * time does not wait for it. Blocks do not nest, and do not mix with `jest.useFakeTimers()`.
 *
 * ```
 * virtual ms:  0 ───────── 1000 ─────────────────────────── 6000
 * app:         (sr)        SIGTERM q-d-f … finalizer sleeps 5 s … x
 * real ms:     ~0 ──────────────────────────────────────── ~a few
 * ```
 *
 * @param body Runs in the block with its {@link VirtualClock}; may return a promise.
 * @param options See {@link VirtualTimeOptions}.
 * @returns A promise of what `body` returns. It rejects with what `body` throws or rejects with, with a
 * {@link VirtualTimeStallError} when the block can never finish, and with the error a virtual timer's callback
 * threw.
 * @throws Nothing synchronously (the function is async): these are rejections too — TypeError for a `body` that
 * is not a function, an unknown option or one of the wrong type; RangeError for a `start` that is not a safe whole
 * number or a `maxTimers` that is not a whole number ≥ 1; Error inside another block, when timers are already
 * faked (`jest.useFakeTimers()`), or when `@sinonjs/fake-timers` is not installed.
 * @see {@link runVirtualApp}, [Testing](../../docs/testing.md).
 * @example
 * ```ts
 * const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)); // real-time: none — inside the block setTimeout is virtual, which is what the example shows
 * const outcome = await withVirtualTime(async () => {
 *   const app = runVirtualApp((ctx) => {
 *     ctx.defer(async () => { await sleep(5000); }, { name: 'pool' }); // e.g. await pool.end()
 *     return NEVER;
 *   });
 *   app.port.signal('SIGTERM', 1000);
 *   return app.stopped; // resolves at virtual 6000, a few real ms later
 * });
 * expect(outcome.shutdownMs).toBe(5000);
 * ```
 */
export async function withVirtualTime<T>(body: (clock: VirtualClock) => T | PromiseLike<T>, options?: VirtualTimeOptions): Promise<T> {
  const where = 'withVirtualTime';
  checkFunction(where, 'body', body);
  const config = checkObject(where, 'options', options);
  checkKnownKeys(where, config, ['start', 'maxTimers']);
  const start = checkStart(where, config['start']);
  const maxTimers = checkMaxTimers(where, config['maxTimers']);
  if (active !== undefined) throw new Error(`${where}: already inside a withVirtualTime block; blocks do not nest`);
  if (timersAreFaked()) {
    throw new Error(`${where}: timers are already faked (jest.useFakeTimers()?); call jest.useRealTimers() first`);
  }
  const fakeTimers = loadFakeTimers(where);

  // Captured before the install: the driver turns the real event loop.
  const realSetImmediate = globalThis.setImmediate;
  const realSetTimeout = globalThis.setTimeout;
  const baseline = realProcessPort().activeResources();
  const fake = fakeTimers.install({ now: start, toFake: FAKED_TIMERS, shouldClearNativeTimers: true });

  const clock: VirtualClock = {
    get now() {
      return fake.now;
    },
    get pendingTimers() {
      return fake.countTimers();
    },
    advance(ms: number): Promise<number> {
      checkAdvance(ms);
      if (scope.done) throw new Error(`clock.advance: the withVirtualTime block has ended`);
      return new Promise<number>((resolve) => void fake.setTimeout(() => resolve(fake.now), ms)); // real-time: none — fake.setTimeout is the virtual clock's own timer, not Node's
    },
  };
  const scope = { clock, apps: new Set<VirtualScopeApp>(), done: false };
  active = scope;

  const realTurn = () => new Promise<void>((resolve) => void realSetImmediate(resolve)); // real-time: drives the real event loop between virtual timers
  const realPause = () => new Promise<void>((resolve) => void realSetTimeout(resolve, REAL_IO_POLL_MS)); // real-time: waits for the body's real I/O
  const stall = (reason: 'idle' | 'timer-limit', fired: number) =>
    new VirtualTimeStallError(reason, fake.now, fired, [...scope.apps].map((app) => app.phase));

  async function drive(): Promise<never> {
    let fired = 0;
    let idleTurns = 0;
    for (;;) {
      await realTurn();
      if (scope.done) return new Promise<never>(() => undefined);
      if (fake.countTimers() > 0) {
        idleTurns = 0;
        if (fired >= maxTimers) throw stall('timer-limit', fired);
        fired += 1;
        fake.next();
      } else if (realWorkSince(baseline)) {
        idleTurns = 0;
        await realPause();
      } else if (++idleTurns >= IDLE_TURNS) {
        // Not every real I/O shows among the active resources (a promise-based fs read on Node 26 did
        // not): before calling it a stall, give real work a few short real pauses to show itself.
        if (idleTurns >= IDLE_TURNS + IDLE_PAUSES) throw stall('idle', fired);
        await realPause();
      }
    }
  }

  try {
    // Called now (it runs up to its first await before the driver's first turn); a throw becomes a rejection.
    const result = (async () => body(clock))();
    return await Promise.race([result, drive()]);
  } finally {
    scope.done = true;
    active = undefined;
    try {
      for (const app of [...scope.apps]) app.abandon();
    } finally {
      fake.uninstall();
    }
  }
}

/** The running block, for `runVirtualApp`; throws when there is none. */
export function currentVirtualScope(where: string): VirtualScope {
  if (active === undefined) {
    throw new Error(`${where}: call it inside withVirtualTime(async (clock) => { … }), which installs the virtual clock and always removes it`);
  }
  return active;
}

function timersAreFaked(): boolean {
  const timer = globalThis.setTimeout as unknown as { clock?: unknown; _isMockFunction?: unknown };
  return (globalThis.Date as unknown as { isFake?: unknown }).isFake === true || timer.clock !== undefined || timer._isMockFunction === true;
}

// Handles and requests (sockets, file reads, DNS lookups) that were not there when the block began:
// while some exist, real I/O may still wake the body.
function realWorkSince(baseline: readonly string[]): boolean {
  const remaining = [...baseline];
  for (const resource of realProcessPort().activeResources()) {
    const index = remaining.indexOf(resource);
    if (index < 0) return true;
    remaining.splice(index, 1);
  }
  return false;
}

function checkStart(where: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number') throw new TypeError(`${where}: option 'start' must be a number of epoch ms, got ${describe(value)}`);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${where}: option 'start' must be a whole number of epoch ms, got ${value}`);
  return value;
}

function checkMaxTimers(where: string, value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_TIMERS;
  if (typeof value !== 'number') throw new TypeError(`${where}: option 'maxTimers' must be a number, got ${describe(value)}`);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${where}: option 'maxTimers' must be a whole number >= 1, got ${value}`);
  return value;
}

function checkAdvance(ms: unknown): void {
  if (typeof ms !== 'number') throw new TypeError(`clock.advance: 'ms' must be a number of ms, got ${describe(ms)}`);
  if (!Number.isFinite(ms) || ms < 0 || ms > 2 ** 31 - 1) {
    throw new RangeError(`clock.advance: 'ms' must be a finite number of ms from 0 to 2147483647, got ${ms}`);
  }
}
