// bindProcess over a stand-in process port and a hand-set clock (internal; issue 9): what it binds,
// what it hears, what it undoes, and the handles that are the app's own.
import type { SchedulerLike } from 'rxjs';
import { bindProcess, type ProcessListener } from '../../lib/core/bindProcess';
import type { RuntimeSettings } from '../../lib/core/resolveSettings';
import type { ProcessPort } from '../../lib/process/ProcessPort';

/** A port that records what is bound and undone; the test fires the listeners and sets the resources. */
function standInPort(options: { message?: 'none'; disconnect?: boolean; failOn?: string; settle?: boolean } = {}) {
  const log: string[] = [];
  const signals = new Map<string, (signal: NodeJS.Signals) => void>();
  const errors = new Map<string, (error: unknown) => void>();
  let message: ((message: unknown) => void) | undefined;
  let disconnect: (() => void) | undefined;
  let settleCalls: { self: unknown; done: () => void }[] = [];
  const state = { resources: [] as string[] };
  const bound = (what: string) => {
    if (options.failOn === what) throw new Error(`cannot bind ${what}`);
    log.push(`bind ${what}`);
    return () => log.push(`undo ${what}`);
  };
  const port = {
    platform: 'linux',
    onSignal: (signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => {
      const undo = bound(signal);
      signals.set(signal, listener);
      return undo;
    },
    onMessage: (listener: (message: unknown) => void) => {
      message = listener;
      if (options.message === 'none') {
        log.push('bind message (no channel)');
        return undefined;
      }
      return bound('message');
    },
    onProcessError: (kind: string, listener: (error: unknown) => void) => {
      const undo = bound(kind);
      errors.set(kind, listener);
      return undo;
    },
    keepAlive: () => bound('keepAlive'),
    activeResources: () => [...state.resources],
    writeLine: () => undefined,
    exit: () => undefined,
    raise: () => undefined,
  } as Record<string, unknown>;
  if (options.disconnect !== false) {
    port['onDisconnect'] = (listener: () => void) => {
      disconnect = listener;
      return bound('disconnect');
    };
  }
  if (options.settle !== false) {
    port['settle'] = function (this: unknown, done: () => void) {
      settleCalls.push({ self: this, done });
    };
  }
  return {
    port: port as unknown as ProcessPort,
    log,
    state,
    signal: (signal: NodeJS.Signals) => signals.get(signal)?.(signal),
    message: (value: unknown) => message?.(value),
    disconnect: () => disconnect?.(),
    processError: (kind: string, error: unknown) => errors.get(kind)?.(error),
    settleCalls: () => {
      const calls = settleCalls;
      settleCalls = [];
      return calls;
    },
  };
}

/** A listener that writes down what it hears. */
function recorder() {
  const heard: unknown[][] = [];
  const listener: ProcessListener = {
    signal: (signal) => heard.push(['signal', signal]),
    coalesced: (signal) => heard.push(['coalesced', signal]),
    shutdownMessage: (message) => heard.push(['message', message]),
    processError: (kind, error) => heard.push([kind, error]),
    parentLost: (reason) => heard.push(['parentLost', reason]),
  };
  return { heard, listener };
}

const clock = { now: 0 };
const scheduler = { now: () => clock.now } as SchedulerLike;

function settings(overrides: Partial<RuntimeSettings> = {}): RuntimeSettings {
  return {
    signals: ['SIGINT', 'SIGTERM'],
    ipcShutdown: true,
    handleProcessErrors: true,
    signalCoalesceWindow: 250,
    scheduler,
    ...overrides,
  } as RuntimeSettings;
}

describe('bindProcess (mutants)', () => {
  beforeEach(() => {
    clock.now = 0;
  });

  it('binds the signals, the IPC message, the parent loss, both process errors, then the keep-alive; dispose undoes them last first, once', () => {
    const stand = standInPort();
    const binding = bindProcess(stand.port, settings(), recorder().listener);
    expect(stand.log).toEqual(['bind SIGINT', 'bind SIGTERM', 'bind message', 'bind disconnect', 'bind uncaughtException', 'bind unhandledRejection', 'bind keepAlive']);
    stand.log.length = 0;
    binding.dispose();
    expect(stand.log).toEqual(['undo keepAlive', 'undo unhandledRejection', 'undo uncaughtException', 'undo disconnect', 'undo message', 'undo SIGTERM', 'undo SIGINT']);
    binding.dispose();
    expect(stand.log).toHaveLength(7);
  });

  it('without ipcShutdown: no message or parent-loss listener; without handleProcessErrors: no process-error listener', () => {
    const stand = standInPort();
    bindProcess(stand.port, settings({ ipcShutdown: false, handleProcessErrors: false, signals: ['SIGHUP'] }), recorder().listener);
    expect(stand.log).toEqual(['bind SIGHUP', 'bind keepAlive']);
  });

  it('a port without a channel (onMessage gives nothing) or without onDisconnect: nothing to undo for them', () => {
    const stand = standInPort({ message: 'none', disconnect: false });
    const binding = bindProcess(stand.port, settings({ signals: [] }), recorder().listener);
    expect(stand.log).toEqual(['bind message (no channel)', 'bind uncaughtException', 'bind unhandledRejection', 'bind keepAlive']);
    stand.log.length = 0;
    expect(() => binding.dispose()).not.toThrow();
    expect(stand.log).toEqual(['undo keepAlive', 'undo unhandledRejection', 'undo uncaughtException']);
  });

  it('a port that throws while binding: what was bound is undone (last first), then the error is rethrown', () => {
    const stand = standInPort({ failOn: 'uncaughtException' });
    expect(() => bindProcess(stand.port, settings(), recorder().listener)).toThrow('cannot bind uncaughtException');
    expect(stand.log).toEqual([
      'bind SIGINT',
      'bind SIGTERM',
      'bind message',
      'bind disconnect',
      'undo disconnect',
      'undo message',
      'undo SIGTERM',
      'undo SIGINT',
    ]);
  });

  it('passes on the IPC shutdown message in both forms, and nothing else', () => {
    const stand = standInPort();
    const { heard, listener } = recorder();
    bindProcess(stand.port, settings(), listener);
    for (const message of ['shutdown', { type: 'shutdown', why: 'deploy' }, 'stop', { type: 'stop' }, {}, null, undefined, 7, ['shutdown']]) stand.message(message);
    expect(heard).toEqual([
      ['message', 'shutdown'],
      ['message', { type: 'shutdown', why: 'deploy' }],
    ]);
  });

  it("passes on the parent's loss and the process errors, each by kind", () => {
    const stand = standInPort();
    const { heard, listener } = recorder();
    bindProcess(stand.port, settings(), listener);
    const boom = new Error('boom');
    stand.processError('uncaughtException', boom);
    stand.processError('unhandledRejection', 'why');
    stand.disconnect();
    expect(heard).toEqual([
      ['uncaughtException', boom],
      ['unhandledRejection', 'why'],
      ['parentLost', { kind: 'disconnect' }],
    ]);
  });

  it('coalesces the same signal within the window (from the last one passed on), per signal', () => {
    const stand = standInPort();
    const { heard, listener } = recorder();
    bindProcess(stand.port, settings(), listener);
    const at = (now: number, signal: NodeJS.Signals) => {
      clock.now = now;
      stand.signal(signal);
    };
    at(1000, 'SIGTERM');
    at(1100, 'SIGTERM'); // within 250 ms of 1000
    at(1100, 'SIGINT'); // another signal: not a repeat
    at(1249, 'SIGTERM'); // still within the window of the one passed on at 1000
    at(1250, 'SIGTERM'); // exactly the window later: a new signal
    at(1499, 'SIGTERM');
    at(1500, 'SIGINT'); // 400 ms after the last SIGINT
    expect(heard).toEqual([
      ['signal', 'SIGTERM'],
      ['coalesced', 'SIGTERM'],
      ['signal', 'SIGINT'],
      ['coalesced', 'SIGTERM'],
      ['signal', 'SIGTERM'],
      ['coalesced', 'SIGTERM'],
      ['signal', 'SIGINT'],
    ]);
  });

  it('a window of 0 coalesces nothing, not even at the same instant', () => {
    const stand = standInPort();
    const { heard, listener } = recorder();
    bindProcess(stand.port, settings({ signalCoalesceWindow: 0 }), listener);
    stand.signal('SIGTERM');
    stand.signal('SIGTERM');
    expect(heard).toEqual([
      ['signal', 'SIGTERM'],
      ['signal', 'SIGTERM'],
    ]);
  });

  it('handlesSinceStart: the active resources beyond those there at binding, repeats counted', () => {
    const stand = standInPort();
    stand.state.resources = ['TTYWrap', 'Timeout', 'TTYWrap'];
    const binding = bindProcess(stand.port, settings(), recorder().listener);
    expect(binding.handlesSinceStart()).toEqual([]);
    stand.state.resources = ['Timeout', 'TCPServerWrap', 'TTYWrap', 'Timeout', 'TTYWrap', 'TTYWrap'];
    expect(binding.handlesSinceStart()).toEqual(['TCPServerWrap', 'Timeout', 'TTYWrap']);
    stand.state.resources = ['TTYWrap'];
    expect(binding.handlesSinceStart()).toEqual([]);
  });

  describe('settled()', () => {
    const completes = (binding: ReturnType<typeof bindProcess>) => {
      let completed = false;
      binding.settled().subscribe({ complete: () => (completed = true) });
      return () => completed;
    };

    it('completes at once, without asking the port, when the app has no handles of its own', () => {
      const stand = standInPort();
      stand.state.resources = ['TTYWrap'];
      const done = completes(bindProcess(stand.port, settings(), recorder().listener));
      expect(done()).toBe(true);
      expect(stand.settleCalls()).toEqual([]);
    });

    it('completes at once when the port cannot settle', () => {
      const stand = standInPort({ settle: false });
      const binding = bindProcess(stand.port, settings(), recorder().listener);
      stand.state.resources = ['FSReqCallback'];
      expect(completes(binding)()).toBe(true);
    });

    it("else waits for the port's settle (called on the port)", () => {
      const stand = standInPort();
      const binding = bindProcess(stand.port, settings(), recorder().listener);
      stand.state.resources = ['FSReqCallback'];
      const done = completes(binding);
      const calls = stand.settleCalls();
      expect(calls).toHaveLength(1);
      expect(calls[0]?.self).toBe(stand.port);
      expect(done()).toBe(false);
      calls[0]?.done();
      expect(done()).toBe(true);
    });
  });
});
