/**
 * What the editor shows on its nodes: the state of one run, built from the WebSocket's run events
 * (pure, no DOM). The editor follows the run it queued last; events of other runs are ignored here.
 */
import type { Issue, RunEvent, RunSummary } from './protocol.js';

const MAX_UNCLAIMED_RUNS = 8;
const MAX_UNCLAIMED_EVENTS = 5000;

/** The state of one node in the followed run. */
export interface NodeState {
  status: 'running' | 'done' | 'cached' | 'error';
  progress?: { value: number; max: number };
  /** Items a stream node has emitted (or a mapped node produced). */
  items?: number;
  skipped?: number;
  preview?: { url: string; width?: number; height?: number };
  error?: string;
  ms?: number;
  outputs?: unknown;
}

/** One numeric series a node reports (`ctx.metric`), e.g. a loss curve. */
export interface MetricSeries {
  node: string;
  name: string;
  steps: number[];
  values: number[];
}

/**
 * @example const state = new RunView(); state.follow(id); socket.onMessage = (e) => state.apply(e) && redraw();
 */
export class RunView {
  runId: string | undefined;
  status: RunSummary['status'] | undefined;
  error: string | undefined;
  readonly nodes = new Map<string, NodeState>();
  readonly metrics = new Map<string, MetricSeries>();
  /** Bumped on every change, so views redraw only when needed. */
  version = 0;
  /**
   * Recent events of runs not followed (yet). A run starts as soon as it is submitted, so its first
   * events can arrive before the submission's answer names it: `follow` replays them.
   */
  private readonly unclaimed = new Map<string, RunEvent[]>();

  /** Starts following a run (clearing what the previous one showed). */
  follow(runId: string): void {
    this.runId = runId;
    this.status = 'queued';
    this.error = undefined;
    this.nodes.clear();
    this.metrics.clear();
    const early = this.unclaimed.get(runId) ?? [];
    this.unclaimed.delete(runId);
    for (const event of early) this.apply(event);
    this.version++;
  }

  /** Shows the issues of a refused submission as error badges. */
  showIssues(issues: Issue[]): void {
    this.runId = undefined;
    this.status = undefined;
    this.nodes.clear();
    for (const issue of issues) {
      if (!issue.node) continue;
      const prev = this.nodes.get(issue.node);
      const message = prev?.error ? `${prev.error}\n${issue.message}` : issue.message;
      this.nodes.set(issue.node, { status: 'error', error: message });
    }
    this.version++;
  }

  /** Applies one event; returns whether it concerned the followed run. */
  apply(event: RunEvent): boolean {
    if (event.runId !== this.runId) {
      this.keep(event);
      return false;
    }
    const node = 'node' in event ? event.node : undefined;
    const state = node ? (this.nodes.get(node) ?? { status: 'running' as const }) : undefined;
    switch (event.type) {
      case 'run-queued':
        this.status = 'queued';
        break;
      case 'run-started':
        this.status = 'running';
        break;
      case 'node-started':
        state!.status = 'running';
        state!.error = undefined;
        break;
      case 'node-progress':
        state!.progress = { value: event.value, max: event.max };
        break;
      case 'node-items':
        state!.items = event.count;
        break;
      case 'node-preview':
        state!.preview = event.image;
        break;
      case 'node-metric': {
        const key = `${event.node}:${event.name}`;
        const series = this.metrics.get(key) ?? { node: event.node, name: event.name, steps: [], values: [] };
        series.steps.push(event.step);
        series.values.push(event.value);
        this.metrics.set(key, series);
        break;
      }
      case 'node-output':
        state!.status = 'done';
        state!.ms = event.ms;
        state!.outputs = event.outputs;
        state!.progress = undefined;
        if (event.items !== undefined) state!.items = event.items;
        break;
      case 'node-cached':
        state!.status = 'cached';
        state!.outputs = event.outputs;
        if (event.items !== undefined) state!.items = event.items;
        break;
      case 'node-item-skipped':
        state!.skipped = (state!.skipped ?? 0) + 1;
        break;
      case 'node-error':
        state!.status = 'error';
        state!.error = event.message;
        state!.progress = undefined;
        break;
      case 'run-finished':
        this.finish(event.status, event.error);
        break;
    }
    if (node && state) this.nodes.set(node, state);
    this.version++;
    return true;
  }

  private keep(event: RunEvent): void {
    const events = this.unclaimed.get(event.runId) ?? [];
    if (!events.length) {
      this.unclaimed.set(event.runId, events);
      // Bounded: the last few runs, each up to a few thousand events.
      if (this.unclaimed.size > MAX_UNCLAIMED_RUNS) this.unclaimed.delete(this.unclaimed.keys().next().value as string);
    }
    if (events.length < MAX_UNCLAIMED_EVENTS) events.push(event);
  }

  /** Applies a run's final record (after a reconnect, when its `run-finished` was missed). */
  resync(run: RunSummary): void {
    if (run.id !== this.runId) return;
    if (run.status === 'queued' || run.status === 'running') {
      this.status = run.status;
    } else {
      this.finish(run.status, run.error ?? undefined);
    }
    this.version++;
  }

  private finish(status: RunSummary['status'], error?: { node?: string; message: string }): void {
    this.status = status;
    this.error = error?.message;
    // Nodes still running when the run ended were stopped: they show nothing more (unless it succeeded).
    for (const [id, state] of this.nodes) {
      if (state.status !== 'running') continue;
      if (status === 'succeeded') state.status = 'done';
      else this.nodes.delete(id);
    }
    if (error?.node) {
      const state = this.nodes.get(error.node) ?? { status: 'error' as const };
      state.status = 'error';
      state.error ??= error.message;
      this.nodes.set(error.node, state);
    }
  }
}
