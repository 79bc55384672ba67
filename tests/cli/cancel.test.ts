/**
 * Ctrl-C: the CLI cancels the run (the nodes' AbortSignal kills their child processes), prints
 * "cancelled" and exits 130; a second Ctrl-C exits at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, graph, packWorkspace, put, startCli } from './helpers.js';

let ws: Awaited<ReturnType<typeof packWorkspace>>;

beforeAll(async () => {
  ensureBuilt();
  ws = await packWorkspace();
}, 180_000);
afterAll(() => ws.cleanup());

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether a process is alive (a zombie counts as gone: it no longer runs). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s cancels the run, kills the child process and exits %i', async (signal, code) => {
  const pidFile = join(ws.dir, `sleep-${signal}.pid`);
  const file = await put(
    ws.dir,
    `sleep-${signal}.json`,
    graph({
      sleep: { type: 'clitest/sleep', inputs: { seconds: 30, pidFile } },
      show: { type: 'clitest/show', inputs: { value: { from: 'sleep', output: 'code' } } },
    }),
  );
  const cli = startCli(['run', file, '--nodes', ws.packs], { cwd: ws.dir, env: ws.env });
  await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 'the sleep process');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  expect(running(pid)).toBe(true);
  cli.child.kill(signal);
  const r = await cli.done;
  expect(r.code).toBe(code);
  expect(r.stderr).toContain('cancelling the run');
  expect(r.stderr.trim().split('\n').at(-1)).toBe('cancelled');
  expect(r.stdout).toBe('');
  expect(running(pid)).toBe(false);
});

test('a second Ctrl-C exits at once, without waiting for a node that ignores cancellation', async () => {
  const file = await put(
    ws.dir,
    'stubborn.json',
    graph({ wait: { type: 'clitest/stubborn' }, show: { type: 'clitest/show', inputs: { value: { from: 'wait', output: 'value' } } } }),
  );
  const cli = startCli(['run', file, '--nodes', ws.packs], { cwd: ws.dir, env: ws.env });
  await until(() => cli.stderrSoFar().includes('stubborn started'), 'the node to start');
  cli.child.kill('SIGINT');
  await until(() => cli.stderrSoFar().includes('cancelling the run'), 'the cancel');
  cli.child.kill('SIGINT');
  const r = await cli.done;
  expect(r.code).toBe(130);
  expect(r.stderr).toContain('interrupted again: exiting now');
  expect(r.stderr).not.toMatch(/^cancelled$/m); // it did not wait for the run to wind down
});
