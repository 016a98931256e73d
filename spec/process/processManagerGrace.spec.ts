/**
 * PM2 SIGKILLs an app `kill_timeout` ms (default 1600) after asking it to stop, while rxrun's default
 * budget is 25 s. Under PM2 (what pm2 7 puts in the child's environment: `pm_id`, `exec_mode`, and
 * `kill_timeout` only when the app sets one) the app warns at start when its budget is longer: a
 * `budget-exceeds-grace` event and a warning line, never a throw.
 */
import { NEVER } from 'rxjs';
import { runApp$, type LifecycleEvent } from 'rxrun';
import { createTestProcess, runTestApp } from 'rxrun/testing';
import { processManagerGrace } from '../../lib/process/processManagerGrace';
import { collect, newScheduler } from '../support/lifecycle';

const FORK = { pm_id: '0', exec_mode: 'fork_mode' };
const CLUSTER = { pm_id: '3', exec_mode: 'cluster_mode' };

function envOf(values: Record<string, string>): (name: string) => string | undefined {
  return (name) => values[name];
}

describe('processManagerGrace (what pm2 7 tells its child)', () => {
  it.each([
    ['fork mode, no kill_timeout: PM2\'s default', FORK, { graceMs: 1600, setting: 'default' }],
    ['cluster mode, kill_timeout 5000', { ...CLUSTER, kill_timeout: '5000' }, { graceMs: 5000, setting: 'kill_timeout' }],
    ['the daemon\'s PM2_KILL_TIMEOUT when the app sets none', { ...FORK, PM2_KILL_TIMEOUT: '8000' }, { graceMs: 8000, setting: 'PM2_KILL_TIMEOUT' }],
    ['the app\'s kill_timeout over PM2_KILL_TIMEOUT', { ...FORK, kill_timeout: '3000', PM2_KILL_TIMEOUT: '8000' }, { graceMs: 3000, setting: 'kill_timeout' }],
    ['kill_timeout 0 means PM2\'s default (PM2 tests it for truthiness)', { ...FORK, kill_timeout: '0' }, { graceMs: 1600, setting: 'default' }],
    ['a kill_timeout that is no number: PM2\'s default assumed', { ...FORK, kill_timeout: 'soon' }, { graceMs: 1600, setting: 'default' }],
  ] as const)('%s', (_label, env, expected) => {
    expect(processManagerGrace(envOf(env))).toEqual({ manager: 'pm2', ...expected });
  });

  it.each([
    ['no pm_id', { exec_mode: 'fork_mode', kill_timeout: '100' }],
    ['no exec_mode', { pm_id: '0' }],
    ['an exec_mode PM2 does not set', { pm_id: '0', exec_mode: 'fork' }],
    ['a pm_id that is no id', { pm_id: 'x', exec_mode: 'fork_mode' }],
    ['an empty environment', {}],
  ])('not under PM2: %s', (_label, env) => {
    expect(processManagerGrace(envOf(env))).toBeUndefined();
  });
});

describe('the budget-exceeds-grace warning (test port)', () => {
  function eventsWith(env: Record<string, string> | undefined, shutdownTimeout?: number): { events: LifecycleEvent[]; lines: readonly string[] } {
    let events: LifecycleEvent[] = [];
    const port = createTestProcess(env === undefined ? {} : { env });
    newScheduler().run(() => {
      events = collect(runApp$(() => NEVER, { process: port, ...(shutdownTimeout === undefined ? {} : { shutdownTimeout }) }));
      port.signal('SIGTERM', 1);
    });
    return { events, lines: port.lines };
  }

  it("under PM2 with its default grace: an event at start (after main, before running) and a warning line", () => {
    const { events, lines } = eventsWith(FORK);
    expect(events.slice(0, 3)).toEqual([
      { type: 'phase', phase: 'starting', at: 0 },
      { type: 'budget-exceeds-grace', manager: 'pm2', graceMs: 1600, setting: 'default', budgetMs: 25_000, at: 0 },
      { type: 'phase', phase: 'running', at: 0 },
    ]);
    expect(lines).toContain(
      "rxrun: shutdownTimeout 25000 ms exceeds PM2's kill_timeout 1600 ms (PM2's default): PM2 kills the app (SIGKILL) 1600 ms after asking it to stop; set kill_timeout above 25000 ms or lower shutdownTimeout",
    );
    // A warning, not a failure: the app runs and stops as usual.
    expect(events[events.length - 1]).toMatchObject({ type: 'stopped', outcome: { status: 'ok', errors: [] } });
  });

  it("names the app's own kill_timeout", () => {
    const { events, lines } = eventsWith({ ...CLUSTER, kill_timeout: '5000' }, 6000);
    expect(events.filter((event) => event.type === 'budget-exceeds-grace')).toEqual([
      { type: 'budget-exceeds-grace', manager: 'pm2', graceMs: 5000, setting: 'kill_timeout', budgetMs: 6000, at: 0 },
    ]);
    expect(lines.some((line) => line.includes("kill_timeout 5000 ms (the app's kill_timeout)"))).toBe(true);
  });

  it.each([
    ['the budget is below kill_timeout', { ...FORK, kill_timeout: '30000' }, undefined],
    ['the budget equals kill_timeout', { ...FORK, kill_timeout: '25000' }, undefined],
    ['a budget below PM2\'s default', FORK, 1500],
    ['not under PM2', {}, undefined],
    ['the test port has no env given', undefined, undefined],
  ] as const)('no warning when %s', (_label, env, shutdownTimeout) => {
    const { events, lines } = eventsWith(env, shutdownTimeout);
    expect(events.map((event) => event.type)).not.toContain('budget-exceeds-grace');
    expect(lines.filter((line) => line.includes('kill_timeout'))).toEqual([]);
  });

  it("a port without env() (a user's own port) is fine", () => {
    const base = createTestProcess();
    const { env: _env, ...withoutEnv } = base;
    void _env;
    let events: LifecycleEvent[] = [];
    newScheduler().run(() => {
      events = collect(runTestApp(() => NEVER, { process: { ...withoutEnv, signal: base.signal } as never }).events$);
      base.signal('SIGTERM', 1);
    });
    expect(events.map((event) => event.type)).not.toContain('budget-exceeds-grace');
  });

  it('createTestProcess validates env', () => {
    expect(() => createTestProcess({ env: 'pm_id=0' as never })).toThrow(TypeError);
    expect(() => createTestProcess({ env: { pm_id: 0 } as never })).toThrow(/'env.pm_id' must be a string/);
    expect(createTestProcess({ env: { pm_id: '0' } }).env?.('pm_id')).toBe('0');
    expect(createTestProcess({ env: { pm_id: '0' } }).env?.('toString')).toBeUndefined();
  });
});
