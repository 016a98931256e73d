/**
 * `probes` at its edges (an adversarial review): subscribers after `stopped`, checks that answer in
 * odd ways, an app that never started, polling after the end.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import { NEVER, concat, filter, finalize, lastValueFrom, map, of, tap, throwError } from 'rxjs';
import {
  probes, realProcessPort, runApp$, type AppContext, type AppOutcome, type LifecycleEvent, type ProcessPort, type Probes, type ProbeRequest, type ProbeResponse,
} from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';
import { withOwnTimers } from '../support/ownTimers';

/** A response that records `<status> <body>` strings. */
function recorder(): ProbeResponse & { answers: string[] } {
  let status = 0;
  const answers: string[] = [];
  return {
    headersSent: false,
    answers,
    writeHead: (code) => (status = code),
    end: (body) => answers.push(`${status} ${body ?? ''}`),
  };
}

const get = (url: string): ProbeRequest => ({ method: 'GET', url });

describe('probes at the edges', () => {
  it('ready$, live$ and started$ subscribed after stopped replay the final state (false, false, true), then complete', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      let health!: Probes;
      const app = runTestApp((ctx) => {
        health = probes({ app: ctx });
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
      // Subscribed at frame 5, long after `stopped` (frame 2).
      expectObservable(health.ready$, '-----^').toBe('-----(f|)', { f: false });
      expectObservable(health.live$, '-----^').toBe('-----(f|)', { f: false });
      expectObservable(health.started$, '-----^').toBe('-----(t|)', { t: true });
    });
  });

  it('created for an app that already stopped: ready$ and live$ say false, a request says stopped', () => {
    const scheduler = newScheduler();
    const res = recorder();
    const seen: string[] = [];
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        scheduler.schedule(() => {
          const health = probes({ app: ctx });
          health(get('/livez'), res);
          health.ready$.subscribe({ next: (ready) => seen.push(`ready ${ready}`), complete: () => seen.push('ready |') });
          health.live$.subscribe({ next: (live) => seen.push(`live ${live}`), complete: () => seen.push('live |') });
        }, 5);
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(res.answers).toEqual(['503 stopped\n']);
    expect(seen).toEqual(['ready false', 'ready |', 'live false', 'live |']);
  });

  it('a check that rejects with undefined (or null) fails as an error, not as "answered false"', () => {
    const scheduler = newScheduler();
    const res = recorder();
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({
          app: ctx,
          verbose: true,
          checks: { rejectsUndefined: () => throwError(() => undefined), rejectsNull: () => throwError(() => null) },
        });
        scheduler.schedule(() => health(get('/readyz'), res), 1);
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(res.answers).toEqual(['503 [+]phase running\n[-]rejectsUndefined failed: a value of type undefined\n[-]rejectsNull failed: null\nreadyz failed\n']);
  });

  it('a check function that returns a function (forgot to call it) fails with a TypeError naming the check', () => {
    const scheduler = newScheduler();
    const res = recorder();
    const ping = () => true;
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx, verbose: true, checks: { db: () => ping } });
        scheduler.schedule(() => health(get('/readyz'), res), 1);
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(res.answers).toEqual([
      "503 [+]phase running\n[-]db failed: TypeError: probes: check 'db' returned a function, not an answer (call it in the check?)\nreadyz failed\n",
    ]);
  });

  it('a check that emits then never completes passes, and is unsubscribed after its first value', () => {
    const scheduler = newScheduler();
    const res = recorder();
    let unsubscribed = 0;
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx, checks: { stream: () => concat(of(true), NEVER).pipe(finalize(() => (unsubscribed += 1))) } });
        scheduler.schedule(() => health(get('/readyz'), res), 1);
        return NEVER;
      });
      app.port.signal('SIGTERM', 3);
    });
    expect(res.answers).toEqual(['200 ok\n']);
    expect(unsubscribed).toBe(1);
  });

  it('an app whose start failed: /readyz and /startupz say "shutting down", not "starting", while it stops', () => {
    const scheduler = newScheduler();
    const answers: string[] = [];
    scheduler.run(() => {
      runTestApp((ctx) => {
        const health = probes({ app: ctx });
        ctx.onShutdown(() => scheduler.createColdObservable('---|'), { name: 'hold' });
        scheduler.schedule(() => {
          for (const path of ['/readyz', '/startupz', '/livez']) {
            const res = recorder();
            health(get(path), res);
            answers.push(`${path} ${res.answers.join('')}`);
          }
        }, 1);
        throw new Error('no config');
      });
    });
    expect(answers).toEqual(['/readyz 503 shutting down\n', '/startupz 503 shutting down\n', '/livez 200 ok\n']);
  });

  it('reads the absolute-form request target (`GET http://host/readyz`, via a proxy); paths match exactly otherwise', () => {
    const scheduler = newScheduler();
    const answers: string[] = [];
    const handled: boolean[] = [];
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx });
        scheduler.schedule(() => {
          for (const request of [
            { method: 'HEAD', url: 'http://10.0.0.5:9000/readyz?verbose' },
            { method: 'GET', url: 'HTTPS://[::1]:9000/livez' },
            { method: 'GET', url: '/readyz/' },
            { method: 'GET', url: 'http://10.0.0.5:9000/readyz/x' },
            { method: 'GET', url: undefined },
          ]) {
            const res = recorder();
            handled.push(health(request, res));
            answers.push(...res.answers);
          }
        }, 1);
        return NEVER;
      });
      app.port.signal('SIGTERM', 2);
    });
    expect(handled).toEqual([true, true, false, false, false]);
    expect(answers).toEqual(['200 ', '200 ok\n']);
  });

  it('created without an app: once the app it reported on stopped, it follows the next app that runs', () => {
    const health = probes(); // module level: no app yet
    const answers: string[] = [];
    const ask = (label: string) => {
      const res = recorder();
      health(get('/livez'), res);
      answers.push(`${label} ${res.answers.join('')}`);
    };
    for (const run of ['first', 'second']) {
      const scheduler = newScheduler();
      scheduler.run(() => {
        const app = runTestApp(() => {
          scheduler.schedule(() => ask(run), 1);
          return NEVER;
        });
        app.port.signal('SIGTERM', 2);
      });
      ask(`after ${run}`);
    }
    expect(answers).toEqual(['first 200 ok\n', 'after first 503 stopped\n', 'second 200 ok\n', 'after second 503 stopped\n']);
  });

  it('polling stops with the app: a ready$ subscriber kept past stopped runs no more checks', () => {
    const scheduler = newScheduler();
    let calls = 0;
    let completed = false;
    scheduler.run(() => {
      const app = runTestApp((ctx) => {
        const health = probes({ app: ctx, checks: { db: () => ((calls += 1), true) }, checkInterval: 10 });
        health.ready$.subscribe({ complete: () => (completed = true) });
        return NEVER;
      });
      app.port.signal('SIGTERM', 25);
      // Frames run on to 200: a leaked interval would keep calling the check.
      scheduler.schedule(() => undefined, 200);
    });
    expect(calls).toBe(3); // at 0, 10 and 20
    expect(completed).toBe(true);
  });
});

/** A promise plus its resolver. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** A GET through `agent` (keep-alive or not); resolves with status and body. */
function request(url: string, agent: http.Agent | false): Promise<{ status: number; body: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket as net.Socket }));
    });
    req.on('error', reject);
  });
}

/**
 * Runs `main` with the real process port (so `openHandles` is real) and no signal listeners; call it
 * inside `withOwnTimers` (Jest's reporter runs in this process, in band: its timers are not the app's).
 */
function run(port: ProcessPort, main: (app: AppContext) => unknown): { events: LifecycleEvent[]; outcome: Promise<AppOutcome> } {
  const events: LifecycleEvent[] = [];
  const outcome = lastValueFrom(
    runApp$(main as never, { process: port, signals: [], ipcShutdown: false, logger: false }).pipe(
      tap((event) => events.push(event)),
      filter((event) => event.type === 'stopped'),
      map((event) => (event as Extract<LifecycleEvent, { type: 'stopped' }>).outcome),
    ),
  );
  return { events, outcome };
}

describe('probes over real sockets, at the edges', () => {
  it('two probe servers with keep-alive clients idle on them: both close in finalizing, no handle left', () => withOwnTimers(async (port) => {
    const urls = [deferred<string>(), deferred<string>()];
    let app!: AppContext;
    const { outcome } = run(port, (ctx) => {
      app = ctx;
      const health = probes({ app: ctx });
      ctx.spawn(health.serve$(0).pipe(tap(({ url }) => urls[0]?.resolve(url))));
      ctx.spawn(probes({ app: ctx, name: 'probes-2' }).serve$({ port: 0 }).pipe(tap(({ url }) => urls[1]?.resolve(url))));
      return NEVER;
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets: net.Socket[] = [];
      for (const url of await Promise.all(urls.map((entry) => entry.promise))) {
        const first = await request(`${url}/readyz?x=1`, agent);
        const again = await request(`${url}/livez`, agent);
        expect([first.status, again.status]).toEqual([200, 200]);
        expect(again.socket).toBe(first.socket); // the same kept-alive connection, idle now
        sockets.push(first.socket);
      }
      const closed = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      app.stop();
      const result = await outcome;
      expect(result.status).toBe('ok');
      expect(result.errors).toEqual([]);
      expect(result.openHandles).toEqual([]);
      await Promise.all(closed);
    } finally {
      agent.destroy();
    }
  }));

  it('a client that gives up while its /readyz waits on a slow check: no error, the server keeps answering', () => withOwnTimers(async (port) => {
    const listening = deferred<string>();
    const checkCalled = deferred();
    let answer: (() => void) | undefined;
    let calls = 0;
    let app!: AppContext;
    const { outcome } = run(port, (ctx) => {
      app = ctx;
      const health = probes({
        app: ctx,
        checks: {
          slow: () => {
            calls += 1;
            if (calls > 1) return true;
            checkCalled.resolve();
            return new Promise<void>((resolve) => (answer = resolve));
          },
        },
        checkTimeout: 60_000,
      });
      ctx.spawn(health.serve$(0).pipe(tap(({ url }) => listening.resolve(url))));
      return NEVER;
    });
    const url = await listening.promise;
    const gaveUp = new Promise<void>((resolve) => {
      const req = http.get(`${url}/readyz`, { agent: false });
      req.on('error', () => resolve());
      void checkCalled.promise.then(() => req.destroy());
    });
    await gaveUp;
    answer?.(); // the run ends after its only client left: the answer goes to a closed socket
    expect((await request(`${url}/readyz`, false)).status).toBe(200);
    app.stop();
    const result = await outcome;
    expect(result.status).toBe('ok');
    expect(result.errors).toEqual([]);
    expect(result.openHandles).toEqual([]);
  }));
});

describe('probes with an abandoned app', () => {
  it('unsubscribing runApp$ while running: the probe server closes, /livez says stopped, ready$ and live$ end false', async () => {
    const listening = deferred<{ server: http.Server; url: string }>();
    let health!: Probes;
    const seen: string[] = [];
    const subscription = runApp$(
      (ctx) => {
        health = probes({ app: ctx });
        health.ready$.subscribe({ next: (ready) => seen.push(`ready ${ready}`), complete: () => seen.push('ready |') });
        ctx.spawn(health.serve$(0).pipe(tap(listening.resolve)));
        return NEVER;
      },
      { process: realProcessPort(), signals: [], ipcShutdown: false, logger: false },
    ).subscribe();
    const { server, url } = await listening.promise;
    expect((await request(`${url}/livez`, false)).status).toBe(200);

    const closed = new Promise((resolve) => server.once('close', resolve));
    subscription.unsubscribe();
    await closed;
    await expect(request(`${url}/livez`, false)).rejects.toThrow(/ECONNREFUSED/);
    const res = recorder();
    health(get('/livez'), res);
    expect(res.answers).toEqual(['503 stopped\n']);
    expect(seen).toEqual(['ready false', 'ready true', 'ready false', 'ready |']);
    const live: boolean[] = [];
    health.live$.subscribe((value) => live.push(value));
    expect(live).toEqual([false]);
  });
});
