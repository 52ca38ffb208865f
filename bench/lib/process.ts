// A child process under measurement. Its output goes straight to a log file
// (never piped through the bench, whose event loop must stay free for the
// 20 ms sampling), its peak RSS is read from /proc, and it is stopped
// politely with a deadline. Whatever happens to the bench, no child outlives it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const live = new Set<ChildProcess>();

/** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux architecture we run. */
const CLOCK_TICKS_PER_SECOND = 100;

process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
// A signal would otherwise end the bench without running the 'exit' handler.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(130));

export interface StopResult {
  readonly stopMs: number;
  /** True when SIGTERM was not enough within the grace period. */
  readonly killed: boolean;
}

export class MeasuredProcess {
  /** performance.now() at spawn: the zero of every time measured for this run. */
  readonly startedAt = performance.now();
  private readonly child: ChildProcess;
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  /**
   * `expectedName` is the executable of the process to measure (node, java):
   * wrappers must exec it so that the pid we hold is the one doing the work.
   */
  constructor(
    command: string,
    args: string[],
    readonly expectedName: string,
    readonly logFile: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const fd = openSync(logFile, 'a');
    try {
      this.child = spawn(command, args, { stdio: ['ignore', fd, fd], env });
    } finally {
      closeSync(fd);
    }
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        live.delete(this.child);
        resolve();
      });
      this.child.once('error', (err) => {
        this.exitInfo = `spawn error ${err.message}`;
        live.delete(this.child);
        resolve();
      });
    });
  }

  /** Throws when the process is gone: a run must fail fast, not wait for a timeout. */
  assertRunning(): void {
    if (this.exitInfo !== undefined) throw new Error(`process exited early (${this.exitInfo}); log: ${this.logFile}`);
  }

  /** Peak resident set size (VmHWM) in kB, checking the pid really is the measured program. */
  peakRssKb(): number {
    this.assertRunning();
    const pid = this.child.pid;
    // The executable, not comm: Node renames its main thread 'MainThread'.
    const exe = path.basename(readlinkSync(`/proc/${pid}/exe`));
    if (exe !== this.expectedName) throw new Error(`pid ${pid} runs '${exe}', expected '${this.expectedName}'`);
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (!match?.[1]) throw new Error(`no VmHWM in /proc/${pid}/status`);
    return Number(match[1]);
  }

  /**
   * CPU time the process used so far (user + system, all its threads: JIT
   * and GC included), in seconds. Differences between phases give CPU per
   * event, which is far less noisy on shared cores than throughput.
   */
  cpuSeconds(): number {
    this.assertRunning();
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** False once the process has exited. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** SIGKILL (no shutdown hooks run); resolves once the process has exited, with the time that took. */
  async kill(): Promise<number> {
    const begin = performance.now();
    if (this.exitInfo !== undefined) return 0;
    this.child.kill('SIGKILL');
    await this.exited;
    return performance.now() - begin;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<StopResult> {
    const begin = performance.now();
    if (this.exitInfo !== undefined) return { stopMs: 0, killed: false };
    this.child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
    return { stopMs: performance.now() - begin, killed };
  }
}
