// A Jest reporter that ends the run with one plain line CI can read:
//   tests: N passed, N failed[, N skipped]
// Jest always adds its own summary reporter after custom ones, and may warn about open handles
// after that, so the line is written when the Jest process exits: it is the last thing Jest prints.
// A suite that failed to run at all (a compile error, a throw at import time) counts as one failed
// test, so a broken file can never hide behind "0 failed".
'use strict';

const { writeSync } = require('node:fs');

let lastLine;

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    if (lastLine === undefined) process.once('exit', () => writeSync(1, `\n${lastLine}\n`));
    lastLine = `tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
  }
}

module.exports = SummaryReporter;
