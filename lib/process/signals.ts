import { loadBuiltin } from '../core/loadBuiltin.js';

/** Signals that must never be handled: uncatchable, or fatal synchronous faults. */
export const FORBIDDEN_SIGNALS: readonly string[] = ['SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL'];

/** The signal's number on this platform (`SIGBREAK` is 21 where the OS does not define it). */
export function signalNumber(signal: string): number | undefined {
  const table = loadBuiltin('node:os').constants.signals as Record<string, number | undefined>;
  return table[signal] ?? (signal === 'SIGBREAK' ? 21 : undefined);
}

/** The exit status a shell reports for a process killed by `signal`. */
export function signalExitStatus(signal: NodeJS.Signals): number {
  return 128 + (signalNumber(signal) ?? 0);
}

/** The shutdown signals used when the `signals` option is not given. */
export function defaultSignals(platform: NodeJS.Platform): NodeJS.Signals[] {
  return platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];
}
