/**
 * `probes` in virtual time: `ready$`, the check timeout and polling, and the handler's answers at
 * given frames (with a recording response instead of a socket).
 */
import { EMPTY, NEVER, defer, of, throwError, type Observable } from 'rxjs';
import { probes, type Probes, type ProbeRequest, type ProbeResponse } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

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
