/**
 * The `ctx` a node receives: one small object per call, its methods on the prototype (graphs of
 * thousands of nodes create one per node, so it stays cheap).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent } from './events.js';
import type { Logger, NodeContext, Preview } from './node.js';

/** What a context needs from the run that created it. */
export interface ContextHost {
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly outputDir: string;
  readonly services: Readonly<Record<string, unknown>>;
  readonly logger: Logger;
  emit(event: RunEvent): void;
  nodeType(id: string): string;
  /** The run's scratch root, created on first use and removed when the run ends. */
  scratchRoot(): Promise<string>;
}

const PROGRESS_INTERVAL_MS = 50;

/** The context of one node call (`item` set when the node is mapped over a stream). */
export class RunContext implements NodeContext {
  private lastProgress = 0;
  private logger: Logger | undefined;

  constructor(
    private readonly host: ContextHost,
    readonly nodeId: string,
    private readonly item?: number,
  ) {}

  get runId(): string {
    return this.host.runId;
  }
  get signal(): AbortSignal {
    return this.host.signal;
  }
  get outputDir(): string {
    return this.host.outputDir;
  }
  get services(): Readonly<Record<string, unknown>> {
    return this.host.services;
  }

  get log(): Logger {
    if (!this.logger) {
      const base = this.host.logger;
      const prefix = `[${this.nodeId}${this.item === undefined ? '' : `#${this.item}`}] `;
      this.logger = { info: (m) => base.info(prefix + m), warn: (m) => base.warn(prefix + m), debug: (m) => base.debug(prefix + m) };
    }
    return this.logger;
  }

  private base() {
    return { runId: this.host.runId, time: Date.now(), node: this.nodeId, nodeType: this.host.nodeType(this.nodeId) };
  }

  progress(value: number, max: number): void {
    const now = Date.now();
    // Throttled, but the last step (value >= max) is always reported.
    if (value < max && now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    this.host.emit({ ...this.base(), type: 'node-progress', value, max });
  }

  preview(image: Preview): void {
    this.host.emit({ ...this.base(), type: 'node-preview', image });
  }

  metric(name: string, step: number, value: number): void {
    this.host.emit({ ...this.base(), type: 'node-metric', name, step, value });
  }

  async scratchDir(): Promise<string> {
    const dir = join(await this.host.scratchRoot(), this.nodeId.replace(/[^\w.-]/g, '_'));
    await mkdir(dir, { recursive: true });
    return dir;
  }
}

/** Creates a run's scratch root lazily, once. */
export function lazyScratch(runId: string): { get(): Promise<string>; path(): string | undefined } {
  let created: Promise<string> | undefined;
  let path: string | undefined;
  return {
    get: () => (created ??= mkdtemp(join(tmpdir(), `cinegraph-${runId.slice(0, 8)}-`)).then((p) => (path = p))),
    path: () => path,
  };
}
