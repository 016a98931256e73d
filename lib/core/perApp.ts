import type { AppInternals } from './appRegistry.js';

/**
 * One shared value per app (internal), for an extension that keeps one thing for all its uses in an
 * app (every `serve$` of an app shares one readiness drain): `perApp(create)` returns a getter that
 * creates the value on its first call for an app and returns that same value afterwards. The value
 * goes with its app (a `WeakMap`): nothing is registered globally, nothing outlives the app.
 *
 * @example
 * ```ts
 * const drainOf = perApp((internals) => createDrain(internals));
 * drainOf(internals).join(member); // every serve$ of this app joins the same drain
 * ```
 */
export function perApp<T>(create: (internals: AppInternals) => T): (internals: AppInternals) => T {
  const values = new WeakMap<AppInternals, T>();
  return (internals) => {
    if (values.has(internals)) return values.get(internals) as T;
    const value = create(internals);
    values.set(internals, value);
    return value;
  };
}
