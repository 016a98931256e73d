import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EMPTY, NEVER, Observable, defer, throwError } from 'rxjs';
import { taskGroup } from 'rxrun';

/** Node's `gc()`, made available without a command-line flag. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('taskGroup at scale', () => {
  it('10,000 spawn/complete cycles in a long-lived group leave no ended child reachable', async () => {
    const gc = exposeGc();
    const group = taskGroup({ mode: 'persistent', onError: () => undefined });
    group.done$.subscribe();
    const refs: WeakRef<object>[] = [];
    let results = 0;
    let events = 0;
    group.results$.subscribe(() => (results += 1));
    group.events$.subscribe(() => (events += 1));
    for (let i = 0; i < 10_000; i += 1) {
      // Every child is a fresh object: if the group kept it (or its subscription), its WeakRef would stay alive.
      const task = i % 2 === 0 ? defer(() => EMPTY) : defer(() => throwError(() => new Error(`#${i}`)));
      refs.push(new WeakRef(task));
      group.spawn(task);
    }
    expect(group.size).toBe(0);
    expect(events).toBe(20_000);
    await tick();
    gc();
    await tick();
    gc();
    expect(refs.filter((ref) => ref.deref() !== undefined).length).toBe(0);
    expect(group.state).toBe('running');
  });

  it('cancel() of 20,000 queued children cancels each once, in spawn order, and subscribes none', () => {
    const group = taskGroup();
    let subscribed = 0;
    const source = new Observable<never>(() => {
      subscribed += 1;
    });
    for (let i = 0; i < 20_000; i += 1) group.spawn(source, { name: `c${i}` });
    const cancelled: string[] = [];
    group.events$.subscribe((e) => cancelled.push(`${e.type}:${e.name}`));
    group.cancel();
    expect(subscribed).toBe(0);
    expect(cancelled).toHaveLength(20_000);
    expect(cancelled[0]).toBe('cancelled:c0');
    expect(cancelled[19_999]).toBe('cancelled:c19999');
  });

  it('a fail-fast group whose first queued child fails at start cancels 20,000 queued siblings before they start', () => {
    const group = taskGroup();
    let subscribed = 0;
    group.spawn(throwError(() => new Error('first')), { name: 'first' });
    for (let i = 0; i < 20_000; i += 1) group.spawn(defer(() => { subscribed += 1; return NEVER; }));
    let failed: unknown;
    group.done$.subscribe({ error: (error: unknown) => (failed = error) });
    expect(subscribed).toBe(0);
    expect((failed as AggregateError).errors).toHaveLength(1);
  });
});
