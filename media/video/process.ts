/**
 * Child processes that never outlive their run: a stop closes the output pipe, sends SIGTERM, and
 * SIGKILL after a short grace; callers await the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** How long a tool gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 500;

/** A running tool. */
export interface ToolProcess {
  readonly child: ChildProcess;
  /** What the tool writes to stdout: a pipe, or our end of the channel given to `spawnTool`. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the process has exited and its pipes are closed (never rejects). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the process (pipe closed, SIGTERM, then SIGKILL) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Where a tool's stdout goes instead of a new pipe: `child` becomes its stdout (and is closed here), `ours` is read. */
export interface ToolOutput {
  child: Socket;
  ours: Socket;
}

/**
 * Spawns a tool with stdout and stderr piped (or stdout into `output`); aborting `signal` stops it.
 * @example const p = spawnTool('/usr/bin/ffmpeg', ['-version']); await p.exited;
 */
export function spawnTool(bin: string, args: string[], signal?: AbortSignal, output?: ToolOutput): ToolProcess {
  let child: ChildProcess;
  try {
    child = spawn(bin, args, { stdio: ['ignore', output?.child ?? 'pipe', 'pipe'] });
  } finally {
    // The child holds its own copy; ours would keep the channel open after the child exits.
    output?.child.destroy();
  }
  const stdout = output?.ours ?? child.stdout!;
  const stderr = child.stderr!;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('close', (code, sig) => resolve({ code, signal: sig }));
  });
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (running()) {
        // Closing our end first makes a writer blocked on a full pipe fail at once (EPIPE).
        stdout.destroy();
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), KILL_GRACE_MS)));
        if ((await Promise.race([exited, late])) === 'late' && running()) child.kill('SIGKILL');
        clearTimeout(timer);
      }
      await exited;
      stdout.destroy();
      stderr.destroy();
    })());
  const onAbort = () => void stop();
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  void exited.then(() => signal?.removeEventListener('abort', onAbort));
  return { child, stdout, stderr, exited, stop };
}

/** The result of a tool run to completion. */
export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool to completion and collects its output (for short commands: probes, version checks).
 * @example const { stdout } = await runTool('/usr/bin/ffprobe', ['-version']);
 */
export async function runTool(bin: string, args: string[], signal?: AbortSignal): Promise<ToolResult> {
  const proc = spawnTool(bin, args, signal);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  proc.stdout.on('data', (b: Buffer) => out.push(b));
  proc.stderr.on('data', (b: Buffer) => err.push(b));
  const spawnError = new Promise<Error | null>((resolve) => {
    proc.child.once('error', resolve);
    void proc.exited.then(() => resolve(null));
  });
  const { code } = await proc.exited;
  const failed = await spawnError;
  if (failed) throw new Error(`cannot run ${bin}: ${failed.message}`);
  signal?.throwIfAborted();
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
