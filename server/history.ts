/**
 * Persisted run history: one JSON file per run under `dataDir/history`, written atomically (a temp file,
 * then rename), all held in memory for listing. Runs that were queued or running when the server died
 * are reloaded as failed.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphDocument } from '../engine/index.js';
import type { ServerLogger } from './context.js';

/** Where a run is in its life. */
export type RunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** What went wrong in a run. */
export interface RunError {
  node?: string;
  nodeType?: string;
  message: string;
}

/** One run as the API reports it. Times are milliseconds since the epoch (like event `time`), null until reached. */
export interface RunRecord {
  id: string;
  /** Submission order, increasing across restarts. */
  seq: number;
  /** The graph's `name`, when it has one. */
  name: string | null;
  status: RunState;
  /** JSON-safe summaries of the output nodes' outputs, by node id; null until the run ends. */
  outputs: Record<string, unknown> | null;
  /** Files the run wrote, relative to its output folder (`/api/files/outputs/<id>/<file>`). */
  files: string[];
  error: RunError | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Nodes executed and taken from the cache; null until the run ends. */
  executed: number | null;
  cached: number | null;
  /** The graph as run (params applied). Left out of listings. */
  graph?: GraphDocument;
}

/** A record without its graph, as listings give it. */
export type RunSummary = Omit<RunRecord, 'graph'>;

/** The message of runs found unfinished at start. */
export const INTERRUPTED = 'interrupted by a server restart';

/**
 * Drops the graph from a record.
 * @example res.json(summaryOf(record))
 */
export function summaryOf(record: RunRecord): RunSummary {
  const { graph: _graph, ...rest } = record;
  return rest;
}

/**
 * The run history.
 * @example const history = await RunHistory.open('data/history', logger); history.list({ limit: 20 });
 */
export class RunHistory {
  private readonly records = new Map<string, RunRecord>();
  private readonly writes = new Map<string, Promise<void>>();
  private seq = 0;

  private constructor(
    readonly dir: string,
    private readonly logger: ServerLogger,
  ) {}

  /** Loads every record of `dir` (created if missing); unfinished runs become failed. */
  static async open(dir: string, logger: ServerLogger): Promise<RunHistory> {
    await mkdir(dir, { recursive: true });
    const history = new RunHistory(dir, logger);
    for (const file of await readdir(dir)) {
      if (file.endsWith('.tmp')) {
        await rm(join(dir, file), { force: true }); // a write cut short by a crash
        continue;
      }
      if (!file.endsWith('.json')) continue;
      let record: RunRecord;
      try {
        record = JSON.parse(await readFile(join(dir, file), 'utf8')) as RunRecord;
        if (typeof record.id !== 'string' || `${record.id}.json` !== file) throw new Error('the id does not match the file name');
      } catch (error) {
        logger.warn(`history: skipping ${join(dir, file)}: ${(error as Error).message}`);
        continue;
      }
      history.records.set(record.id, record);
      history.seq = Math.max(history.seq, record.seq ?? 0);
      if (record.status === 'queued' || record.status === 'running') {
        history.save({ ...record, status: 'failed', error: { message: INTERRUPTED }, endedAt: record.endedAt ?? Date.now() });
      }
    }
    return history;
  }

  /** The next submission number. */
  nextSeq(): number {
    return ++this.seq;
  }

  get(id: string): RunRecord | undefined {
    return this.records.get(id);
  }

  /** Records newest first. */
  list(options: { limit?: number; offset?: number } = {}): { runs: RunSummary[]; total: number } {
    const all = [...this.records.values()].sort((a, b) => b.seq - a.seq);
    const offset = options.offset ?? 0;
    const limit = options.limit ?? all.length;
    return { runs: all.slice(offset, offset + limit).map(summaryOf), total: all.length };
  }

  /** Stores a record in memory at once and on disk soon; writes of one run land in order. */
  save(record: RunRecord): void {
    this.records.set(record.id, record);
    const text = JSON.stringify(record, null, 1);
    const previous = this.writes.get(record.id) ?? Promise.resolve();
    const write = previous.then(() => this.write(record.id, text));
    this.writes.set(record.id, write);
    void write.finally(() => {
      if (this.writes.get(record.id) === write) this.writes.delete(record.id);
    });
  }

  /** Resolves when every write has landed. */
  async flush(): Promise<void> {
    while (this.writes.size) await Promise.all([...this.writes.values()]);
  }

  private async write(id: string, text: string): Promise<void> {
    const file = join(this.dir, `${id}.json`);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await writeFile(temp, text);
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      this.logger.error(`history: cannot write ${file}: ${(error as Error).message}`);
    }
  }
}
