// The ready signal over a stand-in host (internal): who it waits for, once, close (issue 9).
import { Observable, Subject, throwError } from 'rxjs';
import { createReadySignal, type ReadySource } from '../../lib/core/readySignal';
import type { AppContext } from '../../lib/core/types';

function setup(source?: ReadySource, options: { send?: boolean } = {}) {
  const context = { name: 'ctx' } as unknown as AppContext;
  const log: string[] = [];
  const failures: unknown[] = [];
  let isRunning = true;
  const ready = createReadySignal({
    context,
    source,
    isRunning: () => isRunning,
    send: () => {
      log.push('send');
      return options.send ?? true;
    },
    sent: () => log.push('sent'),
    failed: (error) => failures.push(error),
  });
  return { ready, log, failures, context, setRunning: (value: boolean) => (isRunning = value) };
}

describe('readySignal', () => {
  it('with nothing to wait for, sends once the app runs, and only once', () => {
    const { ready, log } = setup();
    expect(log).toEqual([]);
    ready.running();
    expect(log).toEqual(['send', 'sent']);
    ready.running();
    expect(log).toEqual(['send', 'sent']);
  });

  it('sends nothing while the host is not running, then sends when it is', () => {
    const { ready, log, setRunning } = setup();
    setRunning(false);
    ready.running();
    expect(log).toEqual([]);
    setRunning(true);
    ready.running();
    expect(log).toEqual(['send', 'sent']);
  });

  it('emits nothing when the send found no channel, and does not try again', () => {
    const { ready, log } = setup(undefined, { send: false });
    ready.running();
    ready.running();
    expect(log).toEqual(['send']);
  });

  it('waits for every server that joined to listen', () => {
    const { ready, log } = setup();
    const a = ready.join();
    const b = ready.join();
    ready.running();
    expect(log).toEqual([]);
    a.listening();
    a.listening(); // twice counts once
    expect(log).toEqual([]);
    b.listening();
    expect(log).toEqual(['send', 'sent']);
  });

  it('a server listening before the app runs: sent when it runs', () => {
    const { ready, log, setRunning } = setup();
    setRunning(false);
    ready.join().listening();
    expect(log).toEqual([]);
    setRunning(true);
    ready.running();
    expect(log).toEqual(['send', 'sent']);
  });

  it('a server that left before listening no longer counts; the others decide', () => {
    const { ready, log } = setup();
    const a = ready.join();
    const b = ready.join();
    ready.running();
    b.listening();
    expect(log).toEqual([]);
    a.leave();
    expect(log).toEqual(['send', 'sent']);
  });

  it('an app whose servers all left is not ready', () => {
    const { ready, log } = setup();
    const a = ready.join();
    ready.running();
    a.leave();
    a.leave();
    a.listening(); // after leaving: ignored
    expect(log).toEqual([]);
    const b = ready.join();
    ready.running(); // the listening() after leaving must not count for b
    expect(log).toEqual([]);
    b.listening();
    expect(log).toEqual(['send', 'sent']);
  });

  it('a server that left after listening takes its listening with it', () => {
    const { ready, log } = setup();
    const a = ready.join();
    const b = ready.join();
    a.listening();
    a.leave();
    ready.running();
    expect(log).toEqual([]);
    const c = ready.join();
    c.listening();
    expect(log).toEqual([]);
    b.listening();
    expect(log).toEqual(['send', 'sent']);
  });

  it('leaving twice counts once', () => {
    const { ready, log } = setup();
    const a = ready.join();
    const b = ready.join();
    ready.join().listening();
    ready.running();
    b.leave();
    b.leave();
    expect(log).toEqual([]);
    a.listening();
    expect(log).toEqual(['send', 'sent']);
  });

  it("waits for the user's signal (a function of the context, subscribed once the app runs, once)", () => {
    const subject = new Subject<string>();
    let subscriptions = 0;
    const seen: AppContext[] = [];
    const source = (app: AppContext) => {
      seen.push(app);
      return new Observable<string>((subscriber) => {
        subscriptions += 1;
        return subject.subscribe(subscriber);
      });
    };
    const { ready, log, context } = setup(source);
    expect(subscriptions).toBe(0);
    ready.running();
    ready.running();
    expect(seen).toEqual([context]);
    expect(subscriptions).toBe(1);
    expect(log).toEqual([]);
    subject.next('go');
    expect(log).toEqual(['send', 'sent']);
    expect(subject.observed).toBe(false); // take(1)
  });

  it("a user's signal that completes without a value counts as ready", () => {
    const subject = new Subject<void>();
    const { ready, log } = setup(subject);
    ready.running();
    subject.complete();
    expect(log).toEqual(['send', 'sent']);
  });

  it("the user's signal and the servers: both needed", () => {
    const subject = new Subject<void>();
    const { ready, log } = setup(subject);
    const a = ready.join();
    ready.running();
    subject.next();
    expect(log).toEqual([]);
    a.listening();
    expect(log).toEqual(['send', 'sent']);
  });

  it('a signal that fires while the app is not running is remembered', () => {
    const subject = new Subject<void>();
    const { ready, log, setRunning } = setup(subject);
    ready.running();
    setRunning(false);
    subject.next();
    expect(log).toEqual([]);
    setRunning(true);
    ready.running();
    expect(log).toEqual(['send', 'sent']);
  });

  it("reports the user's signal's error, or its function's throw, and sends nothing", () => {
    const boom = new Error('boom');
    const failing = setup(throwError(() => boom));
    failing.ready.running();
    expect(failing.failures).toEqual([boom]);
    expect(failing.log).toEqual([]);

    const thrown = new Error('thrown');
    const throwing = setup(() => {
      throw thrown;
    });
    throwing.ready.running();
    expect(throwing.failures).toEqual([thrown]);
    expect(throwing.log).toEqual([]);
  });

  it("close(): nothing is sent any more and the user's signal is unsubscribed", () => {
    const subject = new Subject<void>();
    const { ready, log } = setup(subject);
    ready.running();
    expect(subject.observed).toBe(true);
    ready.close();
    expect(subject.observed).toBe(false);
    subject.next();
    ready.running();
    expect(log).toEqual([]);
  });

  it('close() before running: the signal is never subscribed, servers listening send nothing', () => {
    const subject = new Subject<void>();
    const { ready, log } = setup(subject);
    const a = ready.join();
    ready.close();
    ready.running();
    expect(subject.observed).toBe(false);
    a.listening();
    expect(log).toEqual([]);
    expect(() => ready.close()).not.toThrow();
  });

  it('close() without a user signal sends nothing afterwards', () => {
    const { ready, log } = setup();
    ready.close();
    ready.running();
    expect(log).toEqual([]);
  });
});
