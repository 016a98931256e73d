import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Plain CommonJS fixtures that `require('rxrun')` (the package's own built dist). */
export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

/** Generous: nothing asserted depends on speed, but a loaded 2-core CI machine can be slow. */
export const CHILD_TEST_TIMEOUT = 60_000;

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface LineWaiter {
  readonly pattern: RegExp;
  readonly resolve: (match: RegExpMatchArray) => void;
}

/** A child process whose stdout lines a test can wait for, and whose exit it can await. */
export class FixtureChild {
  stdout = '';
  stderr = '';
  /** Extra pids to kill in `killAll` (e.g. the PID-1 node inside an unshare'd namespace). */
  readonly extraPids: number[] = [];
  readonly exited: Promise<ChildExit>;
  private readonly lines: string[] = [];
  private waiters: LineWaiter[] = [];
  private partial = '';
  private exitInfo: ChildExit | undefined;

  constructor(readonly proc: ChildProcess) {
    proc.stdout?.setEncoding('utf8');
    proc.stderr?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    proc.stderr?.on('data', (chunk: string) => (this.stderr += chunk));
    // 'close' (not 'exit'): all output has been read by then.
    this.exited = new Promise<ChildExit>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    this.exited.catch(() => undefined);
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined || this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  /** Resolves with the first stdout line (seen so far or later) that matches; rejects if the child ends first. */
  waitForLine(pattern: RegExp): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const match = line.match(pattern);
      if (match) return Promise.resolve(match);
    }
    return new Promise<RegExpMatchArray>((resolve, reject) => {
      this.waiters.push({ pattern, resolve });
      this.exited.then(
        (exit) => reject(new Error(`child exited (${JSON.stringify(exit)}) before printing ${pattern}\n${this.transcript()}`)),
        reject,
      );
    });
  }

  /** Sends a real signal to the child (or to `pid`). */
  signal(name: NodeJS.Signals, pid = this.proc.pid): void {
    if (pid === undefined) throw new Error('child has no pid');
    process.kill(pid, name);
  }

  /** The parsed `outcome {...}` line the fixture prints. */
  outcome(): FixtureOutcome {
    const line = this.lines.find((each) => each.startsWith('outcome '));
    if (line === undefined) throw new Error(`no outcome line\n${this.transcript()}`);
    return JSON.parse(line.slice('outcome '.length)) as FixtureOutcome;
  }

  stdoutLines(): readonly string[] {
    return this.lines;
  }

  transcript(): string {
    return `--- stdout ---\n${this.stdout}--- stderr ---\n${this.stderr}`;
  }

  kill(): void {
    for (const pid of this.extraPids) tryKill(pid);
    if (!this.hasExited && this.proc.pid !== undefined) tryKill(this.proc.pid);
  }

  private onStdout(chunk: string): void {
    this.stdout += chunk;
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      this.waiters = this.waiters.filter((waiter) => {
        const match = line.match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    }
  }
}

export interface FixtureOutcome {
  readonly status: 'ok' | 'error' | 'timeout' | 'forced';
  readonly reason: string;
  readonly laterReasons: readonly string[];
  readonly errors: readonly { source: string; name?: string; message: string }[];
  readonly report?: {
    readonly cause: 'timeout' | 'forced';
    readonly phase: string;
    readonly pending: readonly { kind: string; name: string; state: 'running' | 'skipped' }[];
    readonly activeHandles: readonly string[];
  };
  readonly openHandles: readonly string[];
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const live = new Set<FixtureChild>();

export interface StartOptions {
  /** Open an IPC channel (`stdio: ['ignore', 'pipe', 'pipe', 'ipc']`). */
  readonly ipc?: boolean;
  /** Run the node command through this wrapper (e.g. `['unshare', '--pid', '--fork']`). */
  readonly wrapper?: readonly string[];
}

/** Starts `node spec/fixtures/<fixture> ...args`; the child is killed by {@link killAllChildren}. */
export function startFixture(fixture: string, args: readonly string[] = [], options: StartOptions = {}): FixtureChild {
  const nodeArgs = [path.join(FIXTURES, fixture), ...args];
  const [command, ...commandArgs] =
    options.wrapper === undefined ? [process.execPath, ...nodeArgs] : [...options.wrapper, process.execPath, ...nodeArgs];
  const proc = spawn(command as string, commandArgs, {
    cwd: FIXTURES,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const child = new FixtureChild(proc);
  live.add(child);
  return child;
}

/** For `afterEach`: nothing started by a test outlives it. */
export function killAllChildren(): void {
  for (const child of live) child.kill();
  live.clear();
}

/** Pids whose parent is `parentPid` (from /proc; Linux only). */
export function childPidsOf(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = /^PPid:\s+(\d+)$/m.exec(status)?.[1];
      if (ppid !== undefined && Number(ppid) === parentPid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
