import { NEVER, map, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { AppContext, LifecycleEvent } from 'rxrun';
import { runTestApp } from 'rxrun/testing';
import { collect, newScheduler, outcomeOf } from '../support/lifecycle';

const PHASES = { s: 'starting', r: 'running', q: 'stopping', d: 'draining', f: 'finalizing', x: 'stopped' };
const phasesOf = (events: readonly LifecycleEvent[]) => events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
const ALL_PHASES = ['starting', 'running', 'stopping', 'draining', 'finalizing', 'stopped'];

describe('app.stop', () => {
  let testScheduler: TestScheduler;

  beforeEach(() => {
    testScheduler = newScheduler();
  });

  it('requests a graceful stop with an optional detail', () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp((ctx) => [NEVER, timer(4).pipe(tap(() => ctx.stop('deploy')))]);
      expectObservable(app.phases$).toBe('(sr) (qdfx|)', PHASES);
      expectObservable(app.outcome$.pipe(map((o) => [o.status, o.reason]))).toBe('4ms (o|)', {
        o: ['ok', { kind: 'stop', detail: 'deploy' }],
      });
    });
  });

  it('is idempotent: a second call does not restart shutdown; the first reason wins, the later one is recorded', () => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.onShutdown(() => cold('----|'));
        return [NEVER, timer(2).pipe(tap(() => ctx.stop('first'))), timer(4).pipe(tap(() => ctx.stop('second')))];
      });
      events = collect(app.events$);
    });
    expect(phasesOf(events)).toEqual(ALL_PHASES);
    expect(outcomeOf(events)).toMatchObject({
      reason: { kind: 'stop', detail: 'first' },
      laterReasons: [{ kind: 'stop', detail: 'second' }],
      shutdownMs: 4,
    });
  });

  it('works when called while starting (inside main)', () => {
    testScheduler.run(({ expectObservable }) => {
      const app = runTestApp((ctx) => {
        ctx.stop();
        return NEVER;
      });
      expectObservable(app.phases$).toBe('(srqdfx|)', PHASES);
    });
  });

  // aiorun issue #91: stop() during shutdown must neither hang nor restart shutdown.
  it.each([
    ['a shutdown hook', 'hook'],
    ['a finalizer', 'finalizer'],
    ['a shutdown$ subscriber', 'shutdown$'],
    ['an app.signal abort listener', 'signal'],
  ])('is safe from inside %s', (_, where) => {
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        if (where === 'hook') ctx.onShutdown(() => (ctx.stop('again'), cold('--|')));
        if (where === 'finalizer') ctx.defer(() => (ctx.stop('again'), cold('--|')));
        if (where === 'shutdown$') ctx.shutdown$.subscribe(() => ctx.stop('again'));
        if (where === 'signal') ctx.signal.addEventListener('abort', () => ctx.stop('again'));
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 3);
    });
    expect(phasesOf(events)).toEqual(ALL_PHASES);
    expect(outcomeOf(events)).toMatchObject({
      status: 'ok',
      reason: { kind: 'signal', signal: 'SIGTERM' },
      laterReasons: [{ kind: 'stop', detail: 'again' }],
    });
  });

  it('is a no-op after stopped', () => {
    let ctx: AppContext | undefined;
    let events: LifecycleEvent[] = [];
    testScheduler.run(() => {
      const app = runTestApp((c) => {
        ctx = c;
        return NEVER;
      });
      events = collect(app.events$);
      app.port.signal('SIGTERM', 1);
    });
    const before = events.length;
    expect(() => ctx?.stop()).not.toThrow();
    expect(events.length).toBe(before);
    expect(outcomeOf(events).laterReasons).toEqual([]);
  });

  it('is safe in every phase', () => {
    const seen: string[] = [];
    let events: LifecycleEvent[] = [];
    testScheduler.run(({ cold }) => {
      const app = runTestApp((ctx) => {
        ctx.stop('starting');
        ctx.onShutdown(() => (ctx.stop('stopping'), cold('-|')));
        ctx.defer(() => (ctx.stop('finalizing'), cold('-|')));
        ctx.events$.subscribe((e) => {
          if (e.type === 'phase' && e.phase === 'draining') ctx.stop('draining');
          if (e.type === 'phase') seen.push(e.phase);
        });
        return NEVER;
      });
      events = collect(app.events$);
    });
    expect(seen).toEqual(['running', 'stopping', 'draining', 'finalizing', 'stopped']);
    expect(outcomeOf(events)).toMatchObject({
      status: 'ok',
      reason: { kind: 'stop', detail: 'starting' },
      laterReasons: ['stopping', 'draining', 'finalizing'].map((detail) => ({ kind: 'stop', detail })),
    });
  });
});
