/**
 * The run display on stderr. On a terminal: one live line per running node (bar, percent, items, time),
 * redrawn in place, with finished nodes and messages printed above it. Elsewhere (a pipe, a log file):
 * plain lines per node start, finish and error.
 */
import type { RunEvent } from '../index.js';

/** Where the display writes: stderr, or any stream with `write` (tests). */
export interface DisplayStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Consumes run events and draws them. */
export interface ProgressDisplay {
  event(event: RunEvent): void;
  /** A message (a node's log line, a warning) printed above the live lines. */
  log(line: string): void;
  /** Clears the live lines and stops redrawing. */
  stop(): void;
}

interface Running {
  type: string;
  started: number;
  value?: number;
  max?: number;
  items?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR = 20;

/**
 * A display for a run: live (ANSI, redrawn in place) when the stream is a terminal, plain lines otherwise.
 * @example
 * const display = createProgressDisplay(process.stderr);
 * run.events.subscribe({ next: (e) => display.event(e), complete: () => display.stop() });
 */
export function createProgressDisplay(stream: DisplayStream, options: { live?: boolean } = {}): ProgressDisplay {
  const live = options.live ?? stream.isTTY === true;
  return live ? new LiveDisplay(stream) : new PlainDisplay(stream);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
const itemsText = (n: number | undefined) => (n === undefined ? '' : ` · ${n} item${n === 1 ? '' : 's'}`);

function finishedLine(e: Extract<RunEvent, { type: 'run-finished' }>): string {
  const counts = `${e.executed} executed, ${e.cached} cached`;
  return `run ${e.status} in ${seconds(e.ms)} (${counts})`;
}

class PlainDisplay implements ProgressDisplay {
  constructor(private readonly out: DisplayStream) {}

  event(e: RunEvent): void {
    const line = (text: string) => this.out.write(`${text}\n`);
    switch (e.type) {
      case 'node-started':
        return void line(`started  ${e.node} (${e.nodeType})`);
      case 'node-output':
        return void line(`finished ${e.node} (${e.nodeType}) in ${seconds(e.ms)}${itemsText(e.items)}`);
      case 'node-cached':
        return void line(`cached   ${e.node} (${e.nodeType})${itemsText(e.items)}`);
      case 'node-error':
        return void line(`error    ${e.node} (${e.nodeType}): ${e.message}`);
      case 'node-item-skipped':
        return void line(`skipped  ${e.node} (${e.nodeType}) item ${e.item}: ${e.message}`);
      case 'run-finished':
        return void line(finishedLine(e));
      default:
        return;
    }
  }

  log(text: string): void {
    this.out.write(`${text}\n`);
  }

  stop(): void {}
}

class LiveDisplay implements ProgressDisplay {
  private readonly running = new Map<string, Running>();
  private drawn = 0;
  private frame = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly out: DisplayStream) {
    this.timer = setInterval(() => this.redraw(), 100);
    this.timer.unref();
  }

  event(e: RunEvent): void {
    switch (e.type) {
      case 'node-started':
        this.running.set(e.node, { type: e.nodeType, started: e.time });
        break;
      case 'node-progress': {
        const node = this.running.get(e.node);
        if (node) Object.assign(node, { value: e.value, max: e.max });
        break;
      }
      case 'node-items': {
        const node = this.running.get(e.node);
        if (node) node.items = e.count;
        break;
      }
      case 'node-output':
        this.running.delete(e.node);
        this.print(`\x1b[32m✓\x1b[0m ${e.node} (${e.nodeType}) ${seconds(e.ms)}${itemsText(e.items)}`);
        break;
      case 'node-cached':
        this.print(`\x1b[2m· ${e.node} (${e.nodeType}) cached${itemsText(e.items)}\x1b[0m`);
        break;
      case 'node-error':
        this.running.delete(e.node);
        this.print(`\x1b[31m✗ ${e.node} (${e.nodeType}): ${e.message}\x1b[0m`);
        break;
      case 'node-item-skipped':
        this.print(`\x1b[33m! ${e.node} (${e.nodeType}) item ${e.item} skipped: ${e.message}\x1b[0m`);
        break;
      case 'run-finished':
        this.running.clear();
        this.print(finishedLine(e));
        break;
      default:
        return;
    }
    this.redraw();
  }

  log(text: string): void {
    this.print(text);
  }

  stop(): void {
    clearInterval(this.timer);
    this.out.write(this.clear());
    this.drawn = 0;
  }

  /** Prints a permanent line above the live area. */
  private print(text: string): void {
    this.out.write(`${this.clear()}${text}\n`);
    this.drawn = 0;
    this.redraw();
  }

  /** Moves to the top of the live area and erases it. */
  private clear(): string {
    return this.drawn ? `\r\x1b[${this.drawn}A\x1b[J` : '\r\x1b[J';
  }

  private redraw(): void {
    const width = Math.max(40, (this.out.columns || 100) - 1);
    const spin = SPINNER[this.frame++ % SPINNER.length];
    const lines = [...this.running].map(([id, node]) => truncate(`${spin} ${id} (${node.type}) ${this.detail(node)}`, width));
    this.out.write(`${this.clear()}${lines.map((l) => `${l}\n`).join('')}`);
    this.drawn = lines.length;
  }

  private detail(node: Running): string {
    const parts: string[] = [];
    if (node.max) {
      const ratio = Math.min(1, Math.max(0, (node.value ?? 0) / node.max));
      const filled = Math.round(ratio * BAR);
      parts.push(`${String(Math.floor(ratio * 100)).padStart(3)}% [${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${node.value}/${node.max}`);
    }
    if (node.items !== undefined) parts.push(`${node.items} item${node.items === 1 ? '' : 's'}`);
    parts.push(seconds(Date.now() - node.started));
    return parts.join(' · ');
  }
}

function truncate(text: string, width: number): string {
  return [...text].length > width ? `${[...text].slice(0, width - 1).join('')}…` : text;
}
