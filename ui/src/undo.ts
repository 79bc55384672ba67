/**
 * Undo and redo for LiteGraph (which has none): a stack of snapshots of the serialised document, one
 * pushed whenever the document differs from the last snapshot (after a pointer or key gesture, a widget
 * edit, a node added or removed). Pure: the editor supplies `snapshot` and `restore`.
 */
const LIMIT = 200;

/**
 * @example const undo = new UndoStack(() => JSON.stringify(doc()), (s) => load(JSON.parse(s))); undo.commit();
 */
export class UndoStack {
  private past: string[] = [];
  private future: string[] = [];
  private current: string;

  constructor(
    private readonly snapshot: () => string,
    private readonly restore: (state: string) => void,
  ) {
    this.current = snapshot();
  }

  /** Records the present state if it changed; returns whether it did. */
  commit(): boolean {
    const now = this.snapshot();
    if (now === this.current) return false;
    this.past.push(this.current);
    if (this.past.length > LIMIT) this.past.shift();
    this.current = now;
    this.future = [];
    return true;
  }

  /** Forgets the history (after loading another graph). */
  reset(): void {
    this.past = [];
    this.future = [];
    this.current = this.snapshot();
  }

  undo(): boolean {
    this.commit();
    const previous = this.past.pop();
    if (previous === undefined) return false;
    this.future.push(this.current);
    this.current = previous;
    this.restore(previous);
    return true;
  }

  redo(): boolean {
    const next = this.future.pop();
    if (next === undefined) return false;
    this.past.push(this.current);
    this.current = next;
    this.restore(next);
    return true;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }
}
