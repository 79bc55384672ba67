/**
 * The run events: one discriminated union (`type`), forwarded unchanged over WebSocket and printed by the CLI.
 * Every event carries `runId` and `time` (ms since the epoch), and `node` where it concerns one.
 */

interface Base {
  runId: string;
  time: number;
}
interface NodeBase extends Base {
  node: string;
  nodeType: string;
}

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';

export type RunEvent =
  | (Base & { type: 'run-queued'; position: number })
  | (Base & { type: 'run-started'; nodes: number; cached: number })
  | (NodeBase & { type: 'node-started' })
  | (NodeBase & { type: 'node-progress'; value: number; max: number })
  /** Items a stream node has emitted so far (throttled). */
  | (NodeBase & { type: 'node-items'; count: number })
  | (NodeBase & { type: 'node-preview'; image: { url: string; width?: number; height?: number } })
  | (NodeBase & { type: 'node-metric'; name: string; step: number; value: number })
  /** A node finished: `outputs` is JSON-safe (images summarised); stream nodes report `items`. */
  | (NodeBase & { type: 'node-output'; outputs: unknown; items?: number; ms: number })
  | (NodeBase & { type: 'node-cached'; outputs: unknown; items?: number })
  /** One item of a stream failed and was skipped (the node's `onItemError` is `skip`). */
  | (NodeBase & { type: 'node-item-skipped'; item: number; message: string })
  | (NodeBase & { type: 'node-error'; message: string; detail: { inputs: unknown; stack?: string; item?: number } })
  | (Base & {
      type: 'run-finished';
      status: RunStatus;
      error?: { node?: string; nodeType?: string; message: string };
      executed: number;
      cached: number;
      ms: number;
    });

export type RunEventType = RunEvent['type'];

/** The event of a given type. @example const e: EventOf<'node-progress'> = ... */
export type EventOf<K extends RunEventType> = Extract<RunEvent, { type: K }>;
