/**
 * The run's step log, `<out>/train-log.jsonl`: one JSON line per update {step, loss, lr, gradNorm,
 * stepsPerSecond}. A resumed run first drops the lines past the checkpoint it resumes from, so the log
 * always matches the weights that will be saved next.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import type { StepReport } from '../../ml/train/index.js';

/**
 * Reads a step log (a torn last line is ignored).
 * @example const reports = await readTrainLog('runs/a/train-log.jsonl');
 */
export async function readTrainLog(file: string): Promise<StepReport[]> {
  if (!existsSync(file)) return [];
  const out: StepReport[] = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as StepReport;
      if (Number.isInteger(r.step)) out.push(r);
    } catch {
      // a kill mid-append leaves a torn last line
    }
  }
  return out;
}

/**
 * Opens a step log for a run at `step` (lines past it are dropped) and returns an appender.
 * @example const log = await openTrainLog(file, 0); await log.append(report);
 */
export async function openTrainLog(file: string, step: number): Promise<{ readonly last: StepReport | undefined; append(r: StepReport): Promise<void> }> {
  const kept = (await readTrainLog(file)).filter((r) => r.step <= step);
  await writeFile(file, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  return {
    last: kept.at(-1),
    append: (r) => appendFile(file, JSON.stringify(r) + '\n'),
  };
}
