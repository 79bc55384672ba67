/**
 * What every part of the server shares: the registry, the run queue and history, the template store,
 * the data folders and the access policy. Built once by `startServer`, passed to `createApp`.
 */
import type { NodeRegistry } from '../engine/index.js';
import type { RunHistory } from './history.js';
import type { RunQueue } from './run-queue.js';
import type { AccessPolicy } from './security.js';
import type { TemplateStore } from './templates.js';

/** The server's log: one line per call. Secrets (tokens, keys) are never passed to it. */
export interface ServerLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The data folders, all absolute. */
export interface DataDirs {
  /** Root of everything the server writes. */
  data: string;
  /** Persisted run records, one JSON file per run. */
  history: string;
  /** Uploaded files. */
  uploads: string;
  /** Files written by runs, one folder per run id. */
  outputs: string;
  /** The user's saved templates (shadow shipped ones of the same name). */
  userGraphs: string;
  /** The templates shipped with cinegraph (read-only). */
  shippedGraphs: string;
  /** The built editor, when there is one. */
  ui: string | undefined;
}

/** Everything routes need. */
export interface ServerContext {
  registry: NodeRegistry;
  queue: RunQueue;
  history: RunHistory;
  templates: TemplateStore;
  dirs: DataDirs;
  access: AccessPolicy;
  maxUploadBytes: number;
  logger: ServerLogger;
}
