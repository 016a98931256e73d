/**
 * rxrun: an RxJS lifecycle for Node.js services. `runApp` owns signals, errors and the exit status;
 * a shutdown request moves the app through fixed phases within one budget.
 *
 * @example
 * ```ts
 * import { runApp, serve$ } from 'rxrun';
 * import { createServer } from 'node:http';
 *
 * runApp((app) => serve$(createServer((req, res) => res.end('hello\n')), 3000, { app }));
 * ```
 *
 * @packageDocumentation
 * @module rxrun
 */
export { runApp$ } from './core/runApp$.js';
export { runApp } from './core/runApp.js';
export { exitStatusFor } from './core/exitStatusFor.js';
export type { ExitDecision } from './core/exitStatusFor.js';
export { outcomeError } from './core/outcomeError.js';
export { fromAbortSignal } from './core/fromAbortSignal.js';
export { shutdownWaitsFor } from './operators/shutdownWaitsFor.js';
export type { ShutdownWaitsForConfig } from './operators/shutdownWaitsFor.js';
export { untilShutdown } from './operators/untilShutdown.js';
export { taskGroup } from './tasks/taskGroup.js';
export type { TaskGroup, TaskGroupConfig, TaskGroupEvent, TaskGroupSpawnOptions, TaskGroupState, TaskResult } from './tasks/taskGroupTypes.js';
export { supervise } from './tasks/supervise.js';
export type { BackoffConfig, SuperviseConfig } from './tasks/supervise.js';
export { SupervisorGaveUpError, TaskGroupClosedError } from './tasks/errors.js';
export { serve$ } from './net/serve$.js';
export type { ServableServer, ServeConfig, ServeListening } from './net/serve$.js';
export { DrainTimeoutError } from './net/DrainTimeoutError.js';
export { serveFastify$ } from './net/serveFastify$.js';
export type { FastifyLike, ServeFastifyConfig } from './net/serveFastify$.js';
export { closeWebSockets } from './net/closeWebSockets.js';
export type { ClosableWebSocket, CloseWebSocketsConfig, WebSocketServerLike } from './net/closeWebSockets.js';
export { probes } from './net/probes.js';
export type { ProbeCheck, ProbeCheckResult, ProbeListening, ProbeNext, ProbePaths, ProbeRequest, ProbeResponse, Probes, ProbesConfig } from './net/probes.js';
export { realProcessPort } from './process/realProcessPort.js';
export type { ProcessPort } from './process/ProcessPort.js';
export { ForcedShutdownError, NoCurrentAppError, ProcessAlreadyOwnedError, ShutdownTimeoutError, StepTimeoutError } from './core/errors.js';
export type {
  AppContext, AppMain, AppOutcome, ErrorRecord, ErrorSource, ExitCodeMode, Executor, Logger,
  PendingItem, PendingReport, Phase, RunAppOptions, ShutdownReason, SpawnOptions, StepOptions,
} from './core/types.js';
export type {
  ChildEvent, CoreLifecycleEvent, LifecycleEvent, LifecycleEventExtensions, LifecycleEventOf, ProcessManagerEvent, ServerEvent, SupervisorEvent,
  WorkersEvent,
} from './lifecycleEvent.js';
export type { DrainStep } from './net/serverEvents.js';
export { resource$ } from './resources/resource$.js';
export type { ResourceConfig } from './resources/resource$.js';
export { resources$ } from './resources/resources$.js';
export type { HeldResources } from './resources/resources$.js';
export { ResourceEmptyError, ResourceTimeoutError } from './resources/resourceErrors.js';
export { timer$ } from './timers/timer$.js';
export type { TickErrorInfo, TickFn, TimerConfig, TimerMiss, TimerMissTotals, TimerPolicy } from './timers/timer$.js';
export { TimerQueueOverflowError } from './timers/TimerQueueOverflowError.js';
export { pinoLogger } from './logging/pinoLogger.js';
export type { PinoLike } from './logging/pinoLogger.js';
export type { LifecycleLogRecord, LogError, LogLevel } from './logging/lifecycleLogRecord.js';
export { fork$ } from './processes/fork$.js';
export type { ForkConfig, ForkEvent } from './processes/fork$.js';
export { ChildExitError, ChildKilledError, ChildModuleNotFoundError, ExecutorCutOffError, WorkerThreadError } from './processes/errors.js';
export { poolExecutor } from './processes/poolExecutor.js';
export type { PoolExecutorConfig, PoolLike } from './processes/poolExecutor.js';
export { worker$ } from './processes/worker$.js';
export type { WorkerConfig, WorkerEvent } from './processes/worker$.js';
export { workers$ } from './workers/workers$.js';
export type { WorkerContext, WorkerInfo, WorkerMain, WorkerPool, WorkerStopReason, WorkersConfig } from './workers/workersTypes.js';
export { WorkerFailedError } from './workers/errors.js';
