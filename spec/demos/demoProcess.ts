import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The project root: demos run from here, as `npm start` runs them. */
export const ROOT = path.resolve(__dirname, '..', '..');

export interface DemoExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

type Stream = 'stdout' | 'stderr';

interface Waiter {
  readonly stream: Stream;
  readonly pattern: RegExp;
  readonly resolve: (match: RegExpMatchArray) => void;
  readonly reject: (error: Error) => void;
}

const running = new Set<DemoProcess>();

/**
 * A demo run as a real child process (`node -r ts-node/register/transpile-only <file>`), whose
 * output lines a test waits for — tests synchronise on what the demo prints, never on sleeps.
 */
export class DemoProcess {
  readonly lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
  readonly exited: Promise<DemoExit>;
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private waiters: Waiter[] = [];
  private readonly proc: ChildProcess;
  private ended = false;

  constructor(file: string, options: { args?: readonly string[]; env?: Record<string, string> } = {}) {
    this.proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', file, ...(options.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this);
    for (const stream of ['stdout', 'stderr'] as const) {
      this.proc[stream]?.setEncoding('utf8');
      this.proc[stream]?.on('data', (chunk: string) => this.onData(stream, chunk));
    }
    // 'close' rather than 'exit': every line has been read by then.
    this.exited = new Promise<DemoExit>((resolve, reject) => {
      this.proc.on('error', reject);
      this.proc.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.ended = true;
        running.delete(this);
        for (const stream of ['stdout', 'stderr'] as const) if (this.partial[stream] !== '') this.addLine(stream, this.partial[stream]);
        for (const waiter of this.waiters.splice(0)) {
          waiter.reject(new Error(`demo ${file} exited (${code ?? signal}) before printing ${waiter.pattern} on ${waiter.stream}\n${this.transcript()}`));
        }
        resolve({ code, signal });
      });
    });
  }

  /** The first line on `stream` (already printed or still to come) matching `pattern`. */
  waitForLine(stream: Stream, pattern: RegExp): Promise<RegExpMatchArray> {
    for (const line of this.lines[stream]) {
      const match = line.match(pattern);
      if (match) return Promise.resolve(match);
    }
    if (this.ended) return Promise.reject(new Error(`demo ended without printing ${pattern}\n${this.transcript()}`));
    return new Promise((resolve, reject) => this.waiters.push({ stream, pattern, resolve, reject }));
  }

  /** Index of the first line on `stream` matching `pattern`, or -1. */
  indexOf(stream: Stream, pattern: RegExp): number {
    return this.lines[stream].findIndex((line) => pattern.test(line));
  }

  send(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Both streams, for failure messages. */
  transcript(): string {
    return `--- stdout\n${this.lines.stdout.join('\n')}\n--- stderr\n${this.lines.stderr.join('\n')}`;
  }

  private onData(stream: Stream, chunk: string): void {
    const parts = (this.partial[stream] + chunk).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.addLine(stream, line);
  }

  private addLine(stream: Stream, line: string): void {
    this.lines[stream].push(line);
    this.waiters = this.waiters.filter((waiter) => {
      const match = waiter.stream === stream ? line.match(waiter.pattern) : null;
      if (match) waiter.resolve(match);
      return match === null;
    });
  }

  kill(): void {
    if (!this.ended) this.proc.kill('SIGKILL');
  }
}

/** For `afterEach`: no demo outlives its test. */
export async function killAllDemos(): Promise<void> {
  const left = [...running];
  for (const demo of left) demo.kill();
  await Promise.all(left.map((demo) => demo.exited.catch(() => undefined)));
}

/** Demos import 'rxrun', which resolves to the package's own built dist. */
export function requireBuiltPackage(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'cjs', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the demo specs (`npm test` does it)');
  }
}

/** Asserts that each pattern matches a line of `lines`, in this order. */
export function expectInOrder(lines: readonly string[], patterns: readonly RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const index = lines.findIndex((line, i) => i >= from && pattern.test(line));
    if (index < 0) throw new Error(`expected a line matching ${pattern} after line ${from} in:\n${lines.join('\n')}`);
    from = index + 1;
  }
}
