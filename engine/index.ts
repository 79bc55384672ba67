/**
 * The engine's public API: socket types, the node API, graph documents, validation, execution, caching
 * and events. It knows nothing about video or ML.
 */

// Socket types and conversions
export { T, socketType, registerType, registerConversion, canConvert, converter, getType, allTypes, allConversions } from './types.js';
export type { SocketType, ValueOf, RawImage, Conversion } from './types.js';

// The node API
export { defineNode, inputMode, hasWidget, outputType } from './node.js';
export type { NodeDef, NodeDefinition, NodeContext, InputSpec, OutputSpec, InputValues, OutputValues, Logger, Preview, InputMode } from './node.js';
export { NodeRegistry } from './registry.js';
export type { NodePack, NodeInfo } from './registry.js';

// Graph documents
export { parseGraph, readGraphFile, isLink, linksOf, registerMigration, graphSchema, GRAPH_VERSION, GRAPH_FORMAT } from './graph.js';
export type { GraphDocument, GraphNode, GraphParam, GraphLayout, Link, Migration } from './graph.js';
export { applyParams, coerceParam } from './params.js';
export { validateGraph, assertValid, checkLiteral, ISSUE_TYPES } from './validate.js';
export { topologicalOrder, findCycles } from './plan.js';
export { planRun } from './run-plan.js';
export type { RunPlan } from './run-plan.js';

// Execution
export { executeGraph, executeValidated, defaultCacheStore } from './execute.js';
export type { RunOptions, RunOutputs, RunResult } from './execute.js';
export { runGraph, RunFailedError } from './run.js';
export type { RunHandle } from './run.js';
export { Broadcast, mapConcurrent, zipByIndex, fromArray, toAsyncIterable } from './stream.js';
export type { Item } from './stream.js';

// Caching
export { LruCacheStore, NullCacheStore, cacheKeys, estimateBytes, stableStringify } from './cache.js';
export type { CacheStore, CacheEntry } from './cache.js';

// Events and errors
export type { RunEvent, RunEventType, RunStatus, EventOf } from './events.js';
export { summarize } from './summary.js';
export { summarizeRunOutputs } from './outputs.js';
export {
  CinegraphError,
  GraphDocumentError,
  GraphValidationError,
  NodeExecutionError,
  RunCancelledError,
  NotFoundError,
  BadRequestError,
} from './errors.js';
export type { GraphIssue } from './errors.js';
