import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { createTestProcess } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

describe('createTestProcess', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('delivers signals, messages and process errors at virtual times', () => {
    testScheduler.run(({ expectObservable }) => {
      const port = createTestProcess();
      const log$ = new Subject<string>();
      port.onSignal('SIGTERM', (signal) => log$.next(signal));
      port.onMessage((message) => log$.next(`message ${JSON.stringify(message)}`));
      port.onProcessError('uncaughtException', (error) => log$.next(`uncaught ${String(error)}`));
      port.onProcessError('unhandledRejection', (error) => log$.next(`rejection ${String(error)}`));
      port.signal('SIGTERM', 6);
      port.message({ type: 'shutdown' }, 1);
      port.crash('boom', 2);
      port.crash('nope', 2, 'unhandledRejection');
      port.signal('SIGINT', 1); // nobody listens
      expectObservable(log$).toBe('-a(bc)d', {
        a: 'message {"type":"shutdown"}',
        b: 'uncaught boom',
        c: 'rejection nope',
        d: 'SIGTERM',
      });
    });
  });

  it('delivers at once without a delay', () => {
    const port = createTestProcess();
    const seen: string[] = [];
    port.onSignal('SIGHUP', (signal) => seen.push(signal));
    port.signal('SIGHUP');
    expect(seen).toEqual(['SIGHUP']);
  });

  it('removes exactly the listener whose disposer is called, and counts listeners', () => {
    const port = createTestProcess();
    const offA = port.onSignal('SIGTERM', () => undefined);
    port.onSignal('SIGTERM', () => undefined);
    const offMessage = port.onMessage(() => undefined);
    port.onProcessError('uncaughtException', () => undefined);
    expect(port.listenerCount('SIGTERM')).toBe(2);
    expect(port.listenerCount('SIGINT')).toBe(0);
    expect(port.listenerCount()).toBe(4);
    offA();
    offMessage?.();
    expect(port.listenerCount('SIGTERM')).toBe(1);
    expect(port.listenerCount()).toBe(2);
  });

  it('has no IPC channel with ipc: false', () => {
    const port = createTestProcess({ ipc: false });
    expect(port.onMessage(() => undefined)).toBeUndefined();
    expect(port.listenerCount()).toBe(0);
  });

  it('counts keep-alive handles; releasing twice is harmless', () => {
    const port = createTestProcess();
    const release = port.keepAlive();
    port.keepAlive();
    expect(port.keepAlives).toBe(2);
    release();
    release();
    expect(port.keepAlives).toBe(1);
  });

  it('records the first exit status: exit(code), or raise(signal) as 128 + n', () => {
    const exited = createTestProcess();
    exited.exit(3);
    exited.exit(0);
    expect([exited.exitCode, exited.raisedSignal]).toEqual([3, undefined]);
    const raised = createTestProcess();
    raised.raise('SIGTERM');
    raised.exit(0);
    expect([raised.exitCode, raised.raisedSignal]).toEqual([143, 'SIGTERM']);
  });

  it('collects written lines and reports the resources set by the test', () => {
    const port = createTestProcess({ platform: 'win32' });
    port.writeLine('hello');
    port.resources = ['TCPWrap'];
    expect(port.lines).toEqual(['hello']);
    expect(port.activeResources()).toEqual(['TCPWrap']);
    expect(port.platform).toBe('win32');
    expect(createTestProcess().platform).toBe('linux');
  });
});
