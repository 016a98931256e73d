// An app's tasks over a stand-in host (internal; issue 9): spawn, startMain, the teardown, detaching.
import { NEVER, Observable, Subject, of, throwError } from 'rxjs';
import { createAppTasks, type AppTasks, type TaskHost } from '../../lib/core/appTasks';
import type { AppContext } from '../../lib/core/types';

/** A host that accepts while `accepting` is true and writes down what it is told. */
function standInHost() {
  const log: unknown[][] = [];
  const state = { accepting: true, acceptingThrows: undefined as Error | undefined };
  const host: TaskHost = {
    accepting: () => {
      if (state.acceptingThrows !== undefined) throw state.acceptingThrows;
      return state.accepting;
    },
    refused: (name) => log.push(['refused', name]),
    reportError: (source, name, error) => log.push(['error', source, name, error instanceof Error ? `${error.name}: ${error.message}` : error]),
    reportTeardownError: (error) => log.push(['teardown', error instanceof Error ? error.message : error]),
    taskGone: () => log.push(['gone']),
  };
  return { host, log, state };
}

/** An Observable that writes down its subscription and teardown (and whether the tasks were detaching then). */
function watched(name: string, log: unknown[][], tasks?: () => AppTasks): Observable<never> {
  return new Observable<never>(() => {
    log.push(['subscribed', name]);
    return () => log.push(['unsubscribed', name, tasks?.().detaching]);
  });
}

const context = {} as AppContext;

describe('createAppTasks (mutants)', () => {
  describe('spawn', () => {
    it('runs a task under its name, or task#N counting the tasks started; size and names follow', () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      expect([tasks.size, tasks.names()]).toEqual([0, []]);
      tasks.spawn(watched('a', log));
      tasks.spawn(watched('b', log), { name: 'worker' });
      tasks.spawn(watched('c', log), {});
      expect(tasks.size).toBe(3);
      expect(tasks.names()).toEqual(['task#1', 'worker', 'task#3']);
      expect(tasks.names(2)).toEqual(['task#1', 'worker']);
      expect(log).toEqual([
        ['subscribed', 'a'],
        ['subscribed', 'b'],
        ['subscribed', 'c'],
      ]);
    });

    it('returns the task: unsubscribing it ends that one task, and the host hears it is gone', () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      const first = tasks.spawn(watched('a', log, () => tasks));
      tasks.spawn(watched('b', log));
      first.unsubscribe();
      expect(tasks.names()).toEqual(['task#2']);
      expect(log.slice(2)).toEqual([['unsubscribed', 'a', false], ['gone']]);
    });

    it('a task that fails is reported under its name, then gone; one that completes is just gone', () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      tasks.spawn(throwError(() => new RangeError('bad')), { name: 'job' });
      tasks.spawn(of(1));
      expect(log).toEqual([['error', 'task', 'job', 'RangeError: bad'], ['gone'], ['gone']]);
      expect(tasks.size).toBe(0);
    });

    it('a task whose own teardown throws: a teardown error, at spawn and later', () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      const throwsOnTeardown = (sync: boolean) =>
        new Observable<never>((subscriber) => {
          if (sync) subscriber.complete();
          return () => {
            throw new Error(sync ? 'at spawn' : 'later');
          };
        });
      expect(() => tasks.spawn(throwsOnTeardown(true))).not.toThrow();
      const later = tasks.spawn(throwsOnTeardown(false));
      later.unsubscribe();
      // At spawn the teardown's own error; later, RxJS's UnsubscriptionError around it.
      expect(log.filter(([kind]) => kind === 'teardown').map(([, message]) => message)).toEqual(['at spawn', expect.stringContaining('Error: later')]);
    });

    it('once the host refuses: a closed Subscription, the source never subscribed, the refusal named (task#N not counted)', () => {
      const { host, log, state } = standInHost();
      const tasks = createAppTasks(host);
      tasks.spawn(watched('a', log));
      state.accepting = false;
      const refused = tasks.spawn(watched('late', log));
      expect(refused.closed).toBe(true);
      tasks.spawn(watched('later', log));
      tasks.spawn(watched('named', log), { name: 'flush' });
      expect(log).toEqual([['subscribed', 'a'], ['refused', 'task#2'], ['refused', 'task#2'], ['refused', 'flush']]);
      expect(tasks.size).toBe(1);
    });

    it("checks its arguments, naming app.spawn: the task, the options object, its keys, the name", () => {
      const tasks = createAppTasks(standInHost().host);
      expect(() => tasks.spawn(42 as never)).toThrow(new TypeError(`app.spawn: 'task' must be an ObservableInput, got 42`));
      expect(() => tasks.spawn(NEVER, 'job' as never)).toThrow(new TypeError(`app.spawn: 'options' must be an object, got "job"`));
      expect(() => tasks.spawn(NEVER, { name: 'a', timeout: 1 } as never)).toThrow(new TypeError(`app.spawn: unknown option 'timeout' (known: name)`));
      expect(() => tasks.spawn(NEVER, { name: '' })).toThrow(new RangeError(`app.spawn: option 'name' must not be empty`));
      expect(tasks.size).toBe(0);
    });
  });

  describe('startMain', () => {
    it("calls a factory with the app's context and names a single task 'main'", () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      let given: unknown;
      tasks.startMain((app) => {
        given = app;
        return watched('m', log);
      }, context);
      expect(given).toBe(context);
      expect(tasks.names()).toEqual(['main']);
    });

    it("takes an Observable or an array as is: 'main' for one, main[i] for several", () => {
      const { host, log } = standInHost();
      const one = createAppTasks(host);
      one.startMain(watched('m', log), context);
      expect(one.names()).toEqual(['main']);
      const single = createAppTasks(host);
      single.startMain([watched('m', log)], context);
      expect(single.names()).toEqual(['main']);
      const several = createAppTasks(host);
      several.startMain([watched('x', log), watched('y', log)], context);
      expect(several.names()).toEqual(['main[0]', 'main[1]']);
      const none = createAppTasks(host);
      none.startMain([], context);
      expect(none.size).toBe(0);
    });

    it("a factory that throws: main's error, nothing started", () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      tasks.startMain(() => {
        throw new Error('no config');
      }, context);
      expect(log).toEqual([['error', 'main', 'main', 'Error: no config']]);
      expect(tasks.size).toBe(0);
    });

    it('a returned value that is not an ObservableInput: a TypeError as main\'s error, by element; the others still start', () => {
      const { host, log } = standInHost();
      const single = createAppTasks(host);
      single.startMain(() => 5 as never, context);
      expect(log).toEqual([
        ['error', 'main', 'main', 'TypeError: main: returned 5, which is not an ObservableInput (an Observable, a Promise, an iterable) or an array of them'],
      ]);
      log.length = 0;
      const several = createAppTasks(host);
      several.startMain(() => [watched('ok', log), null] as never, context);
      expect(log).toEqual([
        ['subscribed', 'ok'],
        [
          'error',
          'main',
          'main[1]',
          'TypeError: main: returned null as element 1, which is not an ObservableInput (an Observable, a Promise, an iterable) or an array of them',
        ],
      ]);
      expect(several.names()).toEqual(['main[0]']);
    });

    it("a failure while starting a task is main's error under the task's name, and the next still starts", () => {
      const { host, log, state } = standInHost();
      const tasks = createAppTasks(host);
      state.acceptingThrows = new Error('host broke');
      tasks.startMain([NEVER, NEVER], context);
      expect(log).toEqual([
        ['error', 'main', 'main[0]', 'Error: host broke'],
        ['error', 'main', 'main[1]', 'Error: host broke'],
      ]);
    });
  });

  describe('tearDown and detachWhile', () => {
    it('tears every task down once, detaching while it does; the host is not told they are gone', () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      const current = () => tasks;
      tasks.spawn(watched('a', log, current));
      tasks.spawn(watched('b', log, current));
      expect([tasks.tornDown, tasks.detaching]).toEqual([false, false]);
      log.length = 0;
      tasks.tearDown();
      expect(log).toEqual([
        ['unsubscribed', 'a', true],
        ['unsubscribed', 'b', true],
      ]);
      expect([tasks.tornDown, tasks.detaching, tasks.size]).toEqual([true, false, 0]);
      tasks.tearDown();
      expect(log).toHaveLength(2);
    });

    it('a task spawned after the teardown ends at once (and the host is not told it is gone)', () => {
      const { host, log } = standInHost();
      const tasks = createAppTasks(host);
      tasks.tearDown();
      const late = tasks.spawn(watched('late', log, () => tasks));
      expect(late.closed).toBe(true);
      expect(log.filter(([kind]) => kind === 'gone')).toEqual([]);
    });

    it('detachWhile: detaching inside, the outer value back afterwards (nested, or when run throws)', () => {
      const tasks = createAppTasks(standInHost().host);
      const seen: boolean[] = [];
      tasks.detachWhile(() => {
        seen.push(tasks.detaching);
        tasks.detachWhile(() => seen.push(tasks.detaching));
        seen.push(tasks.detaching);
      });
      seen.push(tasks.detaching);
      expect(seen).toEqual([true, true, true, false]);
      expect(() =>
        tasks.detachWhile(() => {
          throw new Error('inside');
        }),
      ).toThrow('inside');
      expect(tasks.detaching).toBe(false);
    });

    it('a task that ends during the teardown of a sibling is still torn down, and detaching then too', () => {
      const { host, log } = standInHost();
      const stop = new Subject<void>();
      const tasks = createAppTasks(host);
      tasks.spawn(new Observable<never>(() => () => stop.next()));
      tasks.spawn(new Observable<never>((subscriber) => {
        const inner = stop.subscribe(() => subscriber.complete());
        return () => {
          inner.unsubscribe();
          log.push(['second torn down', tasks.detaching]);
        };
      }));
      log.length = 0;
      tasks.tearDown();
      expect(log).toEqual([['second torn down', true]]);
    });
  });
});
