/**
 * A `resource$` acquire completed without emitting a resource.
 *
 * ```
 * acquire: ---|
 * result:  ---#   (ResourceEmptyError)
 * ```
 *
 * @example
 * ```ts
 * import { EMPTY } from 'rxjs';
 * import { ResourceEmptyError, resource$ } from 'rxrun';
 *
 * resource$(() => EMPTY, () => undefined, { name: 'db' }).subscribe({
 *   error: (error) => console.log(error instanceof ResourceEmptyError, error.resourceName), // true 'db'
 * });
 * ```
 */
export class ResourceEmptyError extends Error {
  override readonly name = 'ResourceEmptyError';
  constructor(readonly resourceName: string) {
    super(`rxrun: acquire of resource '${resourceName}' completed without a value`);
  }
}

/**
 * A `resource$` release did not finish within the resource's `timeout`; it was cancelled and this
 * error reported (source `'resource'` in the app's outcome, or the `onError` sink without an app).
 *
 * ```
 * release:  ---------------…   (timeout 5)
 * reported: -----x              (ResourceTimeoutError, release unsubscribed)
 * ```
 *
 * @example
 * ```ts
 * import { NEVER } from 'rxjs';
 * import { resource$, runApp } from 'rxrun';
 *
 * // A close() that hangs: on SIGTERM the release is cancelled after 2 s and the app exits with
 * // outcome.errors [{ source: 'resource', name: 'db', error: ResourceTimeoutError }].
 * runApp(() => resource$(async () => 'db', () => NEVER, { name: 'db', timeout: 2000 }));
 * ```
 */
export class ResourceTimeoutError extends Error {
  override readonly name = 'ResourceTimeoutError';
  constructor(
    readonly resourceName: string,
    readonly timeoutMs: number,
  ) {
    super(`rxrun: release of resource '${resourceName}' did not finish within ${timeoutMs} ms`);
  }
}
