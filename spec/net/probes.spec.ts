import { EMPTY, NEVER, defer, of, throwError, type Observable } from 'rxjs';
import { probes, type Probes, type ProbeRequest, type ProbeResponse, NoCurrentAppError, type ProbesConfig } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

/**
 * `probes` in virtual time: `ready$`, the check timeout and polling, and the handler's answers at
 * given frames (with a recording response instead of a socket).
 */
interface Answer {
  readonly at: number;
  readonly status: number;
  readonly headers: Record<string, string | number>;
  readonly body: string | undefined;
}

/** A response that records when and what was answered. */
function recorder(now: () => number): ProbeResponse & { answers: Answer[] } {
  let status = 0;
  let headers: Record<string, string | number> = {};
  const answers: Answer[] = [];
  return {
    headersSent: false,
    answers,
    writeHead(code, given) {
      status = code;
      headers = given;
      (this as { headersSent: boolean }).headersSent = true;
    },
    end(body) {
      answers.push({ at: now(), status, headers, body });
    },
  };
}

const get = (url: string): ProbeRequest => ({ method: 'GET', url });

describe('probes in virtual time', () => {
  it('ready$: false while starting, true once running, false from the SIGTERM on, complete at stopped', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      let health!: Probes;
      const app = runTestApp((ctx) => {
        health = probes({ app: ctx });
        // A hook keeps the app in `stopping` for 3 frames: readiness is already down.
        ctx.onShutdown(() => scheduler.createColdObservable('---|'), { name: 'hold' });
        return NEVER;
      });
      app.port.signal('SIGTERM', 5);
      expectObservable(defer(() => health.ready$)).toBe('t 4ms f 2ms |', { t: true, f: false });
      expectObservable(defer(() => health.live$)).toBe('t 7ms (f|)', { t: true, f: false });
      expectObservable(defer(() => health.started$)).toBe('t 7ms |', { t: true });
    });
  });

  it('ready$ and started$ subscribed while starting replay false, then flip to true at running', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx });
        health.ready$.subscribe((ready) => seen.push(`${scheduler.now()} ready ${ready}`));
        health.started$.subscribe((started) => seen.push(`${scheduler.now()} started ${started}`));
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(seen).toEqual(['0 ready false', '0 started false', '0 ready true', '0 started true', '2 ready false']);
  });

  it('ready$ with a synchronous check, subscribed while starting: false, then true once running (never true then false)', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx, checks: { memory: () => true } });
        health.ready$.subscribe((ready) => seen.push(`${scheduler.now()} ${ready}`));
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(seen).toEqual(['0 false', '0 true', '2 false']);
  });

  it('/startupz 503 then 200 for good; /livez 200 until stopped; /readyz names why it is not ready', () => {
    const scheduler = newScheduler();
    const answers: string[] = [];
    scheduler.run(() => {
      let health!: Probes;
      const ask = (path: string) => {
        const res = recorder(() => scheduler.now());
        health(get(path), res);
        const answer = res.answers[0];
        answers.push(`${answer?.at} ${path} ${answer?.status} ${answer?.body?.trim()}`);
      };
      const app = runTestApp((ctx) => {
        health = probes({ app: ctx });
        ask('/startupz');
        ask('/readyz');
        ask('/livez');
        return NEVER;
      });
      scheduler.schedule(() => ['/startupz', '/readyz', '/livez'].forEach(ask), 1);
      scheduler.schedule(() => ['/startupz', '/readyz', '/livez'].forEach(ask), 3);
      app.port.signal('SIGTERM', 2);
    });
    expect(answers).toEqual([
      '0 /startupz 503 starting',
      '0 /readyz 503 starting',
      '0 /livez 200 ok',
      '1 /startupz 200 ok',
      '1 /readyz 200 ok',
      '1 /livez 200 ok',
      '3 /startupz 200 ok',
      '3 /readyz 503 stopped',
      '3 /livez 503 stopped',
    ]);
  });

  it('ready$ polls the checks every checkInterval: pass, fail (false), timeout, pass again; down at SIGTERM', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const answers: Observable<unknown>[] = [
        cold('---a|'), // passes at 3
        cold('--(f|)', { f: false }), // called at 13: fails at 15
        NEVER, // called at 23: times out at 28
        cold('a|'), // called at 33: passes at once
      ];
      let calls = 0;
      let health!: Probes;
      const app = runTestApp((ctx) => {
        health = probes({ app: ctx, checks: { db: () => answers[calls++] ?? of(true) }, checkTimeout: 5, checkInterval: 10 });
        return NEVER;
      });
      app.port.signal('SIGTERM', 45);
      expectObservable(defer(() => health.ready$)).toBe('f 2ms t 11ms f 17ms t 11ms (f|)', { t: true, f: false });
    });
  });

  it('/readyz: concurrent requests share one run of the checks; a check that does not answer in time fails the probe; SIGTERM answers a waiting request at once', () => {
    const scheduler = newScheduler();
    let calls = 0;
    let slow = false;
    const first = recorder(() => scheduler.now());
    const second = recorder(() => scheduler.now());
    const third = recorder(() => scheduler.now());
    const fourth = recorder(() => scheduler.now());
    scheduler.run(({ cold }) => {
      let health!: Probes;
      const app = runTestApp((ctx) => {
        health = probes({
          app: ctx,
          checks: {
            db: () => {
              calls += 1;
              return cold('-----a|');
            },
            cache: () => (slow ? NEVER : of(true)),
          },
          checkTimeout: 8,
        });
        return NEVER;
      });
      scheduler.schedule(() => health(get('/readyz'), first), 2);
      scheduler.schedule(() => health(get('/readyz?verbose'), second), 4); // joins the run begun at 2
      scheduler.schedule(() => {
        slow = true;
        health(get('/readyz?verbose'), third); // cache never answers: timed out at 18
      }, 10);
      scheduler.schedule(() => health(get('/readyz'), fourth), 25); // would time out at 33
      app.port.signal('SIGTERM', 30);
    });
    expect(calls).toBe(3);
    expect(first.answers).toEqual([{ at: 7, status: 200, headers: expect.objectContaining({ 'cache-control': 'no-store' }) as unknown, body: 'ok\n' }]);
    expect(second.answers).toEqual([expect.objectContaining({ at: 7, status: 200, body: '[+]phase running\n[+]db ok\n[+]cache ok\nreadyz ok\n' })]);
    expect(third.answers).toEqual([
      expect.objectContaining({ at: 18, status: 503, body: '[+]phase running\n[+]db ok\n[-]cache timed out\nreadyz failed\n' }),
    ]);
    expect(fourth.answers).toEqual([expect.objectContaining({ at: 30, status: 503, body: 'shutting down\n' })]);
  });

  it('what passes: any first value but false, or a completion; what fails: false, an error, a throw, a non-ObservableInput', () => {
    const scheduler = newScheduler();
    const res = recorder(() => scheduler.now());
    scheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        const health = probes({
          app: ctx,
          verbose: true,
          checks: {
            undefinedValue: () => undefined,
            zero: () => 0,
            completes: () => EMPTY,
            firstValueOnly: () => cold('(tf|)', { t: true, f: false }),
            observable: of('up'),
            falseValue: () => false,
            falseObservable: of(false),
            errors: () => throwError(() => new RangeError('no route')),
            throws: () => {
              throw new Error('boom');
            },
            notAnInput: () => ({ ok: true }),
          },
        });
        scheduler.schedule(() => health(get('/readyz'), res), 1);
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(res.answers[0]?.status).toBe(503);
    expect(res.answers[0]?.body?.split('\n')).toEqual([
      '[+]phase running',
      '[+]undefinedValue ok',
      '[+]zero ok',
      '[+]completes ok',
      '[+]firstValueOnly ok',
      '[+]observable ok',
      '[-]falseValue failed: answered false',
      '[-]falseObservable failed: answered false',
      '[-]errors failed: RangeError: no route',
      '[-]throws failed: Error: boom',
      expect.stringMatching(/^\[-\]notAnInput failed: TypeError: /) as unknown,
      'readyz failed',
      '',
    ]);
  });
});

/** `probes` checks its arguments at call time, and says so when no app is there to report on. */
const bad = (config: unknown) => () => probes(config as ProbesConfig);

describe('probes validation', () => {
  it('rejects a bad config with a TypeError or RangeError naming the option', () => {
    expect(bad('fast')).toThrow(new TypeError(`probes: 'config' must be an object, got "fast"`));
    expect(bad({ check: {} })).toThrow(/probes: unknown option 'check'/);
    expect(bad({ app: {} })).toThrow(/probes: option 'app' must be the AppContext passed to main/);
    expect(bad({ checks: [] })).toThrow(/probes: option 'checks' must be an object of named checks, got an array/);
    expect(bad({ checks: { db: true } })).toThrow(/probes: check 'db' must be an Observable or a function, got true/);
    expect(bad({ checkTimeout: -1 })).toThrow(RangeError);
    expect(bad({ checkTimeout: '1s' })).toThrow(/probes: option 'checkTimeout' must be a number of ms/);
    expect(bad({ checkInterval: 0 })).toThrow(/probes: option 'checkInterval' must be more than 0 ms/);
    expect(bad({ paths: { ready: 'readyz' } })).toThrow(/probes: option 'paths.ready' must be a path starting with '\/'/);
    expect(bad({ paths: { ready: '/livez' } })).toThrow(/probes: option 'paths' must give three different paths/);
    expect(bad({ paths: { health: '/h' } })).toThrow(/unknown option 'health'/);
    expect(bad({ verbose: 'yes' })).toThrow(/probes: option 'verbose' must be a boolean/);
    expect(bad({ name: 1 })).toThrow(/probes: option 'name' must be a string/);
    expect(bad({ scheduler: {} })).toThrow(/probes: option 'scheduler' must be a SchedulerLike/);
  });

  it('rejects a bad listen argument of serve$ at call time', () => {
    newScheduler().run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx });
        expect(() => health.serve$(70_000)).toThrow(new RangeError(`probes().serve$: 'listen' port must be an integer from 0 to 65535, got 70000`));
        expect(() => health.serve$('9000' as unknown as number)).toThrow(/probes\(\).serve\$: 'listen' must be a port number or net.ListenOptions/);
        expect(() => health.serve$({ port: 9000, path: '/tmp/p.sock' })).toThrow(/needs exactly one of 'port' and 'path'/);
        expect(() => health.serve$({ port: 1.5 })).toThrow(/option 'port' must be an integer/);
        expect(() => health.serve$({ port: 0, signal: undefined } as never)).toThrow(/unknown option 'signal'/);
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
    });
  });

  it('with no app running: created lazily; a request gets 503 "no app running"; ready$ errors with NoCurrentAppError', () => {
    const health = probes({ checks: { db: of(true) } });
    let written: [number, string | undefined] | undefined;
    let status = 0;
    const res: ProbeResponse = {
      headersSent: false,
      writeHead: (code) => (status = code),
      end: (body) => (written = [status, body]),
    };
    expect(health({ method: 'GET', url: '/livez' }, res)).toBe(true);
    expect(written).toEqual([503, 'no app running\n']);
    expect(health({ method: 'GET', url: '/metrics' }, res)).toBe(false);
    let error: unknown;
    health.ready$.subscribe({ error: (caught: unknown) => (error = caught) });
    expect(error).toBeInstanceOf(NoCurrentAppError);
  });

  it('without app while two apps run: throws NoCurrentAppError at once (ambiguous)', () => {
    newScheduler().run(() => {
      const first = runTestApp(NEVER);
      const second = runTestApp(NEVER);
      expect(() => probes()).toThrow(NoCurrentAppError);
      expect(() => probes()).toThrow(/2 apps are running/);
      first.port.signal('SIGTERM', 1);
      second.port.signal('SIGTERM', 1);
    });
  });

  it('created before the app runs, binds to it on first use', () => {
    const scheduler = newScheduler();
    const health = probes();
    const seen: boolean[] = [];
    scheduler.run(() => {
      const app = runTestApp(() => {
        health.live$.subscribe((live) => seen.push(live));
        return NEVER;
      });
      app.port.signal('SIGTERM', 1);
    });
    expect(seen).toEqual([true, false]);
  });
});
