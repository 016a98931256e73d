import { childEventLog, type ChildEvent } from '../../lib/processes/childEvents';
import type { Logger } from 'rxrun';

/** The log lines of the child events: a missed deadline warns, a planned step informs. */
describe('child event log lines', () => {
  const linesOf = (event: ChildEvent) => {
    const lines: string[] = [];
    const logger: Logger = { info: (line) => lines.push(`info ${line}`), warn: (line) => lines.push(`warn ${line}`), error: (line) => lines.push(`error ${line}`) };
    childEventLog.lines(logger, event);
    return lines;
  };
  const stopping = (step: 'message' | 'SIGTERM' | 'SIGKILL' | 'terminate', overdue: boolean, kind: 'process' | 'thread' = 'thread'): ChildEvent =>
    ({ type: 'child-stopping', kind, name: 'w', id: 7, step, overdue, at: 0 });

  it('terminate() as the stop itself (stopMessage false) is an info line, not a missed deadline', () => {
    expect(linesOf(stopping('terminate', false))).toEqual(["info rxrun: stopping child thread 'w' (7): terminate()"]);
  });

  it('terminate() or SIGKILL at the deadline warns that the child did not stop in time', () => {
    expect(linesOf(stopping('terminate', true))).toEqual(["warn rxrun: child thread 'w' (7) did not stop in time: terminate()"]);
    expect(linesOf(stopping('SIGKILL', true, 'process'))).toEqual(["warn rxrun: child process 'w' (7) did not stop in time: SIGKILL"]);
  });

  it('the stop message and SIGTERM are info lines', () => {
    expect(linesOf(stopping('message', false, 'process'))).toEqual(["info rxrun: stopping child process 'w' (7): stop message"]);
    expect(linesOf(stopping('SIGTERM', false, 'process'))).toEqual(["info rxrun: stopping child process 'w' (7): SIGTERM"]);
  });
});
