// drainServer in isolation (a stand-in server and tracker, virtual time): the cases mutation testing
// found unasserted (issue 9) — the app's cut-off versus the drain timeout, steps after `drained`,
// a server that is not listening, and the HTTP close that must not destroy idle sockets.
import type * as net from 'node:net';
import { VirtualTimeScheduler, queueScheduler, type SchedulerLike } from 'rxjs';
import type { DrainStep } from '../../lib/net/serverEvents';
import { DrainTimeoutError } from '../../lib/net/DrainTimeoutError';
import { drainServer, type DrainRun } from '../../lib/net/drainServer';
import type { ConnectionTracker } from '../../lib/net/trackConnections';

interface Step {
  step: DrainStep;
  count: number;
  names: readonly string[] | undefined;
  at: number;
}

interface FakeServer {
  listening: boolean;
  closeCalls: number;
  /** What `closeIdleConnections` was while `close()` ran. */
  closeIdleDuringClose: unknown;
  closeIdleConnectionsCalls: number;
  closeCallback: (() => void) | undefined;
  close(this: FakeServer, callback: () => void): void;
  closeIdleConnections?: () => void;
}

function fakeServer(listening: boolean): FakeServer {
  const server: FakeServer = {
    listening,
    closeCalls: 0,
    closeIdleDuringClose: undefined,
    closeIdleConnectionsCalls: 0,
    closeCallback: undefined,
    close(this: FakeServer, callback) {
      this.closeCalls += 1;
      this.closeIdleDuringClose = this.closeIdleConnections;
      // Node's http server: close() calls closeIdleConnections(), which destroys idle keep-alive sockets.
      this.closeIdleConnections?.();
      this.closeCallback = callback;
    },
  };
  return server;
}

interface FakeTracker extends ConnectionTracker {
  size: number;
  busy: number;
  /** What `closeIdle` returns: a count (net) or undefined (HTTP: told later through `idleClosed`). */
  handOver: number | undefined;
  describeCalls: { limit: number; which: 'busy' | 'quiet' }[];
  destroyAllCalls: number;
  calls: string[];
}

function fakeTracker(size: number, busy: number, handOver: number | undefined): FakeTracker {
  const tracker: FakeTracker = {
    size,
    busy,
    handOver,
    describeCalls: [],
    destroyAllCalls: 0,
    calls: [],
    beginDrain: () => void tracker.calls.push('beginDrain'),
    closeIdle: () => tracker.handOver,
    goaway: () => 2,
    drainUpgraded: () => 3,
    describe(limit, which) {
      tracker.describeCalls.push({ limit, which });
      return which === 'busy' ? ['b1 busy'] : ['q1 quiet'];
    },
    busyCount: () => tracker.busy,
    destroyAll() {
      tracker.destroyAllCalls += 1;
      return tracker.size; // the sockets close on a later turn: `size` drops when the test says so
    },
    detach: () => undefined,
  };
  return tracker;
}

function start(server: FakeServer, tracker: FakeTracker, timeoutMs = 100, given?: SchedulerLike) {
  const scheduler = new VirtualTimeScheduler();
  const used = given ?? scheduler;
  const steps: Step[] = [];
  const reported: unknown[] = [];
  let done = 0;
  const run: DrainRun = drainServer({
    server: server as unknown as net.Server,
    tracker,
    name: 'web',
    scheduler: used,
    timeoutMs,
    emitStep: (step, count, names) => steps.push({ step, count, names, at: used.now() }),
    report: (error) => reported.push(error),
    done: () => (done += 1),
  });
  const advanceTo = (frame: number) => {
    scheduler.maxFrames = frame;
    scheduler.flush();
  };
  return { scheduler, steps, reported, run, advanceTo, doneCount: () => done };
}

const names = (steps: Step[]) => steps.map((s) => s.step);

describe('drainServer', () => {
  it('drains a server that is not listening at once: no close(), drained in the same turn', () => {
    const server = fakeServer(false);
    const tracker = fakeTracker(0, 0, 0);
    const { steps, doneCount, scheduler } = start(server, tracker);
    expect(server.closeCalls).toBe(0);
    expect(tracker.calls).toEqual(['beginDrain']);
    expect(steps).toEqual([
      { step: 'stop-accepting', count: 0, names: undefined, at: 0 },
      { step: 'goaway', count: 2, names: undefined, at: 0 },
      { step: 'upgraded', count: 3, names: undefined, at: 0 },
      { step: 'close-idle', count: 0, names: undefined, at: 0 },
      { step: 'drained', count: 0, names: undefined, at: 0 },
    ]);
    expect(doneCount()).toBe(1);
    // The timeout is never armed once drained.
    expect(scheduler.actions).toHaveLength(0);
  });

  it('waits for a listening server to close before drained, even with nothing open', () => {
    const server = fakeServer(true);
    const tracker = fakeTracker(0, 0, 0);
    const { steps, doneCount } = start(server, tracker);
    expect(server.closeCalls).toBe(1);
    expect(names(steps)).toEqual(['stop-accepting', 'goaway', 'upgraded', 'close-idle']);
    expect(doneCount()).toBe(0);
    server.closeCallback?.();
    expect(names(steps)).toEqual(['stop-accepting', 'goaway', 'upgraded', 'close-idle', 'drained']);
    expect(doneCount()).toBe(1);
  });

  it('HTTP: waits for the idle sweep (idleClosed) before drained', () => {
    const server = fakeServer(false);
    const tracker = fakeTracker(0, 0, undefined);
    const { steps, run, doneCount } = start(server, tracker);
    expect(names(steps)).toEqual(['stop-accepting', 'goaway', 'upgraded']);
    run.check();
    expect(doneCount()).toBe(0);
    run.idleClosed(4);
    expect(steps.slice(3)).toEqual([
      { step: 'close-idle', count: 4, names: undefined, at: 0 },
      { step: 'drained', count: 0, names: undefined, at: 0 },
    ]);
    expect(doneCount()).toBe(1);
  });

  it('waits for the last connection to close, then ends once; no step after drained', () => {
    const server = fakeServer(false);
    const tracker = fakeTracker(1, 0, 1);
    const { steps, run, doneCount, advanceTo, reported } = start(server, tracker);
    expect(doneCount()).toBe(0);
    tracker.size = 0;
    run.check();
    expect(doneCount()).toBe(1);
    const before = steps.length;
    expect(steps[before - 1]?.step).toBe('drained');
    run.check();
    run.idleClosed(1);
    run.lingerExpired(['late']);
    run.cutOff();
    advanceTo(1000);
    expect(steps).toHaveLength(before);
    expect(doneCount()).toBe(1);
    expect(reported).toEqual([]);
    expect(tracker.destroyAllCalls).toBe(0);
  });

  it('tells lingerExpired as a linger-destroyed step naming the sockets', () => {
    const { steps, run } = start(fakeServer(false), fakeTracker(2, 0, 2));
    run.lingerExpired(['a', 'b']);
    expect(steps.at(-1)).toEqual({ step: 'linger-destroyed', count: 2, names: ['a', 'b'], at: 0 });
  });

  it('timeout with busy connections: destroys and names them, reports a DrainTimeoutError, ends once they closed', () => {
    const server = fakeServer(false);
    const tracker = fakeTracker(3, 2, 3);
    const { steps, run, doneCount, advanceTo, reported } = start(server, tracker, 100);
    advanceTo(99);
    expect(tracker.destroyAllCalls).toBe(0);
    advanceTo(100);
    expect(tracker.destroyAllCalls).toBe(1);
    expect(tracker.describeCalls).toEqual([
      { limit: 50, which: 'busy' },
      { limit: 50, which: 'quiet' },
    ]);
    expect(steps.slice(4)).toEqual([
      { step: 'linger-destroyed', count: 1, names: ['q1 quiet'], at: 100 },
      { step: 'destroyed', count: 2, names: ['b1 busy'], at: 100 },
    ]);
    expect(reported).toHaveLength(1);
    const error = reported[0] as DrainTimeoutError;
    expect(error).toBeInstanceOf(DrainTimeoutError);
    expect([error.serverName, error.timeoutMs, error.count, error.names]).toEqual(['web', 100, 2, ['b1 busy']]);
    // The destroyed sockets close on a later turn: the drain ends then, without a `drained` step.
    expect(doneCount()).toBe(0);
    tracker.size = 0;
    run.check();
    expect(doneCount()).toBe(1);
    expect(names(steps)).not.toContain('drained');
  });

  it('timeout with only quiet sockets: destroyed quietly (no destroyed step, no error), then drained', () => {
    const tracker = fakeTracker(2, 0, 2);
    const { steps, run, doneCount, advanceTo, reported } = start(fakeServer(false), tracker, 50);
    advanceTo(50);
    expect(steps.slice(4)).toEqual([{ step: 'linger-destroyed', count: 2, names: ['q1 quiet'], at: 50 }]);
    expect(reported).toEqual([]);
    expect(doneCount()).toBe(0);
    tracker.size = 0;
    run.check();
    expect(steps.at(-1)).toEqual({ step: 'drained', count: 0, names: undefined, at: 50 });
    expect(doneCount()).toBe(1);
  });

  it('timeout where every open socket is busy: no linger-destroyed step', () => {
    const tracker = fakeTracker(2, 2, 2);
    const { steps, advanceTo } = start(fakeServer(false), tracker, 10);
    advanceTo(10);
    expect(names(steps.slice(4))).toEqual(['destroyed']);
  });

  it("the app's cut-off destroys what is open without a DrainTimeoutError and ends at once", () => {
    const tracker = fakeTracker(3, 2, 3);
    const { steps, run, doneCount, advanceTo, reported, scheduler } = start(fakeServer(false), tracker, 100);
    run.cutOff();
    expect(tracker.destroyAllCalls).toBe(1);
    expect(steps.slice(4)).toEqual([
      { step: 'linger-destroyed', count: 1, names: ['q1 quiet'], at: 0 },
      { step: 'destroyed', count: 2, names: ['b1 busy'], at: 0 },
    ]);
    expect(reported).toEqual([]);
    // It does not wait for the sockets to close (the app cannot wait any more), and the timeout is off.
    expect(doneCount()).toBe(1);
    expect(scheduler.actions).toHaveLength(0);
    advanceTo(1000);
    expect(tracker.destroyAllCalls).toBe(1);
    expect(reported).toEqual([]);
    expect(doneCount()).toBe(1);
  });

  it('a cut-off with nothing busy still ends with a destroyed step (count 0), not drained', () => {
    const tracker = fakeTracker(1, 0, 1);
    const { steps, run, doneCount } = start(fakeServer(false), tracker);
    run.cutOff();
    expect(names(steps.slice(4))).toEqual(['linger-destroyed', 'destroyed']);
    expect(steps.at(-1)).toEqual({ step: 'destroyed', count: 0, names: ['b1 busy'], at: 0 });
    expect(doneCount()).toBe(1);
  });

  it('a timeout after the cut-off does nothing', () => {
    const tracker = fakeTracker(1, 1, 1);
    const { run, advanceTo, reported, steps } = start(fakeServer(false), tracker, 10);
    run.cutOff();
    const count = steps.length;
    advanceTo(100);
    expect(steps).toHaveLength(count);
    expect(reported).toEqual([]);
  });

  it("closes an HTTP server without its closeIdleConnections(), and restores the server's own", () => {
    const server = fakeServer(true);
    let ownCalls = 0;
    const own = () => void (ownCalls += 1);
    server.closeIdleConnections = own;
    start(server, fakeTracker(0, 0, 0));
    expect(server.closeCalls).toBe(1);
    expect(typeof server.closeIdleDuringClose).toBe('function');
    expect(server.closeIdleDuringClose).not.toBe(own);
    expect(ownCalls).toBe(0);
    expect(server.closeIdleConnections).toBe(own);
  });

  it('leaves an inherited closeIdleConnections in place (no own property added)', () => {
    let inheritedCalls = 0;
    const proto = { closeIdleConnections: () => void (inheritedCalls += 1) };
    const server = Object.assign(Object.create(proto) as FakeServer, fakeServer(true));
    // Object.assign copied the methods; close() must see the prototype's closeIdleConnections replaced.
    start(server, fakeTracker(0, 0, 0));
    expect(server.closeCalls).toBe(1);
    expect(inheritedCalls).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(server, 'closeIdleConnections')).toBe(false);
    expect(server.closeIdleConnections).toBe(proto.closeIdleConnections);
  });

  it('a server without closeIdleConnections (net) is closed as is', () => {
    const server = fakeServer(true);
    start(server, fakeTracker(0, 0, 0));
    expect(server.closeCalls).toBe(1);
    expect(server.closeIdleDuringClose).toBeUndefined();
    expect('closeIdleConnections' in server).toBe(false);
  });

  it('HTTP: a timeout before the idle sweep was told, with nothing open, ends the drain there (drained)', () => {
    const tracker = fakeTracker(0, 0, undefined);
    const { steps, doneCount, advanceTo, reported } = start(fakeServer(false), tracker, 30);
    expect(doneCount()).toBe(0);
    advanceTo(30);
    expect(steps.slice(3)).toEqual([{ step: 'drained', count: 0, names: undefined, at: 30 }]);
    expect(reported).toEqual([]);
    expect(doneCount()).toBe(1);
  });

  it('a scheduler that runs a due timeout at once (timeout 0 on queueScheduler) destroys what is open without failing', () => {
    const tracker = fakeTracker(1, 1, 1);
    let result: ReturnType<typeof start> | undefined;
    expect(() => {
      result = start(fakeServer(false), tracker, 0, queueScheduler);
    }).not.toThrow();
    expect(tracker.destroyAllCalls).toBe(1);
    expect(result?.reported).toHaveLength(1);
    expect(result?.reported[0]).toBeInstanceOf(DrainTimeoutError);
  });
});
