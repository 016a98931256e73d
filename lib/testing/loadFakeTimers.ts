/** The package virtual time is built on: an optional peer dependency of `rxrun/testing` only. */
export const FAKE_TIMERS_PACKAGE = '@sinonjs/fake-timers';

/** The part of an installed `@sinonjs/fake-timers` clock that `withVirtualTime` uses (typed here: the package is optional). */
export interface FakeClock {
  readonly now: number;
  /** Fires the first pending timer (advancing `now` to its time); throws what its callback threw. */
  next(): number;
  countTimers(): number;
  setTimeout(callback: () => void, ms: number): unknown; // real-time: the fake clock's own method, typed here (no call)
  uninstall(): unknown;
}

/** The install options `withVirtualTime` passes. */
export interface FakeTimersInstallConfig {
  readonly now: number;
  readonly toFake: readonly string[];
  readonly shouldClearNativeTimers: boolean;
}

interface FakeTimersModule {
  install(config: FakeTimersInstallConfig): FakeClock;
}

/**
 * Loads `@sinonjs/fake-timers` when virtual time is first used (never at import: `rxrun` and
 * `rxrun/testing` load without it). Throws an `Error` naming the package to install when it is missing.
 */
export function loadFakeTimers(where: string): FakeTimersModule {
  let loaded: unknown;
  try {
    // A plain require at call time: both builds of rxrun/testing run as CommonJS (the ESM entry re-exports them).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(FAKE_TIMERS_PACKAGE);
  } catch (error) {
    if (isMissing(error)) {
      throw new Error(
        `${where}: virtual time needs the optional peer dependency ${FAKE_TIMERS_PACKAGE}, which is not installed; ` +
          `install it with: npm install --save-dev ${FAKE_TIMERS_PACKAGE}`,
        { cause: error },
      );
    }
    throw error;
  }
  const module = loaded as Partial<FakeTimersModule> | null;
  if (typeof module?.install !== 'function') {
    throw new Error(`${where}: ${FAKE_TIMERS_PACKAGE} loaded, but it has no install(): an unsupported version`);
  }
  return module as FakeTimersModule;
}

function isMissing(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${FAKE_TIMERS_PACKAGE}'`);
}
