export { createTestProcess } from './createTestProcess.js';
export type { TestProcess, TestProcessConfig } from './createTestProcess.js';
export { runTestApp } from './runTestApp.js';
export type { TestApp } from './runTestApp.js';
