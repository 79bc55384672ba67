/**
 * WebDataset tar shards of sessions: a resumable writer (size-limited shards, temp names, fsync, rename,
 * index.jsonl) and a streaming reader (seeded shuffle buffer, worker sharding).
 */
export { ShardWriter, forgetWriterLock } from './writer.js';
export type { ShardWriterOptions, ShardWriteSummary } from './writer.js';
export { readShards } from './reader.js';
export type { ReadShardsOptions } from './reader.js';
export { listShards, readIndex, scanShard, INDEX_FILE, TEMP_SUFFIX } from './listing.js';
export type { ShardEntry } from './listing.js';
export { sessionMembers, sessionFromMembers, splitMember } from './members.js';
export type { Member } from './members.js';
export { TarWriter, tarHeader, tarMemberSize } from './tar.js';
