import type { ProbeCheckResult } from './probeChecks.js';
import type { ProbeSnapshot } from './probeState.js';
import { describe } from '../core/validate.js';

/** The part of a response the probes write (see `ProbeResponse` in probes.ts; internal). */
export interface ProbeAnswerTarget {
  readonly headersSent: boolean;
  writeHead(statusCode: number, headers: Record<string, string | number>): unknown;
  end(body?: string): unknown;
}

/** What a probe body shows: a one-line reason, each part's status, or that plus failure messages (internal). */
export type Detail = 'none' | 'status' | 'messages';

export type ProbeKind = 'livez' | 'readyz' | 'startupz';

/** Writes a short plain-text answer that no cache keeps; no body for `HEAD` (internal). */
export function respond(res: ProbeAnswerTarget, head: boolean, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(head ? undefined : text);
}

/** `ok`, a reason line, or the `[+]`/`[-]` parts then `<kind> ok|failed` (internal). */
export function body(kind: ProbeKind, ok: boolean, snapshot: ProbeSnapshot, results: readonly ProbeCheckResult[] | undefined, detail: Detail): string {
  if (detail === 'none') return ok ? 'ok\n' : `${reason(kind, snapshot, results)}\n`;
  const phaseOk = kind === 'livez' ? snapshot.alive : kind === 'startupz' ? snapshot.started : snapshot.accepting;
  const why = kind === 'readyz' ? ` (${notAcceptingWhy(snapshot)})` : '';
  const lines = [`[${phaseOk ? '+' : '-'}]phase ${snapshot.phase}${kind === 'readyz' && !snapshot.accepting && snapshot.phase === 'running' ? why : ''}`];
  for (const result of kind === 'readyz' ? (results ?? []) : []) lines.push(checkLine(result, detail));
  lines.push(`${kind} ${ok ? 'ok' : 'failed'}`);
  return `${lines.join('\n')}\n`;
}

function reason(kind: ProbeKind, snapshot: ProbeSnapshot, results: readonly ProbeCheckResult[] | undefined): string {
  if (!snapshot.alive) return 'stopped';
  // Only `/readyz` and `/startupz` fail while alive: before `running`, or once a shutdown was requested.
  if (snapshot.phase === 'starting') return 'starting';
  if (kind === 'readyz' && !snapshot.accepting && snapshot.phase === 'running' && (snapshot.closedServers.length > 0 || !snapshot.shutdownRequested)) {
    return notAcceptingWhy(snapshot);
  }
  if (kind === 'startupz' || !snapshot.accepting) return 'shutting down';
  const failed = (results ?? []).filter((result) => result.status !== 'pass').map((result) => result.name);
  return `check failed: ${failed.join(', ')}`;
}

/** Why a running app is not ready: a server closed, one not listening yet, or the shutdown. */
function notAcceptingWhy(snapshot: ProbeSnapshot): string {
  if (snapshot.closedServers.length > 0) return `server closed: ${snapshot.closedServers.join(', ')}`;
  if (snapshot.shutdownRequested) return 'shutdown requested';
  const count = snapshot.serversStarting;
  return `${count} server${count === 1 ? '' : 's'} not listening yet`;
}

function checkLine(result: ProbeCheckResult, detail: Detail): string {
  if (result.status === 'pass') return `[+]${result.name} ok`;
  if (result.status === 'timeout') return `[-]${result.name} timed out`;
  // `error` present (even `undefined`, as from `throwError(() => undefined)`): it errored.
  if (!('error' in result)) return `[-]${result.name} failed: answered false`;
  if (detail !== 'messages') return `[-]${result.name} failed`;
  const message = result.error instanceof Error ? `${result.error.name}: ${result.error.message}` : describe(result.error);
  return `[-]${result.name} failed: ${message.replace(/\s+/g, ' ').slice(0, 200)}`;
}
