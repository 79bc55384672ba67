/**
 * Named errors. Each knows its HTTP status and its JSON body, so the server's one error handler and the
 * CLI's exit codes ask the error instead of switching on messages.
 */

/** One problem found in a graph document. */
export interface GraphIssue {
  type: string;
  node?: string;
  input?: string;
  message: string;
}

/** Base of every error the engine throws on purpose. */
export class CinegraphError extends Error {
  readonly type: string = 'error';
  readonly status: number = 500;
  toJSON(): { type: string; message: string; issues?: GraphIssue[] } {
    return { type: this.type, message: this.message };
  }
}

/** The document is not valid JSON or does not match the schema; `issues` lists every problem. */
export class GraphDocumentError extends CinegraphError {
  override readonly type = 'invalid_document';
  override readonly status = 400;
  constructor(message: string, readonly issues: GraphIssue[] = []) {
    super(message);
  }
  override toJSON() {
    return { type: this.type, message: this.message, issues: this.issues };
  }
}

/** The graph is well-formed but cannot run; `issues` lists every problem, not only the first. */
export class GraphValidationError extends CinegraphError {
  override readonly type = 'invalid_graph';
  override readonly status = 400;
  constructor(readonly issues: GraphIssue[]) {
    super(`the graph has ${issues.length} issue${issues.length === 1 ? '' : 's'}: ${issues.map((i) => i.message).join('; ')}`);
  }
  override toJSON() {
    return { type: this.type, message: this.message, issues: this.issues };
  }
}

/** A node failed while running. */
export class NodeExecutionError extends CinegraphError {
  override readonly type = 'node_error';
  constructor(
    readonly node: string,
    readonly nodeType: string,
    message: string,
    readonly inputs: unknown,
    readonly item?: number,
    options?: { cause?: unknown },
  ) {
    super(`node "${node}" (${nodeType}) failed${item === undefined ? '' : ` on item ${item}`}: ${message}`, options);
  }
}

/** The run was cancelled. */
export class RunCancelledError extends CinegraphError {
  override readonly type = 'cancelled';
  override readonly status = 409;
  constructor(message = 'the run was cancelled') {
    super(message);
  }
}

/** Something asked for does not exist (a run, a template, a file). */
export class NotFoundError extends CinegraphError {
  override readonly type = 'not_found';
  override readonly status = 404;
}

/** A request that is malformed or refused for what it asks. */
export class BadRequestError extends CinegraphError {
  override readonly type = 'bad_request';
  override readonly status = 400;
}
