import { timer } from 'rxjs';
import type { AppInternals } from '../core/appRegistry.js';
import { perApp } from '../core/perApp.js';
import { serverEventLog } from './serverEvents.js';

/** One `serve$` taking part in its app's readiness drain (internal). */
export interface DrainDelayMember {
  name(): string;
  readonly delay: number;
  /** The server has listened: only then is its delay worth spending (a listen that failed serves no one). */
  listened(): boolean;
  /** Open connections, for the events' counts. */
  connections(): number;
}

// Every `serve$` of an app joins the same members, drained by one `app.onShutdown` hook.
const drainDelayOf = /* @__PURE__ */ perApp((internals) => {
  const members = new Set<DrainDelayMember>();
  const phase = internals.phase;
  if (phase === 'starting' || phase === 'running') {
    internals.context.onShutdown(() => readinessDrain(internals, members), { name: 'serve$ readiness drain' });
  }
  return members;
});

/**
 * Joins the app's shutdown-time readiness drain: in `stopping`, every member that has listened gets its
 * `readiness-down` step, then the app waits the *longest* such member's `drainDelay` once (not the sum)
 * while every server still accepts. A server that never listened (`EADDRINUSE` in a crash loop) delays
 * nothing. One `app.onShutdown` hook per app does it. Returns the leave function.
 */
export function joinDrainDelay(internals: AppInternals, member: DrainDelayMember): () => void {
  const members = drainDelayOf(internals);
  members.add(member);
  return () => void members.delete(member);
}

function readinessDrain(internals: AppInternals, members: Set<DrainDelayMember>) {
  const { scheduler } = internals.context;
  const current = [...members].filter((member) => member.listened());
  const step = (member: DrainDelayMember, type: 'readiness-down' | 'drain-delay') =>
    internals.emit({ type: 'server-drain', name: member.name(), step: type, count: member.connections(), names: [], at: scheduler.now() }, serverEventLog);
  for (const member of current) step(member, 'readiness-down');
  const delay = Math.max(0, ...current.map((member) => member.delay));
  if (delay === 0) return undefined;
  for (const member of current) step(member, 'drain-delay');
  return timer(delay, scheduler);
}
