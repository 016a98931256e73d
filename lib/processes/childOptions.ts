import { describe, isPlainObject } from '../core/validate.js';

// The options `fork$` and `worker$` share (both start Node code with argv, execArgv and env).

/**
 * A copy of `value`, or a `TypeError` naming `where`'s option `name` (or the element that is not a
 * string); `kind: 'argument'` names a positional argument instead (`'args'`, not `option 'args'`).
 */
export function checkStringArray(where: string, name: string, value: unknown, kind: 'option' | 'argument' = 'option'): string[] {
  const label = (what: string) => (kind === 'option' ? `option '${what}'` : `'${what}'`);
  if (!Array.isArray(value)) throw new TypeError(`${where}: ${label(name)} must be an array of strings, got ${describe(value)}`);
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string') throw new TypeError(`${where}: ${label(`${name}[${index}]`)} must be a string, got ${describe(item)}`);
  });
  return [...(value as string[])];
}

/** `env` as given (a plain object of variables), or a `TypeError` naming `where`'s option. */
export function checkEnv(where: string, value: unknown): NodeJS.ProcessEnv | undefined {
  if (value !== undefined && !isPlainObject(value)) throw new TypeError(`${where}: option 'env' must be an object, got ${describe(value)}`);
  return value as NodeJS.ProcessEnv | undefined;
}
