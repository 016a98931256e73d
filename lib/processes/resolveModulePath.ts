import { statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '../core/validate.js';
import { ChildModuleNotFoundError } from './errors.js';

/** Extensions Node (or a registered loader such as ts-node) adds to a main module's path. */
const EXTENSIONS = ['.js', '.cjs', '.mjs', '.json', '.node', '.ts', '.cts', '.mts'];

/**
 * Checks a module path argument (a string or a `file:` URL) at call time: a TypeError names it when
 * it is not one (internal).
 */
export function checkModulePath(where: string, name: string, value: unknown): string {
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw new TypeError(`${where}: '${name}' must be a path or a file: URL, got a ${value.protocol} URL`);
    return fileURLToPath(value);
  }
  if (typeof value !== 'string') throw new TypeError(`${where}: '${name}' must be a path or a file: URL, got ${describe(value)}`);
  if (value === '') throw new RangeError(`${where}: '${name}' must not be empty`);
  return value;
}

/**
 * The absolute path of a module to start, checked to exist (as a file, a file with one of Node's or a
 * loader's extensions, or a directory): a `ChildModuleNotFoundError` (ENOENT) otherwise, so that a
 * typo is an error before anything is started (internal).
 */
export function resolveModulePath(where: string, modulePath: string, cwd: string | undefined): string {
  // The real cwd, not the port's: it is what `node:child_process` starts the child in (see realProcessPort).
  const absolute = path.resolve(cwd ?? process.cwd(), modulePath);
  for (const candidate of [absolute, ...EXTENSIONS.map((extension) => absolute + extension)]) {
    if (statSync(candidate, { throwIfNoEntry: false }) !== undefined) return absolute;
  }
  throw new ChildModuleNotFoundError(where, absolute);
}
