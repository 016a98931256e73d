import { describe, isPlainObject } from '../core/validate.js';

// The options `fork$` and `worker$` share (both start Node code with argv, execArgv and env).

/** A copy of `value`, or a `TypeError` naming `where`'s option `name` (or the element that is not a string). */
export function checkStringArray(where: string, name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`${where}: option '${name}' must be an array of strings, got ${describe(value)}`);
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'string') throw new TypeError(`${where}: option '${name}[${index}]' must be a string, got ${describe(item)}`);
  });
  return [...(value as string[])];
}

/** `env` as given (a plain object of variables), or a `TypeError` naming `where`'s option. */
export function checkEnv(where: string, value: unknown): NodeJS.ProcessEnv | undefined {
  if (value !== undefined && !isPlainObject(value)) throw new TypeError(`${where}: option 'env' must be an object, got ${describe(value)}`);
  return value as NodeJS.ProcessEnv | undefined;
}
