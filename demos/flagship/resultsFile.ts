/** The flagship demo's results file: an append-only fd with Observable writes. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Observable } from 'rxjs';

export const resultsPath = process.env['DEMO_RESULTS_FILE'] ?? path.join(os.tmpdir(), 'rxrun-flagship-results.log');

/** Opened synchronously at startup: a service that cannot write its results should not start. */
export function openResults(): number {
  return fs.openSync(resultsPath, 'a');
}

/** Appends `text`; completes once the OS has it. Cold: nothing is written until subscribed. */
export function append$(fd: number, text: string): Observable<never> {
  return new Observable<never>((subscriber) => {
    fs.write(fd, text, (error) => (error ? subscriber.error(error) : subscriber.complete()));
  });
}

export function closeResults(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (error) => (error ? reject(error) : resolve())));
}
