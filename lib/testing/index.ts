export { createTestProcess } from './createTestProcess.js';
export type { TestProcess, TestProcessConfig } from './createTestProcess.js';
export { runTestApp } from './runTestApp.js';
export type { TestApp } from './runTestApp.js';
export { withVirtualTime } from './withVirtualTime.js';
export type { VirtualClock, VirtualTimeOptions } from './withVirtualTime.js';
export { runVirtualApp } from './runVirtualApp.js';
export type { VirtualApp } from './runVirtualApp.js';
export { VirtualTimeStallError } from './VirtualTimeStallError.js';
