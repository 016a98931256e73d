import type { EventLog } from '../core/eventLog.js';

/**
 * The lifecycle events of `fork$` child processes and `worker$` threads: started, each step of
 * stopping, exited.
 *
 * @example
 * ```ts
 * app.events$.pipe(filter((e) => e.type === 'child-exited')).subscribe((e) => console.log(e.name, e.code));
 * ```
 */
export type ChildEvent =
  | {
      /** A `fork$` child process (`kind: 'process'`, `id` its pid) or `worker$` thread (`'thread'`, its `threadId`) started. */
      readonly type: 'child-started';
      readonly kind: 'process' | 'thread';
      readonly name: string;
      readonly id: number;
      readonly at: number;
    }
  | {
      /** One step of stopping a child: the stop `message`, then `SIGTERM`, then `SIGKILL` (a process) or `terminate` (a thread). */
      readonly type: 'child-stopping';
      readonly kind: 'process' | 'thread';
      readonly name: string;
      readonly id: number;
      readonly step: 'message' | 'SIGTERM' | 'SIGKILL' | 'terminate';
      /** The child ignored the steps before until their deadline (always so for `SIGKILL`; for `terminate`, unless it is the stop itself, with `stopMessage: false`). */
      readonly overdue: boolean;
      readonly at: number;
    }
  | {
      /** A child ended: its exit code, or the signal that ended it (`null` for threads). */
      readonly type: 'child-exited';
      readonly kind: 'process' | 'thread';
      readonly name: string;
      readonly id: number;
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly at: number;
    };

/** How child events are logged (internal); their JSON records carry no fields beyond the common ones. */
export const childEventLog: EventLog<ChildEvent> = {
  lines(logger, event) {
    switch (event.type) {
      case 'child-started':
        logger.info?.(`rxrun: child ${event.kind} '${event.name}' started (${event.kind === 'process' ? 'pid' : 'thread'} ${event.id})`);
        return;
      case 'child-stopping':
        if (event.overdue) logger.warn?.(`rxrun: child ${event.kind} '${event.name}' (${event.id}) did not stop in time: ${event.step === 'SIGKILL' ? 'SIGKILL' : 'terminate()'}`);
        else logger.info?.(`rxrun: stopping child ${event.kind} '${event.name}' (${event.id}): ${event.step === 'message' ? 'stop message' : event.step === 'terminate' ? 'terminate()' : event.step}`);
        return;
      case 'child-exited':
        logger.info?.(`rxrun: child ${event.kind} '${event.name}' (${event.id}) exited (${event.signal ?? `code ${event.code}`})`);
        return;
    }
  },
  fields: () => ({}),
};
