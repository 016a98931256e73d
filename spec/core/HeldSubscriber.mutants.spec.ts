// HeldSubscriber and guardTeardown on their own (internal): order of teardown and notification,
// teardown errors routed, nothing after the end (issue 9, mutation testing).
import { Observable, UnsubscriptionError, range, take, toArray } from 'rxjs';
import { HeldSubscriber } from '../../lib/core/HeldSubscriber';
import { guardTeardown, teardownErrors } from '../../lib/core/guardTeardown';

function recorder() {
  const log: string[] = [];
  const teardownErrorsSeen: unknown[] = [];
  const held = new HeldSubscriber<string>(
    {
      next: (v) => log.push(`next ${v}`),
      error: (e: unknown) => log.push(`error ${(e as Error).message}`),
      complete: () => log.push('complete'),
    },
    (e) => teardownErrorsSeen.push(e),
  );
  return { log, teardownErrorsSeen, held };
}

describe('HeldSubscriber', () => {
  it('passes values, and tears the source down before passing on its end (complete)', () => {
    const { log, held } = recorder();
    let outer: { complete(): void; next(v: string): void } | undefined;
    held.run(
      new Observable<string>((s) => {
        outer = s;
        s.next('a');
        return () => log.push('teardown');
      }),
    );
    outer?.complete();
    outer?.next('late');
    held.next('late');
    expect(log).toEqual(['next a', 'teardown', 'complete']);
    expect(held.closed).toBe(true);
  });

  it('tears the source down before passing on an error, and passes nothing after it', () => {
    const { log, held } = recorder();
    let outer: { error(e: unknown): void; complete(): void; next(v: string): void } | undefined;
    held.run(
      new Observable<string>((s) => {
        outer = s;
        return () => log.push('teardown');
      }),
    );
    outer?.error(new Error('x'));
    held.next('after');
    held.error(new Error('again'));
    held.complete();
    expect(log).toEqual(['teardown', 'error x']);
  });

  it('does not subscribe the source when already unsubscribed', () => {
    const { held } = recorder();
    held.unsubscribe();
    let subscribed = false;
    held.run(new Observable<string>(() => void (subscribed = true)));
    expect(subscribed).toBe(false);
  });

  it('routes a teardown that throws to onTeardownError, on unsubscribe and when the source ends', () => {
    const boom = new Error('teardown');
    const first = recorder();
    first.held.run(new Observable<string>(() => () => {
      throw boom;
    }));
    expect(() => first.held.unsubscribe()).not.toThrow();
    expect(first.teardownErrorsSeen).toHaveLength(1);
    expect(teardownErrors(first.teardownErrorsSeen[0])).toEqual([boom]);
    first.held.unsubscribe(); // once only
    expect(first.teardownErrorsSeen).toHaveLength(1);

    const second = recorder();
    second.held.run(
      new Observable<string>((s) => {
        s.complete();
        return () => {
          throw boom;
        };
      }),
    );
    expect(second.log).toEqual(['complete']);
    expect(second.teardownErrorsSeen.flatMap(teardownErrors)).toEqual([boom]);
  });

  it('a source that throws while subscribing goes to onTeardownError (not to the caller)', () => {
    const boom = new Error('subscribe');
    const { held, teardownErrorsSeen } = recorder();
    const throwing = { subscribe: () => { throw boom; } } as unknown as Observable<string>;
    expect(() => held.run(throwing)).not.toThrow();
    expect(teardownErrorsSeen).toEqual([boom]);
  });
});

describe('guardTeardown', () => {
  it('stops a synchronous firehose when the downstream lets go', () => {
    let values: number[] = [];
    range(0, Infinity)
      .pipe(guardTeardown(() => undefined), take(3), toArray())
      .subscribe((all) => (values = all));
    expect(values).toEqual([0, 1, 2]);
  });

  it("sends the source's teardown error to the handler, not to the caller", () => {
    const boom = new Error('teardown');
    const seen: unknown[] = [];
    const subscription = new Observable<number>(() => () => {
      throw boom;
    })
      .pipe(guardTeardown((e) => seen.push(e)))
      .subscribe();
    expect(() => subscription.unsubscribe()).not.toThrow();
    expect(seen.flatMap(teardownErrors)).toEqual([boom]);
  });

  it('teardownErrors unwraps an UnsubscriptionError, and wraps anything else', () => {
    const a = new Error('a');
    const b = new Error('b');
    expect(teardownErrors(new UnsubscriptionError([a, b]))).toEqual([a, b]);
    expect(teardownErrors(a)).toEqual([a]);
    expect(teardownErrors('x')).toEqual(['x']);
  });
});
