export { runApp$ } from './core/runApp$.js';
export { runApp } from './core/runApp.js';
export { exitStatusFor } from './core/exitStatusFor.js';
export type { ExitDecision } from './core/exitStatusFor.js';
export { outcomeError } from './core/outcomeError.js';
export { fromAbortSignal } from './core/fromAbortSignal.js';
export { shutdownWaitsFor } from './operators/shutdownWaitsFor.js';
export type { ShutdownWaitsForConfig } from './operators/shutdownWaitsFor.js';
export { untilShutdown } from './operators/untilShutdown.js';
export { realProcessPort } from './process/realProcessPort.js';
export type { ProcessPort } from './process/ProcessPort.js';
export { ForcedShutdownError, NoCurrentAppError, ProcessAlreadyOwnedError, ShutdownTimeoutError, StepTimeoutError } from './core/errors.js';
export type {
  AppContext, AppMain, AppOutcome, DrainStep, ErrorRecord, ErrorSource, ExitCodeMode, Executor, LifecycleEvent, LifecycleEventOf, Logger,
  PendingItem, PendingReport, Phase, RunAppOptions, ShutdownReason, SpawnOptions, StepOptions,
} from './core/types.js';
