/** `probes` checks its arguments at call time, and says so when no app is there to report on. */
import { NEVER, of } from 'rxjs';
import { NoCurrentAppError, probes, type ProbeResponse, type ProbesConfig } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { newScheduler } from '../support/lifecycle';

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
