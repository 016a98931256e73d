/** How many different names a log line lists before it says how many more there are. */
const DISTINCT_NAMES_LISTED = 10;

/**
 * Names for a log line, repeats counted (internal): `save ×20, serve$ api`. Names keep the order in
 * which each first appears; after `limit` different names the rest is counted, not listed
 * (`… 990 more`). `total` is how many items there are when `names` holds only the first of them
 * (events carry a bounded list): the ones not in `names` are counted in the same way.
 *
 * ```
 * listNames(['save', 'save', 'serve$ api'])        → 'save ×2, serve$ api'
 * listNames(['a', 'b', 'c', 'd'], { limit: 2 })     → 'a, b, … 2 more'
 * listNames(['save', 'save'], { total: 5 })         → 'save ×2, … 3 more'
 * ```
 *
 * @example
 * ```ts
 * logger.info?.(`rxrun: waiting for ${event.count} protected tasks: ${listNames(event.names, { total: event.count })}`);
 * ```
 */
export function listNames(names: readonly string[], options: { readonly limit?: number; readonly total?: number } = {}): string {
  const { limit = DISTINCT_NAMES_LISTED, total = names.length } = options;
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  const parts: string[] = [];
  let listed = 0;
  for (const [name, count] of counts) {
    if (parts.length === limit) break;
    parts.push(count === 1 ? name : `${name} ×${count}`);
    listed += count;
  }
  const more = Math.max(0, total - listed);
  if (more > 0) parts.push(`… ${more} more`);
  return parts.join(', ');
}
