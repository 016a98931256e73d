/**
 * A real PM2 (the pm2 dev dependency) in a throw-away PM2_HOME, so that a test never talks to a user's
 * daemon: every CLI call gets that PM2_HOME, the first one spawns the sandbox's own daemon, and `close`
 * kills it (`pm2 kill`), checks that no process of that PM2_HOME survived, and removes the folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const PM2_BIN = require.resolve('pm2/bin/pm2');

/** Generous bound for one CLI call; nothing asserted depends on speed. */
const CLI_TIMEOUT_MS = 45_000;

/** Far longer than any test may run: PM2 only reports a `--wait-ready` app online before this if the app sent 'ready'. */
export const LISTEN_TIMEOUT_MS = 600_000;

/** What `pm2 jlist` says about one process (the fields the tests read). */
export interface Pm2Process {
  readonly name: string;
  readonly pid: number;
  readonly pm_id: number;
  readonly pm2_env: {
    readonly status: string;
    readonly exec_mode: string;
    readonly pm_out_log_path: string;
    readonly pm_err_log_path: string;
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class Pm2Sandbox {
  /** The temp folder: PM2_HOME is `<dir>/home`; report files go next to it. */
  readonly dir = mkdtempSync(path.join(tmpdir(), 'rxrun-pm2-'));
  readonly home = path.join(this.dir, 'home');

  /**
   * Runs `pm2 <args>` against this sandbox's daemon (`env`: more variables for the CLI, which PM2
   * passes on to the apps it starts); rejects if the CLI fails or does not return in time.
   */
  pm2(args: readonly string[], options: { cwd?: string; env?: Readonly<Record<string, string>> } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [PM2_BIN, ...args],
        { cwd: options.cwd ?? this.dir, env: { ...this.env(), ...options.env }, timeout: CLI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`pm2 ${args.join(' ')} failed: ${error.message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
          else resolve({ code: 0, stdout, stderr });
        },
      );
    });
  }

  async jlist(): Promise<Pm2Process[]> {
    const { stdout } = await this.pm2(['jlist']);
    // The first call of a fresh daemon may print a banner before the JSON.
    return JSON.parse(stdout.slice(stdout.indexOf('['))) as Pm2Process[];
  }

  async processOf(name: string): Promise<Pm2Process> {
    const found = (await this.jlist()).find((each) => each.name === name);
    if (found === undefined) throw new Error(`pm2 knows no process '${name}'`);
    return found;
  }

  /** The app's PM2 logs: `out` (stdout) and `err` (stderr, where rxrun's default logger writes). */
  async logsOf(name: string): Promise<{ out: string; err: string }> {
    const { pm2_env: env } = await this.processOf(name);
    return { out: readIfThere(env.pm_out_log_path), err: readIfThere(env.pm_err_log_path) };
  }

  /**
   * The app's PM2 logs once `err` holds `line` (bounded: 45 s; else the logs as they are). PM2's daemon
   * copies the app's stderr into the log file on its own schedule, so the app's last lines can land
   * there after `pm2 stop` has returned.
   */
  async logsWith(name: string, line: string): Promise<{ out: string; err: string }> {
    let logs = await this.logsOf(name);
    for (let poll = 0; poll < 900 && !logs.err.includes(line); poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      logs = await this.logsOf(name);
    }
    return logs;
  }

  /** A fresh report file path for an app of the fixture. */
  reportFile(name: string): string {
    return path.join(this.dir, `${name}.report`);
  }

  report(name: string): string[] {
    return readIfThere(this.reportFile(name)).split('\n').filter((line) => line !== '');
  }

  /** Waits (bounded: 45 s) until the app's report has `line`; rejects with the report otherwise. */
  async waitForReport(name: string, line: string): Promise<void> {
    for (let poll = 0; poll < 900; poll += 1) {
      if (this.report(name).includes(line)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no '${line}' in the report of ${name}:\n${this.report(name).join('\n')}`);
  }

  /** Pids of live processes started from this sandbox (the daemon, the apps, a CLI still running). */
  survivors(): number[] {
    const marker = Buffer.from(`PM2_HOME=${this.home}\0`);
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        if (readFileSync(`/proc/${entry}/environ`).includes(marker) && !isZombie(entry)) pids.push(Number(entry));
      } catch {
        // gone, or not ours to read
      }
    }
    return pids;
  }

  /**
   * `pm2 kill`, then waits (bounded) for every process of this PM2_HOME to be gone. Returns the pids
   * that were still alive after that (none, when all went well); those are SIGKILLed, so that nothing
   * outlives the test file either way, and the folder is removed.
   */
  async close(): Promise<number[]> {
    try {
      await this.pm2(['kill']);
    } catch {
      // reported through the survivors below
    }
    let left = this.survivors();
    for (let poll = 0; poll < 200 && left.length > 0; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = this.survivors();
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PM2_HOME: this.home, NODE_OPTIONS: '' };
    // Settings of an outer PM2 would change what these tests observe.
    for (const name of ['PM2_KILL_TIMEOUT', 'PM2_KILL_SIGNAL', 'PM2_KILL_USE_MESSAGE', 'pm_id', 'exec_mode', 'kill_timeout']) delete env[name];
    return env;
  }
}

function readIfThere(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function isZombie(pid: string): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
