/**
 * The queue and history panel: running and waiting runs, then finished ones, each with its status,
 * duration and error; running and waiting runs can be cancelled, any run's graph can be opened.
 */
import { api, withToken } from '../api.js';
import type { HelloMessage, RunSummary } from '../protocol.js';

export interface QueuePanelActions {
  cancel(id: string): void;
  open(id: string): void;
  /** The run the editor follows (highlighted). */
  followed(): string | undefined;
}

const duration = (run: RunSummary, now: number): string => {
  if (!run.startedAt) return '';
  const ms = (run.endedAt ?? now) - run.startedAt;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
};

/**
 * @example const panel = new QueuePanel(el, actions); panel.snapshot(hello); panel.refresh();
 */
export class QueuePanel {
  private active: RunSummary[] = [];
  private recent: RunSummary[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: HTMLElement,
    private readonly actions: QueuePanelActions,
  ) {
    // Running durations tick.
    setInterval(() => this.active.some((r) => r.status === 'running') && this.render(), 1000);
  }

  /** Takes the server's snapshot (on every (re)connection). */
  snapshot(hello: Pick<HelloMessage, 'queue' | 'recent'>): void {
    this.active = [...hello.queue.running, ...hello.queue.pending];
    this.recent = hello.recent;
    this.render();
  }

  /** Fetches the queue and history again (soon; calls within 150 ms are merged). */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      try {
        const [queue, history] = await Promise.all([api.queue(), api.runs(30)]);
        this.snapshot({ queue, recent: history.runs });
      } catch {
        // The socket's reconnect brings a fresh snapshot.
      }
    }, 150);
  }

  private render(): void {
    const now = Date.now();
    const activeIds = new Set(this.active.map((r) => r.id));
    const runs = [...this.active, ...this.recent.filter((r) => !activeIds.has(r.id))];
    const followed = this.actions.followed();
    this.host.replaceChildren(
      ...runs.map((run) => {
        const li = document.createElement('li');
        li.className = `run ${run.status}${run.id === followed ? ' followed' : ''}`;
        li.dataset.id = run.id;
        li.dataset.status = run.status;
        const head = document.createElement('div');
        head.className = 'run-head';
        const status = document.createElement('span');
        status.className = `status ${run.status}`;
        status.textContent = run.status;
        const name = document.createElement('span');
        name.className = 'run-name';
        name.textContent = `#${run.seq} ${run.name ?? 'untitled'}`;
        const time = document.createElement('span');
        time.className = 'run-time';
        time.textContent = duration(run, now);
        head.append(status, name, time);
        if (run.status === 'queued' || run.status === 'running') {
          const cancel = document.createElement('button');
          cancel.className = 'small';
          cancel.textContent = 'cancel';
          cancel.addEventListener('click', () => this.actions.cancel(run.id));
          head.append(cancel);
        } else {
          const open = document.createElement('button');
          open.className = 'small';
          open.textContent = 'open';
          open.title = 'open the graph as it ran';
          open.addEventListener('click', () => this.actions.open(run.id));
          head.append(open);
        }
        li.append(head);
        if (run.error) {
          const error = document.createElement('div');
          error.className = 'run-error';
          error.textContent = `${run.error.node ? `${run.error.node}: ` : ''}${run.error.message}`;
          li.append(error);
        }
        if (run.files?.length) {
          const files = document.createElement('div');
          files.className = 'run-files';
          for (const f of run.files.slice(0, 4)) {
            const a = document.createElement('a');
            a.href = withToken(`/api/files/outputs/${encodeURIComponent(run.id)}/${f.split('/').map(encodeURIComponent).join('/')}`);
            a.target = '_blank';
            a.textContent = f;
            files.append(a);
          }
          li.append(files);
        }
        return li;
      }),
    );
  }
}
