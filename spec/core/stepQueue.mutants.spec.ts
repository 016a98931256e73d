// The step queue on its own (internal): hooks in order, finalizers LIFO, steps added while running,
// withdrawal, timeouts, the stop check and the cut-off report (issue 9, mutation testing).
import { Observable, concat, defer, type ObservableInput } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { StepTimeoutError } from '../../lib/core/errors';
import { createStepQueue, type Step, type StepQueue } from '../../lib/core/stepQueue';
import type { LifecycleEvent } from '../../lib/core/types';

function host(scheduler: TestScheduler) {
  const events: string[] = [];
  const errors: { source: string; name: string; error: unknown }[] = [];
  const teardownErrors: unknown[] = [];
  let stopped = false;
  const queue = createStepQueue({
    scheduler,
    isStopped: () => stopped,
    publish: (event: LifecycleEvent) => {
      const e = event as { type: string; name?: string; at: number };
      events.push(`${e.at} ${e.type} ${e.name ?? ''}`);
    },
    reportError: (source, name, error) => errors.push({ source, name, error }),
    reportTeardownError: (error) => teardownErrors.push(error),
  });
  return { queue, events, errors, teardownErrors, stop: () => (stopped = true) };
}

const step = (kind: Step['kind'], name: string, run: () => ObservableInput<unknown> | void = () => undefined, timeout?: number): Step => ({
  kind,
  name,
  run,
  timeout,
});

function play(queue: StepQueue, which: 'hooks' | 'finalizers', starts: number[] = []) {
  let completed = false;
  const run$ = which === 'hooks' ? queue.runHooks() : queue.runFinalizers((count) => starts.push(count));
  run$.subscribe({ complete: () => (completed = true) });
  return () => completed;
}

describe('stepQueue', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  });

  it('runs hooks in registration order, each after the previous one ended', () => {
    scheduler.run(({ cold }) => {
      const { queue, events } = host(scheduler);
      queue.add(step('hook', 'a', () => cold('--|')));
      queue.add(step('hook', 'b', () => cold('-|')));
      expect(queue.count('hook')).toBe(2);
      expect(queue.count('finalizer')).toBe(0);
      const done = play(queue, 'hooks');
      scheduler.flush();
      expect(events).toEqual(['0 hook-start a', '2 hook-end a', '2 hook-start b', '3 hook-end b']);
      expect(done()).toBe(true);
    });
  });

  it('runs finalizers last in, first out, telling the count first; executors count as finalizers', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      queue.add(step('finalizer', 'f1'));
      queue.add(step('executor', 'x'));
      queue.add(step('finalizer', 'f2'));
      expect(queue.count('finalizer')).toBe(3);
      const starts: number[] = [];
      play(queue, 'finalizers', starts);
      expect(starts).toEqual([3]);
      expect(events).toEqual([
        '0 finalizer-start f2', '0 finalizer-end f2',
        '0 finalizer-start x', '0 finalizer-end x',
        '0 finalizer-start f1', '0 finalizer-end f1',
      ]);
    });
  });

  it('a hook added while hooks run runs at the end; a finalizer added while finalizers run runs next', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      queue.add(step('hook', 'a', () => void queue.add(step('hook', 'late'))));
      queue.add(step('hook', 'b'));
      play(queue, 'hooks');
      expect(events.filter((e) => e.includes('start'))).toEqual(['0 hook-start a', '0 hook-start b', '0 hook-start late']);

      const second = host(scheduler);
      second.queue.add(step('finalizer', 'f1'));
      second.queue.add(step('finalizer', 'f2', () => void second.queue.add(step('finalizer', 'added'))));
      play(second.queue, 'finalizers');
      expect(second.events.filter((e) => e.includes('start'))).toEqual(['0 finalizer-start f2', '0 finalizer-start added', '0 finalizer-start f1']);
    });
  });

  it('a step added outside a run of its kind waits for that run (not queued into the other kind)', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      queue.add(step('hook', 'h', () => void queue.add(step('finalizer', 'f-from-hook'))));
      play(queue, 'hooks');
      expect(events).toEqual(['0 hook-start h', '0 hook-end h']);
      queue.add(step('finalizer', 'f0'));
      play(queue, 'finalizers', []);
      expect(events.slice(2).filter((e) => e.includes('start'))).toEqual(['0 finalizer-start f0', '0 finalizer-start f-from-hook']);
      // After its run, a hook added is not run by a finalizer run.
      queue.add(step('hook', 'after'));
      expect(events.some((e) => e.includes('after'))).toBe(false);
    });
  });

  it('withdrawing a step removes it from the list and from a running queue (only that step)', () => {
    scheduler.run(({ cold }) => {
      const { queue, events } = host(scheduler);
      const withdraws: (() => void)[] = [];
      queue.add(step('hook', 'a', () => {
        withdraws[1]?.();
        return cold('-|');
      }));
      withdraws.push(queue.add(step('hook', 'a-before-b')));
      withdraws[1] = queue.add(step('hook', 'b'));
      queue.add(step('hook', 'c'));
      expect(queue.count('hook')).toBe(4);
      play(queue, 'hooks');
      scheduler.flush();
      expect(events.filter((e) => e.includes('start'))).toEqual(['0 hook-start a', '1 hook-start a-before-b', '1 hook-start c']);
      expect(queue.count('hook')).toBe(3);
      withdraws[1]?.(); // again: nothing else goes
      expect(queue.count('hook')).toBe(3);
    });
  });

  it('a step past its timeout fails with a StepTimeoutError (reported and published); the next one runs', () => {
    scheduler.run(({ cold }) => {
      const { queue, events, errors } = host(scheduler);
      queue.add(step('hook', 'slow', () => cold('-----|'), 3));
      queue.add(step('hook', 'quick', () => cold('-|'), 3));
      play(queue, 'hooks');
      scheduler.flush();
      expect(events).toEqual(['0 hook-start slow', '3 hook-failed slow', '3 hook-start quick', '4 hook-end quick']);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.source).toBe('hook');
      expect(errors[0]?.name).toBe('slow');
      expect(errors[0]?.error).toBeInstanceOf(StepTimeoutError);
      expect((errors[0]?.error as StepTimeoutError).timeoutMs).toBe(3);
    });
  });

  it('a step that fails is reported with its kind and published as failed', () => {
    scheduler.run(() => {
      const boom = new Error('boom');
      const { queue, events, errors } = host(scheduler);
      queue.add(step('finalizer', 'f', () => {
        throw boom;
      }));
      play(queue, 'finalizers');
      expect(events).toEqual(['0 finalizer-start f', '0 finalizer-failed f']);
      expect(errors).toEqual([{ source: 'finalizer', name: 'f', error: boom }]);
    });
  });

  it("a step's teardown that throws goes to reportTeardownError and does not fail the step", () => {
    scheduler.run(() => {
      const boom = new Error('teardown');
      const { queue, events, teardownErrors, errors } = host(scheduler);
      queue.add(step('hook', 'h', () => new Observable<never>((s) => {
        s.complete();
        return () => {
          throw boom;
        };
      })));
      play(queue, 'hooks');
      expect(events).toEqual(['0 hook-start h', '0 hook-end h']);
      expect(errors).toEqual([]);
      expect(teardownErrors.length).toBeGreaterThan(0);
    });
  });

  it('once the app stopped, no further step starts and the run completes', () => {
    scheduler.run(() => {
      const h = host(scheduler);
      h.queue.add(step('hook', 'a', () => void h.stop()));
      h.queue.add(step('hook', 'b'));
      const done = play(h.queue, 'hooks');
      expect(h.events).toEqual(['0 hook-start a', '0 hook-end a']);
      expect(done()).toBe(true);
    });
  });

  it('pending() before any run: the finalizers to come (LIFO) when asked, else nothing', () => {
    scheduler.run(({ cold }) => {
      const { queue } = host(scheduler);
      queue.add(step('hook', 'a', () => cold('----|')));
      queue.add(step('hook', 'b'));
      queue.add(step('finalizer', 'f1'));
      queue.add(step('executor', 'x'));
      expect(queue.pending(true)).toEqual([
        { kind: 'executor', name: 'x', state: 'skipped' },
        { kind: 'finalizer', name: 'f1', state: 'skipped' },
      ]);
      expect(queue.pending(false)).toEqual([]);
    });
  });

  it('pending() while a hook runs, and clear()', () => {
    const scheduler2 = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler2.run(({ cold }) => {
      const { queue } = host(scheduler2);
      queue.add(step('hook', 'a', () => cold('----|')));
      queue.add(step('hook', 'b'));
      queue.add(step('finalizer', 'f1'));
      let seen: unknown;
      concat(queue.runHooks()).subscribe();
      scheduler2.schedule(() => {
        seen = queue.pending(false);
      }, 2);
      scheduler2.flush();
      expect(seen).toEqual([
        { kind: 'hook', name: 'a', state: 'running' },
        { kind: 'hook', name: 'b', state: 'skipped' },
      ]);
      queue.clear();
      expect(queue.pending(false)).toEqual([]);
      expect(queue.pending(true)).toEqual([{ kind: 'finalizer', name: 'f1', state: 'skipped' }]);
    });
  });

  it('after a step ends it is no longer pending', () => {
    scheduler.run(({ cold }) => {
      const { queue } = host(scheduler);
      queue.add(step('hook', 'a', () => cold('-|')));
      play(queue, 'hooks');
      scheduler.flush();
      expect(queue.pending(false)).toEqual([]);
    });
  });

  it('runs thousands of synchronous steps without growing the stack', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      for (let i = 0; i < 20_000; i += 1) queue.add(step('hook', `h${i}`));
      const done = play(queue, 'hooks');
      expect(done()).toBe(true);
      expect(events).toHaveLength(40_000);
    });
  });

  it('unsubscribing a run tears the running step down', () => {
    scheduler.run(() => {
      const { queue } = host(scheduler);
      let tornDown = false;
      queue.add(step('hook', 'a', () => defer(() => new Observable<never>(() => () => void (tornDown = true)))));
      const subscription = queue.runHooks().subscribe();
      subscription.unsubscribe();
      expect(tornDown).toBe(true);
    });
  });

  it('with nothing registered, a run completes at once (and its teardown is safe)', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      expect(play(queue, 'hooks')()).toBe(true);
      const starts: number[] = [];
      expect(play(queue, 'finalizers', starts)()).toBe(true);
      expect(starts).toEqual([0]);
      expect(events).toEqual([]);
    });
  });

  it('the step that follows an asynchronous one is pending as running', () => {
    scheduler.run(({ cold }) => {
      const { queue } = host(scheduler);
      queue.add(step('hook', 'a', () => cold('-|')));
      queue.add(step('hook', 'b', () => cold('----|')));
      let seen: unknown;
      play(queue, 'hooks');
      scheduler.schedule(() => {
        seen = queue.pending(false);
      }, 3);
      scheduler.flush();
      expect(seen).toEqual([{ kind: 'hook', name: 'b', state: 'running' }]);
    });
  });

  it('a hook added while finalizers run does not run', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      queue.add(step('finalizer', 'f', () => void queue.add(step('hook', 'too-late'))));
      play(queue, 'finalizers');
      expect(events).toEqual(['0 finalizer-start f', '0 finalizer-end f']);
    });
  });

  it('withdrawing the first registered step removes it', () => {
    scheduler.run(() => {
      const { queue, events } = host(scheduler);
      const withdraw = queue.add(step('hook', 'first'));
      queue.add(step('hook', 'second'));
      withdraw();
      expect(queue.count('hook')).toBe(1);
      play(queue, 'hooks');
      expect(events).toEqual(['0 hook-start second', '0 hook-end second']);
    });
  });

  it('a running step withdrawing itself leaves the queued ones alone', () => {
    scheduler.run(({ cold }) => {
      const { queue, events } = host(scheduler);
      let withdrawA: () => void = () => undefined;
      withdrawA = queue.add(step('hook', 'a', () => {
        withdrawA();
        return cold('-|');
      }));
      queue.add(step('hook', 'b'));
      queue.add(step('hook', 'c'));
      play(queue, 'hooks');
      scheduler.flush();
      expect(events.filter((e) => e.includes('start'))).toEqual(['0 hook-start a', '1 hook-start b', '1 hook-start c']);
      expect(queue.count('hook')).toBe(2);
    });
  });

  it('withdrawing the next queued step while one runs: it does not run', () => {
    scheduler.run(({ cold }) => {
      const { queue, events } = host(scheduler);
      let withdrawB: () => void = () => undefined;
      queue.add(step('hook', 'a', () => {
        withdrawB();
        return cold('-|');
      }));
      withdrawB = queue.add(step('hook', 'b'));
      queue.add(step('hook', 'c'));
      play(queue, 'hooks');
      scheduler.flush();
      expect(events.filter((e) => e.includes('start'))).toEqual(['0 hook-start a', '1 hook-start c']);
    });
  });

  it('clear() while a step runs: nothing is pending, and the queued steps never start', () => {
    scheduler.run(({ cold }) => {
      const { queue, events } = host(scheduler);
      queue.add(step('hook', 'a', () => cold('----|')));
      queue.add(step('hook', 'b'));
      play(queue, 'hooks');
      let seen: unknown;
      scheduler.schedule(() => {
        queue.clear();
        seen = queue.pending(false);
      }, 2);
      scheduler.flush();
      expect(seen).toEqual([]);
      expect(events.some((e) => e.includes(' b'))).toBe(false);
    });
  });
});

