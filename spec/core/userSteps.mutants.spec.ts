// app.onShutdown / app.defer over a stand-in step queue, and the executors as steps (internal; issue 9).
import type { Step, StepQueue } from '../../lib/core/stepQueue';
import { createUserSteps, executorSteps } from '../../lib/core/userSteps';
import type { Executor, Phase } from '../../lib/core/types';

function setup(initial: Phase = 'running') {
  const added: Step[] = [];
  let phase: Phase = initial;
  const queue = {
    add: (step: Step) => {
      added.push(step);
      return () => undefined;
    },
    count: (kind: 'hook' | 'finalizer') => added.filter((step) => step.kind === kind).length,
  } as unknown as StepQueue;
  const steps = createUserSteps(queue, () => phase);
  return { steps, added, setPhase: (next: Phase) => (phase = next) };
}

const noop = () => undefined;

describe('userSteps', () => {
  it('adds hooks and finalizers, named hook#N / finalizer#N per kind unless named, with their timeout', () => {
    const { steps, added } = setup();
    steps.onShutdown(noop);
    steps.defer(noop);
    steps.onShutdown(noop, { name: 'flush', timeout: 250 });
    steps.onShutdown(noop, {});
    steps.defer(noop, { timeout: 0 });
    expect(added.map(({ kind, name, timeout }) => ({ kind, name, timeout }))).toEqual([
      { kind: 'hook', name: 'hook#1', timeout: undefined },
      { kind: 'finalizer', name: 'finalizer#1', timeout: undefined },
      { kind: 'hook', name: 'flush', timeout: 250 },
      { kind: 'hook', name: 'hook#3', timeout: undefined },
      { kind: 'finalizer', name: 'finalizer#2', timeout: 0 },
    ]);
    expect(added[0]?.run).toBe(noop);
  });

  it('checks the arguments, naming where and what', () => {
    const { steps, added } = setup();
    expect(() => steps.onShutdown('x' as never)).toThrow(new TypeError("app.onShutdown: 'hook' must be a function, got \"x\""));
    expect(() => steps.defer(5 as never)).toThrow(TypeError);
    expect(() => steps.defer(5 as never)).toThrow(/^app\.defer: 'finalizer' must be a function/);
    expect(() => steps.onShutdown(noop, 3 as never)).toThrow(/^app\.onShutdown: 'options' must be an object/);
    expect(() => steps.defer(noop, { when: 1 } as never)).toThrow(new TypeError("app.defer: unknown option 'when' (known: name, timeout)"));
    expect(() => steps.onShutdown(noop, { name: '' })).toThrow(new RangeError("app.onShutdown: option 'name' must not be empty"));
    expect(() => steps.defer(noop, { timeout: -1 })).toThrow(RangeError);
    expect(() => steps.defer(noop, { timeout: -1 })).toThrow(/^app\.defer: option 'timeout'/);
    expect(added).toEqual([]);
  });

  it.each(['starting', 'running', 'stopping'] as const)('accepts a hook in %s', (phase) => {
    const { steps, added } = setup(phase);
    steps.onShutdown(noop);
    expect(added).toHaveLength(1);
  });

  it.each(['draining', 'finalizing', 'stopped'] as const)('refuses a hook in %s, naming it and the phase', (phase) => {
    const { steps, added } = setup(phase);
    expect(() => steps.onShutdown(noop, { name: 'late' })).toThrow(
      new Error(`app.onShutdown: hook 'late' registered in phase '${phase}'; hooks run in 'stopping' and must be registered before it ends`),
    );
    expect(added).toEqual([]);
  });

  it.each(['starting', 'running', 'stopping', 'draining', 'finalizing'] as const)('accepts a finalizer in %s', (phase) => {
    const { steps, added } = setup(phase);
    steps.defer(noop);
    expect(added.map((step) => step.name)).toEqual(['finalizer#1']);
  });

  it('refuses a finalizer once the app stopped', () => {
    const { steps, added, setPhase } = setup();
    setPhase('stopped');
    expect(() => steps.defer(noop)).toThrow(new Error("app.defer: finalizer 'finalizer#1' registered after the app stopped; it can never run"));
    expect(added).toEqual([]);
  });
});

describe('executorSteps', () => {
  it('closes an executor that has close(), else destroys it', async () => {
    const calls: string[] = [];
    const closing: Executor = { close: () => void calls.push('close') };
    const both = { close: () => void calls.push('both close'), destroy: () => void calls.push('both destroy') } as unknown as Executor;
    const destroying: Executor = { destroy: () => Promise.resolve(calls.push('destroy')) };
    const steps = executorSteps([closing, both, destroying]);
    expect(steps.map(({ kind, timeout }) => ({ kind, timeout }))).toEqual([
      { kind: 'executor', timeout: undefined },
      { kind: 'executor', timeout: undefined },
      { kind: 'executor', timeout: undefined },
    ]);
    for (const step of steps) await step.run();
    expect(calls).toEqual(['close', 'both close', 'destroy']);
  });

  it('names each by its name, else its class and position, else executor#N', () => {
    class Pool {
      close() {}
    }
    const bare = Object.assign(Object.create(null) as object, { destroy: () => undefined }) as Executor;
    const names = executorSteps([
      { name: 'images', close: () => undefined },
      { name: '', destroy: () => undefined },
      new Pool(),
      { destroy: () => undefined },
      bare,
      { name: 42, close: () => undefined } as unknown as Executor,
    ]).map((step) => step.name);
    expect(names).toEqual(['images', 'executor#2', 'Pool#3', 'executor#4', 'executor#5', 'executor#6']);
  });

  it('takes the class name of an executor named empty', () => {
    class Piscina {
      readonly name = '';
      destroy() {}
    }
    expect(executorSteps([new Piscina()]).map((step) => step.name)).toEqual(['Piscina#1']);
  });
});
