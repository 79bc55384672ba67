/**
 * What a finished run leaves for the API: JSON-safe summaries of its output nodes, and the files it wrote.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { summarizeRunOutputs, type GraphDocument, type NodeRegistry, type RunOutputs } from '../engine/index.js';

/** Items of a stream output kept in a run's summary. */
const MAX_ITEMS = 100;
/** Files listed per run. */
const MAX_FILES = 1000;

/**
 * Summarises the raw outputs of a run by each output's socket type (images become `{width, height, channels}`),
 * keeping the first items of a stream output.
 * @example summarizeOutputs(doc, result.outputs, registry) // { sink: { value: 3 } }
 */
export function summarizeOutputs(doc: GraphDocument, outputs: RunOutputs, registry: NodeRegistry): Record<string, unknown> {
  return summarizeRunOutputs(outputs, doc, registry, MAX_ITEMS);
}

/**
 * Regular files under `dir`, relative with `/` separators, sorted; [] when `dir` does not exist.
 * Symbolic links are not followed or listed.
 * @example await listFiles('data/outputs/<runId>') // ['frames/0001.png', 'sheet.png']
 */
export async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (files.length >= MAX_FILES) return;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push(path);
    }
  };
  await walk('');
  return files.sort();
}
