import { StepTimeoutError, type AppOutcome, type LifecycleEvent, type PendingItem, type Phase, type ShutdownReason } from 'rxrun';
import type { LogEntry, ScenarioError, ScenarioRun, StepKind } from './runScenario';

/**
 * The invariants of the shutdown state machine, checked against one recorded run. Each check throws
 * an `InvariantError` naming the invariant; fast-check then shrinks the scenario and prints it with
 * its seed.
 */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

const PHASE_ORDER: readonly Phase[] = ['starting', 'running', 'stopping', 'draining', 'finalizing', 'stopped'];
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']; // the Linux defaults the test port gets
const COALESCE_WINDOW = 250; // DESIGN §3 default
const DEFAULT_BUDGET = 25_000;

type Stopped = Extract<LifecycleEvent, { type: 'stopped' }>;

/** What the timeline says the requests were: the first is the reason, the rest `laterReasons`. */
export interface ExpectedRequests {
  readonly reason: ShutdownReason | undefined;
  readonly later: readonly ShutdownReason[];
  /** A force signal arrived (not coalesced) after the reason was latched. */
  readonly forced: boolean;
}

/**
 * A model of how requests reach the app, fed with what actually happened in scheduler order (so
 * same-frame ties are decided by the run, not guessed). Rules (DESIGN §2–§4):
 * - a signal the app listens for is coalesced when the same signal was *accepted* less than 250 ms
 *   before; a force signal (default SIGINT) after the reason was latched forces an immediate stop;
 * - `{type:'shutdown'}` and `'shutdown'` IPC messages request; other messages do nothing;
 * - `app.stop()` always requests (from outside or from a hook/finalizer, at any phase);
 * - errors of work (task, protected, uncaughtException, unhandledRejection) request only under
 *   `onTaskError: 'shutdown'`; hook, finalizer and teardown errors never request;
 * - under `until: 'main-complete'`, the last task ending on its own requests `main-complete`, after
 *   the error that ended it (an errored app stopped because of the error, not because main completed);
 *   tasks that ended while `starting` (or no tasks at all) request it as soon as the app is `running`;
 * - nothing counts after `stopped`.
 */
export function expectedRequests(run: ScenarioRun): ExpectedRequests {
  const { scenario } = run;
  const policy = scenario.onTaskError ?? 'shutdown';
  const until = scenario.until ?? 'shutdown';
  const forceSignals = scenario.forceSignals ?? ['SIGINT'];
  let reason: ShutdownReason | undefined;
  const later: ShutdownReason[] = [];
  let forced = false;
  const lastAccepted = new Map<NodeJS.Signals, number>();
  const request = (r: ShutdownReason) => {
    if (reason === undefined) reason = r;
    else later.push(r);
  };
  let ended = 0;
  let running = false;
  // Past `running` (a phase marker or event says so): the runtime asks for main-complete only while running.
  let pastRunning = false;
  const taskCount = run.taskNames.length;
  const mainComplete = () => {
    if (until === 'main-complete' && running && !pastRunning && ended === taskCount) request({ kind: 'main-complete' });
  };
  let stoppedSeen = false;
  for (const entry of run.log) {
    if (entry.t === 'event' && entry.event.type === 'stopped') break;
    // Once the app is stopped, what user code does requests nothing; the queued events still count.
    if (entry.t === 'phase-marker' && entry.phase === 'stopped') stoppedSeen = true;
    if (stoppedSeen && entry.t !== 'event') continue;
    switch (entry.t) {
      case 'phase-marker':
        if (entry.phase !== 'starting' && entry.phase !== 'running') pastRunning = true;
        break;
      case 'event':
        if (entry.event.type === 'phase' && entry.event.phase !== 'starting' && entry.event.phase !== 'running') pastRunning = true;
        // Tasks that ended while starting count once the app is running (start() checks right after
        // delivering `running`, so after what a listener of it did).
        if (entry.event.type === 'phase' && entry.event.phase === 'running') {
          running = true;
          // start(): a reason latched while starting begins the shutdown instead.
          if (reason === undefined) mainComplete();
        }
        break;
      case 'signal': {
        if (!SIGNALS.includes(entry.signal)) break;
        const last = lastAccepted.get(entry.signal);
        if (last !== undefined && entry.at - last < COALESCE_WINDOW) break;
        lastAccepted.set(entry.signal, entry.at);
        const r: ShutdownReason = { kind: 'signal', signal: entry.signal };
        if (reason !== undefined && forceSignals.includes(entry.signal)) {
          later.push(r);
          forced = true;
        } else request(r);
        break;
      }
      case 'message': {
        const m = entry.message as { type?: unknown } | string;
        if (m === 'shutdown' || (typeof m === 'object' && m.type === 'shutdown')) request({ kind: 'message', message: entry.message });
        break;
      }
      case 'stop':
        request({ kind: 'stop', detail: entry.detail });
        break;
      case 'raise': {
        const source = entry.error.source;
        const isWork = source === 'task' || source === 'protected' || source === 'uncaughtException' || source === 'unhandledRejection';
        if (isWork && policy === 'shutdown') request({ kind: 'error', error: entry.error });
        break;
      }
      case 'task-end':
        // A task's error is reported before the task is removed; under 'shutdown' that request moves the app
        // past running first, so a failed task never counts toward main-complete (even when the request is a
        // later one, heard by a listener that ends the other tasks inside its delivery).
        if (entry.failed && policy === 'shutdown') break;
        ended += 1;
        mainComplete();
        break;
      default:
        break;
    }
  }
  return { reason, later, forced };
}

function sameReason(a: ShutdownReason | undefined, b: ShutdownReason | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'signal':
      return a.signal === (b as typeof a).signal;
    case 'message':
      return Object.is(a.message, (b as typeof a).message);
    case 'stop':
      return Object.is(a.detail, (b as typeof a).detail);
    case 'error':
      return Object.is(a.error, (b as typeof a).error);
    case 'main-complete':
    case 'disconnect':
      return true;
  }
}

function showReason(r: ShutdownReason | undefined): string {
  if (r === undefined) return 'undefined';
  switch (r.kind) {
    case 'signal':
      return r.signal;
    case 'message':
      return `message ${JSON.stringify(r.message)}`;
    case 'stop':
      return `stop ${JSON.stringify(r.detail)}`;
    case 'error':
      return `error ${r.error instanceof Error ? r.error.message : String(r.error)}`;
    case 'main-complete':
      return 'main-complete';
    case 'disconnect':
      return 'disconnect';
  }
}

function showEntry(entry: LogEntry): string {
  switch (entry.t) {
    case 'event': {
      const e = entry.event;
      const extra =
        e.type === 'phase' ? e.phase
        : e.type === 'shutdown-requested' ? `${showReason(e.reason)}${e.first ? '' : ' (later)'}`
        : e.type === 'stopped' ? e.outcome.status
        : e.type === 'error' ? `${e.record.source}:${e.record.name ?? ''}`
        : 'name' in e ? e.name
        : e.type === 'timeout' || e.type === 'forced' ? `${e.report.phase} ${e.report.pending.map((p) => `${p.kind}:${p.name}:${p.state}`).join(',')}`
        : '';
      return `@${e.at} [${e.type}] ${extra}`;
    }
    case 'raise':
      return `@${entry.at} raise ${entry.error.message}`;
    case 'signal':
      return `@${entry.at} signal ${entry.signal}`;
    case 'message':
      return `@${entry.at} message ${JSON.stringify(entry.message)}`;
    case 'stop':
      return `@${entry.at} stop ${JSON.stringify(entry.detail)}`;
    case 'step-start':
    case 'step-end':
      return `@${entry.at} ${entry.t} ${entry.kind} ${entry.name}`;
    case 'phase-marker':
      return `@${entry.at} (phase ${entry.phase})`;
    case 'task-teardown':
      return `@${entry.at} task-teardown ${entry.name} ended=${String(entry.ended)} phase=${entry.phase}`;
    case 'task-end':
      return `@${entry.at} task-end ${entry.name}${entry.failed ? ' (error)' : ''}`;
    default:
      return `@${entry.at} ${entry.t} ${entry.name}`;
  }
}

/** Checks every invariant; throws an `InvariantError` (with the run's log) on the first violation. */
export function checkInvariants(run: ScenarioRun): void {
  const fail = (invariant: string, message: string): never => {
    throw new InvariantError(`[${invariant}] ${message}\n--- log ---\n${run.log.map(showEntry).join('\n')}`);
  };
  const check = (ok: boolean, invariant: string, message: () => string) => {
    if (!ok) fail(invariant, message());
  };

  // 1. Nothing escapes; exactly one `stopped`, last; the stream completes; the flush ends.
  if (run.flushError !== undefined) {
    const e = run.flushError;
    fail('1/5 nothing escapes', `the scheduler flush threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  check(run.streamError === undefined, '1 completes', () => `runApp$ errored: ${String(run.streamError)}`);
  const stoppedEvents = run.events.filter((e): e is Stopped => e.type === 'stopped');
  check(stoppedEvents.length === 1, '1 one stopped', () => `expected exactly one stopped event, got ${stoppedEvents.length} (flush ended at frame ${run.endFrame} of ${run.maxFrames})`);
  const stopped = stoppedEvents[0] as Stopped;
  check(run.events[run.events.length - 1] === stopped, '1 stopped is last', () => 'events after stopped');
  check(run.completed, '1 completes', () => 'runApp$ did not complete after stopped');
  const outcome: AppOutcome = stopped.outcome;
  // The app stopped where the first sign of it is: the phase marker, or the event when no user work came between.
  const stoppedIndex = run.log.findIndex((e) => (e.t === 'event' && e.event === stopped) || (e.t === 'phase-marker' && e.phase === 'stopped'));
  const before = run.log.slice(0, stoppedIndex);
  const after = run.log.slice(stoppedIndex + 1);

  // 7. The process port is left as found.
  check(run.port.listenerCount() === 0, '7 listeners', () => `${run.port.listenerCount()} listeners left on the port`);
  check(run.port.keepAlives === 0, '7 keep-alive', () => `${run.port.keepAlives} keep-alive handles left`);

  // 6. Phases: an ordered subsequence of the fixed order, ending in stopped; all of them without a report.
  const phases = run.events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
  const indexes = phases.map((p) => PHASE_ORDER.indexOf(p));
  check(
    phases[0] === 'starting' && phases[phases.length - 1] === 'stopped' && indexes.every((v, i) => i === 0 || v > (indexes[i - 1] as number)),
    '6 phases',
    () => `phases out of order: ${phases.join(' → ')}`,
  );
  const report = outcome.report;
  if (report === undefined) {
    check(phases.length === PHASE_ORDER.length, '6 phases', () => `without a cut-off every phase must be passed: ${phases.join(' → ')}`);
  } else {
    check(phases[phases.length - 2] === report.phase, '6 report phase', () => `report.phase ${report.phase} but last phase before stopped was ${phases[phases.length - 2]}`);
  }

  // 4. The reason is the first request's; later requests are in order.
  const expected = expectedRequests(run);
  check(sameReason(outcome.reason, expected.reason), '4 reason', () => `outcome.reason ${showReason(outcome.reason)}, expected ${showReason(expected.reason)}`);
  check(
    outcome.laterReasons.length === expected.later.length && outcome.laterReasons.every((r, i) => sameReason(r, expected.later[i])),
    '4 laterReasons',
    () => `laterReasons [${outcome.laterReasons.map(showReason).join(', ')}], expected [${expected.later.map(showReason).join(', ')}]`,
  );
  const requested = run.events.flatMap((e) => (e.type === 'shutdown-requested' ? [e] : []));
  check(
    requested.length === (outcome.reason === undefined ? 0 : 1) + outcome.laterReasons.length &&
      requested.every((e, i) => e.first === (i === 0) && sameReason(e.reason, i === 0 ? outcome.reason : outcome.laterReasons[i - 1])),
    '4 requested events',
    () => 'shutdown-requested events disagree with the outcome',
  );

  // 6. Status precedence forced > timeout > error > ok; timeout only when the budget elapsed.
  const budget = run.scenario.shutdownTimeout ?? DEFAULT_BUDGET;
  const firstRequestAt = requested[0]?.at;
  check(firstRequestAt !== undefined, '1 shutdown point', () => 'no shutdown request was ever made');
  const elapsed = stopped.at - (firstRequestAt as number);
  check(outcome.shutdownMs === elapsed, '6 shutdownMs', () => `shutdownMs ${outcome.shutdownMs}, stopped ${elapsed} ms after the first request`);
  check(
    outcome.status === (report?.cause ?? (outcome.errors.length > 0 ? 'error' : 'ok')),
    '6 status precedence',
    () => `status ${outcome.status} with report ${report?.cause} and ${outcome.errors.length} errors`,
  );
  check(expected.forced === (report?.cause === 'forced'), '6 forced', () => `forced expected ${String(expected.forced)}, report ${report?.cause}`);
  if (report?.cause === 'timeout') {
    check(elapsed === budget, '6 timeout', () => `timed out after ${elapsed} ms, budget ${budget}`);
  } else {
    check(elapsed <= budget, '6 budget', () => `stopped ${elapsed} ms after the request, budget ${budget}, without a timeout`);
  }

  // 2. Hooks, finalizers and executors: at most once; exactly once unless the report names them
  //    (`skipped`: never started; `running`: started and cut off before it ended).
  const named = (kind: PendingItem['kind'], name: string) => report?.pending.find((p) => p.kind === kind && p.name === name);
  const timedOutSteps = new Set(
    outcome.errors.flatMap((r) => (r.error instanceof StepTimeoutError ? [`${r.error.kind}:${r.error.stepName}`] : [])),
  );
  const registered = before.flatMap((e) => (e.t === 'register' ? [e] : []));
  for (const r of registered) {
    const { kind, name } = r;
    const starts = before.filter((e) => e.t === 'step-start' && e.kind === kind && e.name === name).length;
    const ends = before.filter(
      (e) => (e.t === 'step-end' && e.kind === kind && e.name === name) || (e.t === 'raise' && e.error.source === kind && e.error.owner === name),
    ).length + (timedOutSteps.has(`${kind}:${name}`) ? 1 : 0);
    const item = named(kind, name);
    check(starts <= 1, '2 at most once', () => `${kind} ${name} ran ${starts} times`);
    if (item === undefined) {
      check(starts === 1 && ends === 1, '2 exactly once', () => `${kind} ${name} started ${starts}× and ended ${ends}× but is not named in the report`);
    } else if (item.state === 'skipped') {
      check(starts === 0, '2 skipped', () => `${kind} ${name} is named skipped but ran`);
    } else {
      check(starts === 1 && ends === 0, '2 running', () => `${kind} ${name} is named running but started ${starts}× and ended ${ends}×`);
    }
    // Step timeouts: a step whose own timeout is shorter than its work fails with StepTimeoutError, unless cut off first.
    const { spec } = r;
    const shouldTimeOut = spec.fails !== 'sync' && (spec.mode === 'timer' || spec.fails === 'async') && spec.timeout !== undefined && spec.timeout < spec.dur;
    const timedOut = timedOutSteps.has(`${kind}:${name}`);
    if (starts === 1 && item === undefined) {
      check(timedOut === shouldTimeOut, '5 step timeout', () => `${kind} ${name}: StepTimeoutError ${String(timedOut)}, expected ${String(shouldTimeOut)}`);
    } else {
      check(!timedOut, '5 step timeout', () => `${kind} ${name} has a StepTimeoutError but never finished its run`);
    }
  }
  for (const item of report?.pending ?? []) {
    if (item.kind === 'hook' || item.kind === 'finalizer' || item.kind === 'executor') {
      check(registered.some((r) => r.kind === item.kind && r.name === item.name), '2 report names', () => `report names unknown ${item.kind} ${item.name}`);
    }
  }

  // Order: hooks in registration order (one registered while stopping runs after those queued) during
  // stopping; finalizers and executors last-in first-out during finalizing (one registered while
  // finalizing runs next).
  const phaseAt = (phase: Phase) =>
    run.log.findIndex((e) => (e.t === 'event' && e.event.type === 'phase' && e.event.phase === phase) || (e.t === 'phase-marker' && e.phase === phase));
  const stoppingAt = phaseAt('stopping');
  const drainingAt = phaseAt('draining');
  const finalizingAt = phaseAt('finalizing');
  const childOf = (kind: StepKind, name: string) => registered.find((r) => r.kind === kind && r.name === name)?.child;
  const hookStarts = run.log.flatMap((e, i) => (e.t === 'step-start' && e.kind === 'hook' ? [{ name: e.name, i }] : []));
  check(
    hookStarts.every((h) => stoppingAt >= 0 && h.i > stoppingAt && (drainingAt < 0 || h.i < drainingAt)),
    '8 hooks in stopping',
    () => 'a hook ran outside the stopping phase',
  );
  if (stoppingAt >= 0) {
    const queue = run.log.slice(0, stoppingAt).flatMap((e) => (e.t === 'register' && e.kind === 'hook' ? [e.name] : []));
    for (const h of hookStarts) {
      const next = queue.shift();
      check(h.name === next, '8 hook order', () => `hook ${h.name} ran where ${next} was due`);
      const child = childOf('hook', h.name);
      if (child !== undefined) queue.push(child);
    }
  }
  const finalizerStarts = run.log.flatMap((e, i) =>
    e.t === 'step-start' && (e.kind === 'finalizer' || e.kind === 'executor') ? [{ kind: e.kind, name: e.name, i }] : [],
  );
  check(finalizerStarts.every((f) => finalizingAt >= 0 && f.i > finalizingAt), '8 finalizers in finalizing', () => 'a finalizer ran outside the finalizing phase');
  if (finalizingAt >= 0) {
    const queue = run.log
      .slice(0, finalizingAt)
      .flatMap((e) => (e.t === 'register' && e.kind !== 'hook' ? [`${e.kind}:${e.name}`] : []))
      .reverse();
    // One registered while finalizing (by a finalizer, or by an events$ listener) runs next.
    for (const e of run.log.slice(finalizingAt)) {
      if (e.t === 'register' && e.kind !== 'hook') queue.unshift(`${e.kind}:${e.name}`);
      if (e.t !== 'step-start' || (e.kind !== 'finalizer' && e.kind !== 'executor')) continue;
      const next = queue.shift();
      check(`${e.kind}:${e.name}` === next, '8 finalizer order', () => `${e.kind} ${e.name} ran where ${next} was due (LIFO)`);
    }
  }

  // 3. Protected work completes, or is named as cut off, or was cancelled because its own task failed
  //    before shutdown (no `shield`: unsubscription before shutdown cancels, like switchMap).
  const failedTasks = new Set(before.flatMap((e) => (e.t === 'task-end' && e.failed ? [e.name] : [])));
  const startedProtected = new Set(before.flatMap((e) => (e.t === 'protected-start' ? [e.name] : [])));
  for (const name of startedProtected) {
    const info = run.protectedInfo.get(name);
    const settled = before.some(
      (e) => (e.t === 'protected-complete' && e.name === name) || (e.t === 'raise' && e.error.source === 'protected' && e.error.owner === name),
    );
    const item = named('protected', name);
    if (settled) check(item === undefined, '3 protected', () => `protected ${name} settled but is named as cut off`);
    else {
      check(
        (item !== undefined && item.state === 'running') || (info !== undefined && !info.shield && failedTasks.has(info.task)),
        '3 protected',
        () => `protected ${name} neither completed nor is named as cut off`,
      );
    }
  }
  for (const item of report?.pending ?? []) {
    if (item.kind === 'protected') check(startedProtected.has(item.name), '3 report names', () => `report names protected ${item.name} that never started`);
  }
  check(
    finalizingAt < 0 || !run.log.slice(finalizingAt).some((e) => e.t === 'protected-start' || e.t === 'protected-complete' || (e.t === 'raise' && e.error.source === 'protected')),
    '8 finalizers after protected',
    () => 'protected work ran after finalizing began',
  );

  // 8. Tasks stay alive through the hooks (torn down only when draining, or by a cut-off), spawned
  //    tasks are refused once shutdown began, and no user work runs after stopped.
  const cutAt = run.log.findIndex((e) => e.t === 'event' && (e.event.type === 'timeout' || e.event.type === 'forced'));
  run.log.forEach((e, i) => {
    if (e.t === 'task-teardown' && !e.ended) {
      check(e.phase === 'draining' || (cutAt >= 0 && i > cutAt), '8 tasks alive in stopping', () => `task ${e.name} torn down in phase ${e.phase}`);
    }
  });
  for (const item of report?.pending ?? []) {
    if (item.kind === 'task') {
      check(run.taskNames.includes(item.name), '8 report tasks', () => `report names unknown task ${item.name}`);
      check(!run.log.slice(0, cutAt).some((e) => e.t === 'task-end' && e.name === item.name), '8 report tasks', () => `report names task ${item.name} that had ended`);
    }
  }
  check(!run.log.some((e) => e.t === 'late-task-started'), '8 refused tasks', () => 'a task spawned during shutdown started');
  const lateWork = after.find((e) => e.t !== 'event' && e.t !== 'phase-marker' && e.t !== 'signal' && e.t !== 'message' && e.t !== 'stop' && !(e.t === 'raise' && (e.error.source === 'uncaughtException' || e.error.source === 'unhandledRejection')));
  check(lateWork === undefined, '8 nothing after stopped', () => `user work after stopped: ${showEntry(lateWork as LogEntry)}`);

  // 9. Synchronous firehoses stop as soon as downstream lets go (issue #9 bug 1), and a drain that ran out
  //    of budget names what it waited for (bug 2: a listener finished the last protected work in the gap).
  const runaway = run.log.find((e) => e.t === 'firehose-runaway');
  check(runaway === undefined, '9 firehose stops', () => `a synchronous firehose ran on after downstream let go: ${showEntry(runaway as LogEntry)}`);
  check(
    report?.cause !== 'timeout' || report.pending.length > 0,
    '9 timeout names pending work',
    () => `the budget ran out in ${report?.phase} with nothing pending`,
  );

  // 5. Every error raised before stopped is in outcome.errors, once, in the order raised (by
  //    identity), with the right source; the only others are StepTimeoutErrors. Errors raised after
  //    stopped can only be crashes the app no longer listens for (its listeners are removed).
  const raised = before.flatMap((e) => (e.t === 'raise' ? [e.error] : []));
  const reported = outcome.errors.filter((r) => !(r.error instanceof StepTimeoutError));
  const missing = raised.filter((error) => !reported.some((r) => r.error === error));
  check(missing.length === 0, '5 no error lost', () => `raised but not in outcome.errors: ${missing.map((e) => e.message).join('; ')}`);
  check(
    reported.length === raised.length && reported.every((r, i) => r.error === raised[i]),
    '5 errors in order, once',
    () => `outcome.errors [${reported.map((r) => (r.error instanceof Error ? r.error.message : String(r.error))).join('; ')}], raised [${raised.map((e) => e.message).join('; ')}]`,
  );
  for (const r of reported) {
    const error = r.error as ScenarioError;
    const source = error.source;
    const ok =
      source === 'protected'
        ? (r.source === 'protected' && r.name === error.owner) || (r.source === 'task' && r.name === run.protectedInfo.get(error.owner)?.task)
        : source === 'teardown' || source === 'uncaughtException' || source === 'unhandledRejection'
          ? r.source === source
          : r.source === source && r.name === error.owner;
    check(ok, '5 error source', () => `${error.message} reported as ${r.source}:${r.name ?? ''}`);
  }
  for (const r of outcome.errors) {
    if (r.error instanceof StepTimeoutError) {
      check(r.source === r.error.kind && r.name === r.error.stepName, '5 error source', () => `StepTimeoutError of ${r.error instanceof StepTimeoutError ? r.error.stepName : ''} reported as ${r.source}:${r.name ?? ''}`);
    }
  }
  check(outcome.error === outcome.errors[0]?.error, '5 primary error', () => 'outcome.error is not errors[0]');
  const lostAfter = after.filter((e) => e.t === 'raise' && (e.error.source === 'uncaughtException' || e.error.source === 'unhandledRejection'));
  check(lostAfter.every((e) => !outcome.errors.some((r) => r.error === (e as { error: unknown }).error)), '5 after stopped', () => 'an error after stopped is in the outcome');
}
