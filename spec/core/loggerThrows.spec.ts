// Regression (found in review), the defect it guards against: the user's logger is called unguarded inside emit() (DESIGN §1: "Wrap every user callback").
// A logger method that throws aborts requestShutdown() after the reason is latched and before
// beginShutdown(): the app never shuts down (keep-alive held forever), and every later request is only
// recorded as a "later reason".
import { NEVER } from 'rxjs';
import { runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

it('a throwing logger does not stop the shutdown from completing', () => {
  const testScheduler = newScheduler();
  const events: LifecycleEvent[] = [];
  const logger = {
    info(line: string) {
      if (line.includes('entering shutdown')) throw new Error('log sink closed');
    },
  };
  const port = createTestProcess({ scheduler: testScheduler });
  runApp$(NEVER, { process: port, logger, shutdownTimeout: 100, signalCoalesceWindow: 0, scheduler: testScheduler }).subscribe((e) => events.push(e));
  const escaped: unknown[] = [];
  const deliver = () => {
    try {
      port.signal('SIGTERM');
    } catch (error) {
      escaped.push(error); // thrown into the process's signal listener: an uncaughtException in production
    }
  };
  deliver();
  testScheduler.maxFrames = 10_000;
  testScheduler.flush();
  deliver(); // a second request (outside the coalescing window) does not help either
  testScheduler.flush();
  // before the fix: last events are 'shutdown-requested' (first) and 'shutdown-requested' (later) — never 'stopping', never 'stopped'
  expect(events.map((e) => e.type)).toContain('stopped');
  expect(port.keepAlives).toBe(0);
  expect(escaped).toEqual([]);
});
