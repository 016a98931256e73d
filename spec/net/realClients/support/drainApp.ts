import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { FixtureChild, type FixtureOutcome } from '../../../process/fixtureChild';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'drainApp.js');
const live = new Set<FixtureChild>();

/** The fixture app (a real `runApp` + `serve$` process) and what it printed. */
export interface DrainApp {
  readonly child: FixtureChild;
  readonly port: number;
  /** Remote ports of the connections the app process accepted (its `A <port>` lines). */
  accepted(): Set<number>;
  /** `server-drain` steps as `step count`, in order. */
  drainSteps(): string[];
  outcome(): FixtureOutcome;
}

/**
 * Starts `spec/net/realClients/fixtures/drainApp.js` (it loads the built dist/: `npm test` builds first) with
 * `DELAY_MS` and extra env; resolves once it listens. Killed by {@link killDrainApps}.
 */
export async function startDrainApp(delayMs: number, env: Record<string, string> = {}): Promise<DrainApp> {
  const proc = spawn(process.execPath, [FIXTURE], {
    cwd: path.dirname(FIXTURE),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', DELAY_MS: String(delayMs), ...env },
  });
  const child = new FixtureChild(proc);
  live.add(child);
  const [, port] = (await child.waitForLine(/^listening (\d+)$/)) as unknown as [string, string];
  return {
    child,
    port: Number(port),
    accepted: () => new Set(child.stdoutLines().flatMap((line) => (line.startsWith('A ') ? [Number(line.slice(2))] : []))),
    drainSteps: () => child.stdoutLines().flatMap((line) => (line.startsWith('event server-drain ') ? [line.slice('event server-drain '.length)] : [])),
    outcome: () => child.outcome(),
  };
}

/** For `afterEach`: SIGKILLs every fixture app still running. */
export function killDrainApps(): void {
  for (const child of live) child.kill();
  live.clear();
}

/**
 * Waits for the child's exit, or SIGKILLs it after `limitMs` (a drain that hangs then shows as `signal: 'SIGKILL'`).
 * The limit only bounds the test; nothing asserts a duration.
 */
export async function exitOrKill(child: FixtureChild, limitMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const killer = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill();
      resolve();
    }, limitMs);
  });
  await Promise.race([child.exited, killer]);
  clearTimeout(timer);
  return child.exited;
}
