/**
 * The public lifecycle event union, assembled above the core: the core declares its own events
 * (`CoreLifecycleEvent`) and an open `LifecycleEventExtensions` interface; each extension folder
 * declares its events next to the code that emits them, and this file lists those families there.
 * Types only: nothing runs, nothing is registered.
 *
 * @module
 */
import type { ChildEvent } from './processes/childEvents.js';
import type { ProcessManagerEvent } from './process/processManagerEvents.js';
import type { ServerEvent } from './net/serverEvents.js';
import type { SupervisorEvent } from './tasks/supervisorEvents.js';
import type { WorkersEvent } from './workers/workersEvents.js';

declare module './core/types.js' {
  interface LifecycleEventExtensions {
    /** `serve$` and `probes`: see {@link ServerEvent}. */
    server: ServerEvent;
    /** `supervise` (and `workers$` respawns): see {@link SupervisorEvent}. */
    supervisor: SupervisorEvent;
    /** The process-manager protocol (PM2): see {@link ProcessManagerEvent}. */
    processManager: ProcessManagerEvent;
    /** `fork$` and `worker$`: see {@link ChildEvent}. */
    child: ChildEvent;
    /** `workers$` in the primary: see {@link WorkersEvent}. */
    workers: WorkersEvent;
  }
}

export type { CoreLifecycleEvent, LifecycleEvent, LifecycleEventExtensions, LifecycleEventOf } from './core/types.js';
export type { ChildEvent, ProcessManagerEvent, ServerEvent, SupervisorEvent, WorkersEvent };
