/** WebDataset shards: standard tar, size limits, reading back, shuffling, worker sharding, resuming. */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeImage } from '../../media/image/io.js';
import { forgetWriterLock, INDEX_FILE, readIndex, readShards, ShardWriter } from '../../media/shards/index.js';
import type { Session } from '../../media/session/index.js';
import { makeSessions } from './helpers.js';
import { defineNode, NullCacheStore, type NodePack } from '../../engine/index.js';
import { planClip } from '../../media/synth/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { FRAME_SET } from '../../nodes/video/types.js';
import { graph, link, ofType, runAll } from '../support/graph.js';

const run = promisify(execFile);
let dir: string;
let sessions: Session[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cinegraph-shards-'));
  sessions = makeSessions(12);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function writeAll(out: string, list: Session[], options: { maxBytes?: number; maxSessions?: number } = {}) {
  const writer = await ShardWriter.open({ dir: out, ...options });
  for (const s of list) await writer.write(s);
  return writer.close();
}

async function collect(options: Parameters<typeof readShards>[0]): Promise<Session[]> {
  const out: Session[] = [];
  for await (const s of readShards(options)) out.push(s);
  return out;
}

describe('writing shards', () => {
  test('a standard tar reader lists and extracts the members; shards respect the size limit', async () => {
    const out = join(dir, 'std');
    const summary = await writeAll(out, sessions, { maxBytes: 40_000 });
    expect(summary.written).toBe(12);
    expect(summary.shards.length).toBeGreaterThan(1);
    const { entries } = await readIndex(out);
    expect(entries.map((e) => e.shard)).toEqual(summary.shards);
    expect(entries.flatMap((e) => e.keys)).toEqual(sessions.map((s) => s.record.key));
    for (const e of entries) {
      const path = join(out, e.shard);
      const size = (await readFile(path)).length;
      expect(size).toBe(e.bytes);
      if (e.keys.length > 1) expect(size).toBeLessThanOrEqual(40_000);
      const names = execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).trim().split('\n');
      const first = sessions.find((s) => s.record.key === e.keys[0])!;
      const k = first.record.key;
      expect(names).toEqual(expect.arrayContaining([`${k}.json`, `${k}.0.png`, `${k}.1.png`, `${k}.2.png`, `${k}.0.mask0.png`, `${k}.0.mask1.png`, `${k}.1.mask0.png`]));
      // Extract the record and a frame with tar itself and compare with what was written.
      const json = execFileSync('tar', ['-xOf', path, `${k}.json`]);
      expect(JSON.parse(json.toString())).toEqual(first.record);
      const png = execFileSync('tar', ['-xOf', path, `${k}.1.png`]);
      const frame = await decodeImage(png);
      expect(Buffer.compare(Buffer.from(frame.data), Buffer.from(first.frames[1]!.data))).toBe(0);
    }
    expect((await readdir(out)).filter((n) => n.endsWith('.tmp') || n.startsWith('.writer'))).toEqual([]);
  });

  test('rewriting the same sessions writes nothing twice; new ones go to a new shard', async () => {
    const out = join(dir, 'again');
    await writeAll(out, sessions.slice(0, 6), { maxSessions: 4 });
    const second = await writeAll(out, sessions, { maxSessions: 4 });
    expect([second.skipped, second.written, second.total]).toEqual([6, 6, 12]);
    const keys = (await readIndex(out)).entries.flatMap((e) => e.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(12);
  });

  test('an abandoned temporary shard is discarded, a lost index line is recovered, a torn line is dropped', async () => {
    const out = join(dir, 'recover');
    await writeAll(out, sessions.slice(0, 4), { maxSessions: 2 }); // shard-000000, shard-000001
    // A writer that never finishes: its temporary shard stays behind.
    const crashed = await ShardWriter.open({ dir: out, maxSessions: 10 });
    await crashed.write(sessions[4]!);
    expect((await readdir(out)).some((n) => n.endsWith('.tar.tmp'))).toBe(true);
    forgetWriterLock(out); // as a crash would: its lock file and temporary shard stay behind
    // The index loses its last line and gains a torn one.
    const lines = (await readFile(join(out, INDEX_FILE), 'utf8')).trim().split('\n');
    await writeFile(join(out, INDEX_FILE), lines[0] + '\n');
    await appendFile(join(out, INDEX_FILE), '{"shard":"shard-0000');
    const summary = await writeAll(out, sessions.slice(0, 8), { maxSessions: 2 });
    expect(summary.discarded).toEqual(['shard-000002.tar.tmp']);
    expect(summary.recovered).toEqual(['shard-000001.tar']);
    expect([summary.skipped, summary.written]).toEqual([4, 4]);
    const keys = (await readIndex(out)).entries.flatMap((e) => e.keys);
    expect(keys.sort()).toEqual(sessions.slice(0, 8).map((s) => s.record.key).sort());
    expect((await readdir(out)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await crashed.abort(); // closes its file handle; its temporary shard is long gone
  });
});

describe('reading shards', () => {
  let out: string;
  beforeAll(async () => {
    out = join(dir, 'read');
    await writeAll(out, sessions, { maxSessions: 3 });
  });

  test('read-shards gives back every session: records, frames and masks', async () => {
    const back = await collect({ dir: out });
    expect(back.map((s) => s.record)).toEqual(sessions.map((s) => s.record));
    for (const [i, s] of back.entries()) {
      expect(s.frames.map((f, k) => Buffer.from(f.data).equals(Buffer.from(sessions[i]!.frames[k]!.data)))).toEqual(s.frames.map(() => true));
      expect(s.masks.map((m) => [m.source?.channels, m.target?.data.length])).toEqual(sessions[i]!.masks.map((m) => [m.source?.channels, m.target?.data.length]));
      expect(Buffer.from(s.masks[0]!.target!.data).equals(Buffer.from(sessions[i]!.masks[0]!.target!.data))).toBe(true);
    }
  });

  test('the shuffle is deterministic for a seed, different for another, and keeps every session', async () => {
    const order = async (seed: number) => (await collect({ dir: out, shuffle: 5, seed, decode: false })).map((s) => s.record.key);
    const a = await order(1);
    expect(await order(1)).toEqual(a);
    expect(await order(2)).not.toEqual(a);
    expect(a).not.toEqual(sessions.map((s) => s.record.key));
    expect([...a].sort()).toEqual(sessions.map((s) => s.record.key).sort());
  });

  test('workers partition the sessions: each session goes to exactly one worker', async () => {
    const parts = await Promise.all([0, 1, 2].map((worker) => collect({ dir: out, worker, workers: 3, shuffle: 4, seed: 9, decode: false })));
    const keys = parts.flatMap((p) => p.map((s) => s.record.key));
    expect(keys.sort()).toEqual(sessions.map((s) => s.record.key).sort());
    expect(parts.every((p) => p.length === 4)).toBe(true);
    await expect(collect({ dir: out, worker: 3, workers: 3 })).rejects.toThrow(/worker must be in 0\.\.2/);
  });

  test('a corrupt shard fails the read naming it, or is reported and skipped', async () => {
    const bad = join(dir, 'bad');
    await writeAll(bad, sessions.slice(0, 6), { maxSessions: 3 });
    const { entries } = await readIndex(bad);
    await truncate(join(bad, entries[0]!.shard), 3000);
    await expect(collect({ dir: bad })).rejects.toThrow(/shard-000000\.tar/);
    const skipped: string[] = [];
    const back = await collect({ dir: bad, onBadShard: 'skip', onSkip: (s) => skipped.push(s) });
    expect(skipped).toEqual(['shard-000000.tar']);
    expect(back.map((s) => s.record.key)).toEqual(entries[1]!.keys);
  });
});

describe('resume after SIGKILL', () => {
  let lib: string;
  beforeAll(async () => {
    // The child runs compiled JavaScript: compile the shard and session libraries into dist/ (git-ignored).
    lib = resolve('dist', `.test-shards-${process.pid}`);
    await run(process.execPath, [
      resolve('node_modules/typescript/bin/tsc'), '--outDir', lib, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--skipLibCheck', '--esModuleInterop', '--types', 'node', 'media/shards/index.ts', 'media/session/index.ts',
    ], { timeout: 60_000 });
  }, 90_000);
  afterAll(async () => rm(lib, { recursive: true, force: true }));

  function child(out: string, count: number, hangAt?: number) {
    const args = [resolve('tests/shards/fixtures/write-many.mjs'), lib, out, String(count), ...(hangAt ? [String(hangAt)] : [])];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d));
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    const exit = new Promise<{ code: number | null; signal: string | null }>((res) => proc.on('close', (code, signal) => res({ code, signal })));
    const hung = hangAt
      ? new Promise<void>((res, rej) => {
          proc.stdout.on('data', () => stdout.includes('hanging') && res());
          void exit.then(() => (stdout.includes('hanging') ? res() : rej(new Error(`child ended: ${stderr}`))));
        })
      : Promise.resolve();
    return { proc, exit, hung, output: () => ({ stdout, stderr }) };
  }

  test('a writer killed with SIGKILL mid-shard loses nothing and writes nothing twice on rerun', async () => {
    const out = join(dir, 'killed');
    const first = child(out, 40, 30);
    await first.hung;
    first.proc.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const left = await readdir(out);
    expect(left).toEqual(expect.arrayContaining(['shard-000004.tar.tmp', '.writer.lock']));
    expect((await readIndex(out)).entries.flatMap((e) => e.keys)).toHaveLength(28);

    const second = child(out, 40);
    const ended = await second.exit;
    expect(ended.code).toBe(0);
    const done = JSON.parse(second.output().stdout.split('\n').find((l) => l.startsWith('done '))!.slice(5));
    expect([done.skipped, done.written, done.total, done.discarded]).toEqual([28, 12, 40, ['shard-000004.tar.tmp']]);

    const entries = (await readIndex(out)).entries;
    const keys = entries.flatMap((e) => e.keys);
    expect(keys).toHaveLength(40);
    expect(new Set(keys).size).toBe(40);
    // The tar files agree with the index: every session's record exactly once.
    const jsons = entries.flatMap((e) => execFileSync('tar', ['-tf', join(out, e.shard)], { encoding: 'utf8' }).split('\n').filter((n) => n.endsWith('.json')));
    expect(jsons.sort()).toEqual(keys.map((k) => `${k}.json`).sort());
    expect((await readdir(out)).filter((n) => n.endsWith('.tmp') || n === '.writer.lock')).toEqual([]);
    const back = await collect({ dir: out, decode: false });
    expect(back.map((s) => s.record.source.path).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `/videos/v${i}.mp4`).sort());
  }, 60_000);

  test('a live writer holds the folder: a second writer is refused', async () => {
    const out = join(dir, 'locked');
    const first = child(out, 10, 3);
    await first.hung;
    await expect(ShardWriter.open({ dir: out })).rejects.toThrow(/another writer \(process \d+\)/);
    first.proc.kill('SIGKILL');
    await first.exit;
    const summary = await writeAll(out, []);
    expect(summary.discarded).toEqual(['shard-000000.tar.tmp']);
  }, 60_000);
});

test('two writers of one process cannot share a folder, and the folder is free again after close', async () => {
  const out = join(dir, 'same-process');
  const first = await ShardWriter.open({ dir: out });
  await expect(ShardWriter.open({ dir: out })).rejects.toThrow(/another writer in this process/);
  await first.close();
  const second = await ShardWriter.open({ dir: out });
  await second.close();
});

/** Frame sets of synthetic clips; the second has a frame of another size (a bad item). */
const frameSets: NodePack = {
  name: 'fixtures',
  nodes: [
    defineNode({
      type: 'fixtures/frame-sets',
      description: 'Three frame sets, the second one bad',
      inputs: {},
      outputs: { frames: FRAME_SET },
      async *stream() {
        for (let seed = 0; seed < 3; seed++) {
          const plan = planClip({ seed, width: 96, height: 64, events: 2 });
          const frames = plan.images.map((img, i) => ({ ...img, time: i, index: i, source: `/videos/clip-${seed}.mp4` }));
          if (seed === 1) frames[1] = { width: 32, height: 32, channels: 3, data: new Uint8Array(32 * 32 * 3), time: 1, index: 1, source: '/videos/clip-1.mp4' };
          yield { frames: { source: `/videos/clip-${seed}.mp4`, frames, reason: 'count' as const } };
        }
      },
    }),
  ],
};

describe('dataset nodes', () => {
  test('with the skip policy, a bad item is reported and the other sessions are written and read back', async () => {
    const out = join(dir, 'nodes');
    const doc = graph({
      sets: { type: 'fixtures/frame-sets' },
      masks: { type: 'mask/change-sequence', onItemError: 'skip', inputs: { frames: link('sets', 'frames') } },
      assemble: { type: 'session/assemble', onItemError: 'skip', inputs: { frames: link('sets', 'frames'), masks: link('masks', 'masks') } },
      write: { type: 'dataset/write-shards', inputs: { sessions: link('assemble', 'session'), out, maxSessions: 1 } },
    });
    const registry = builtinRegistry([frameSets]);
    const { result, events } = await runAll(doc, { registry, cache: new NullCacheStore() });
    expect(result.status).toBe('succeeded');
    expect(result.outputs.write).toMatchObject({ dir: out, written: 2, skipped: 0 });
    const skipped = ofType(events, 'node-item-skipped');
    expect(skipped.map((e) => [e.node, e.item])).toEqual([['masks', 1]]);
    expect(skipped[0]!.message).toMatch(/clip-1\.mp4.*differ in size/);

    const read = graph({
      read: { type: 'dataset/read-shards', inputs: { dir: out, shuffle: 2, seed: 3 } },
      keys: { type: 'test/collect', inputs: { values: link('read', 'key') } },
    });
    const { testPack } = await import('../support/test-nodes.js');
    const back = await runAll(read, { registry: builtinRegistry([testPack]), cache: new NullCacheStore() });
    const keys = (back.result.outputs.keys as { values: string[] }).values;
    expect(keys.sort()).toEqual((await readIndex(out)).entries.flatMap((e) => e.keys).sort());
    expect(keys).toHaveLength(2);
  });
});
