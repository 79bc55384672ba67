/**
 * The editor's run view (ui/src/run-state.ts): node states from run events, including the events that
 * arrive before the editor knows the id of the run it just queued.
 */
import { describe, expect, test } from '@jest/globals';
import type { RunEvent } from '../../ui/src/protocol.js';
import { RunView } from '../../ui/src/run-state.js';

const at = { time: 0 };
const node = (runId: string, id: string) => ({ ...at, runId, node: id, nodeType: 't/x' });

describe('the run view', () => {
  test('replays the events of a run that came before the editor followed it', () => {
    const view = new RunView();
    const events: RunEvent[] = [
      { ...at, runId: 'r1', type: 'run-started', nodes: 2, cached: 0 },
      { ...node('r1', 'train'), type: 'node-started' },
      { ...node('r1', 'train'), type: 'node-metric', name: 'loss', step: 1, value: 0.9 },
      { ...node('r1', 'train'), type: 'node-metric', name: 'loss', step: 2, value: 0.4 },
      { ...node('r1', 'load'), type: 'node-cached', outputs: {} },
      { ...node('other', 'train'), type: 'node-error', message: 'not ours', detail: { inputs: {} } },
    ];
    for (const e of events) expect(view.apply(e)).toBe(false);
    view.follow('r1');
    expect(view.status).toBe('running');
    expect(view.nodes.get('train')).toMatchObject({ status: 'running' });
    expect(view.nodes.get('load')).toMatchObject({ status: 'cached' });
    expect([...view.metrics.values()]).toEqual([{ node: 'train', name: 'loss', steps: [1, 2], values: [0.9, 0.4] }]);
    expect(view.apply({ ...at, runId: 'r1', type: 'run-finished', status: 'succeeded', executed: 1, cached: 1, ms: 5 })).toBe(true);
    expect(view.nodes.get('train')).toMatchObject({ status: 'done' });
  });

  test('marks the failing node with its message, from an event or from the final record after a reconnect', () => {
    const view = new RunView();
    view.follow('r2');
    view.apply({ ...node('r2', 'load'), type: 'node-started' });
    view.apply({ ...node('r2', 'load'), type: 'node-progress', value: 1, max: 4 });
    expect(view.nodes.get('load')).toMatchObject({ status: 'running', progress: { value: 1, max: 4 } });
    view.resync({ id: 'r2', seq: 1, name: null, status: 'failed', outputs: null, files: [], error: { node: 'load', message: 'cannot read x.png' }, queuedAt: 0, startedAt: 0, endedAt: 1, executed: 0, cached: 0 });
    expect(view.status).toBe('failed');
    expect(view.nodes.get('load')).toMatchObject({ status: 'error', error: 'cannot read x.png' });
  });

  test('shows the issues of a refused graph on their nodes', () => {
    const view = new RunView();
    view.showIssues([
      { type: 'missing_input', node: 'a', input: 'path', message: 'needs input "path"' },
      { type: 'out_of_range', node: 'a', input: 'n', message: 'n is above 5' },
      { type: 'no_output', message: 'no output node' },
    ]);
    expect(view.nodes.get('a')).toEqual({ status: 'error', error: 'needs input "path"\nn is above 5' });
    expect(view.nodes.size).toBe(1);
  });
});
