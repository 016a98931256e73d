/**
 * rxrun/testing: run an app against a test process port, in marble tests (`runTestApp` with
 * `TestScheduler`) or with real promises in virtual time (`withVirtualTime`, `runVirtualApp`).
 *
 * @example
 * ```ts
 * import { runTestApp } from 'rxrun/testing';
 * ```
 *
 * @packageDocumentation
 * @module rxrun/testing
 */
export { createTestProcess } from './createTestProcess.js';
export type { TestProcess, TestProcessConfig } from './createTestProcess.js';
export { runTestApp } from './runTestApp.js';
export type { TestApp } from './runTestApp.js';
export { withVirtualTime } from './withVirtualTime.js';
export type { VirtualClock, VirtualTimeOptions } from './withVirtualTime.js';
export { runVirtualApp } from './runVirtualApp.js';
export type { VirtualApp } from './runVirtualApp.js';
export { VirtualTimeStallError } from './VirtualTimeStallError.js';
