import type { ObservableInput } from 'rxjs';
import type { Step, StepQueue } from './stepQueue.js';
import type { Executor, Phase, StepOptions } from './types.js';
import { checkDuration, checkFunction, checkKnownKeys, checkName, checkObject } from './validate.js';

/** `app.onShutdown` and `app.defer` (internal). */
export interface UserSteps {
  readonly onShutdown: (hook: () => ObservableInput<unknown> | void, options?: StepOptions) => void;
  readonly defer: (finalizer: () => ObservableInput<unknown> | void, options?: StepOptions) => void;
}

/**
 * `app.onShutdown` and `app.defer` over the app's step queue (internal): each checks its arguments,
 * names the step (`hook#N`, `finalizer#N` by default), and refuses a step that could never run: a
 * hook once `stopping` is over, a finalizer once the app stopped.
 */
export function createUserSteps(steps: StepQueue, phase: () => Phase): UserSteps {
  function userStep(where: string, kind: 'hook' | 'finalizer', run: unknown, options: unknown): Step {
    checkFunction(where, kind, run);
    const config = checkObject(where, 'options', options);
    checkKnownKeys(where, config, ['name', 'timeout']);
    const name = checkName(where, 'name', config['name']) ?? `${kind}#${steps.count(kind) + 1}`;
    const timeout = checkDuration(where, 'timeout', config['timeout']);
    return { kind, name, run: run as Step['run'], timeout };
  }

  return {
    onShutdown: (hook, options) => {
      const step = userStep('app.onShutdown', 'hook', hook, options);
      const now = phase();
      if (now !== 'starting' && now !== 'running' && now !== 'stopping') {
        throw new Error(`app.onShutdown: hook '${step.name}' registered in phase '${now}'; hooks run in 'stopping' and must be registered before it ends`);
      }
      steps.add(step);
    },
    defer: (finalizer, options) => {
      const step = userStep('app.defer', 'finalizer', finalizer, options);
      if (phase() === 'stopped') {
        throw new Error(`app.defer: finalizer '${step.name}' registered after the app stopped; it can never run`);
      }
      steps.add(step);
    },
  };
}

/**
 * The `executors` option as finalizing steps (internal): `close()` when the executor has one (a
 * Piscina pool's graceful close), else `destroy()`; named by its `name`, its class, or its position.
 */
export function executorSteps(executors: readonly Executor[]): Step[] {
  return executors.map((executor, index) => ({
    kind: 'executor',
    name: executorName(executor, index),
    run: () => ('close' in executor ? executor.close() : executor.destroy()) as ObservableInput<unknown> | void,
    timeout: undefined,
  }));
}

function executorName(executor: object, index: number): string {
  const named = (executor as { name?: unknown }).name;
  if (typeof named === 'string' && named !== '') return named;
  const constructorName = executor.constructor?.name;
  return constructorName && constructorName !== 'Object' ? `${constructorName}#${index + 1}` : `executor#${index + 1}`;
}
