/**
 * The dit pack's VAE and text nodes: run directly, and in a saved-graph-shaped document through the
 * engine (image/load -> dit/vae-encode -> dit/vae-decode -> image/save gives back the same pixels).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { NullCacheStore, parseGraph, runGraph } from '../../engine/index.js';
import { readImage } from '../../media/image/index.js';
import { releaseTextEncoders, writeTinyTextEmbedding } from '../../ml/text/index.js';
import { releaseVaes, writePatchVae } from '../../ml/vae/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { ditPack } from '../../nodes/dit/index.js';
import { encodeTextNode } from '../../nodes/dit/encode-text.js';
import { vaeDecodeNode } from '../../nodes/dit/vae-decode.js';
import { vaeEncodeNode } from '../../nodes/dit/vae-encode.js';
import { coordinates, previewSize, recordingContext, runNode, tempDir, writeFixture } from '../fixtures/images/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let vae: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('dit-nodes'));
  vae = await writePatchVae(path.join(dir, 'vae'), { patch: 4 });
});
afterAll(async () => {
  await releaseVaes();
  await releaseTextEncoders();
  await cleanup();
});

test('vae-encode and vae-decode round-trip an image, and decode shows a preview', async () => {
  const { ctx, previews } = recordingContext(dir);
  const image = coordinates(16, 12);
  const enc = await runNode(vaeEncodeNode, { image, vae, device: 'cpu' }, ctx);
  expect([enc.channels, enc.height, enc.width]).toEqual([48, 3, 4]);
  const dec = await runNode(vaeDecodeNode, { latent: enc.latent, vae, device: 'cpu' }, ctx);
  expect(Buffer.from((dec.image as typeof image).data).equals(Buffer.from(image.data))).toBe(true);
  expect(previews).toHaveLength(1);
  expect(await previewSize(previews[0]!)).toMatchObject({ width: 16, height: 12, format: 'png' });
});

test('vae-encode names the VAE input when it is empty', async () => {
  const { ctx } = recordingContext(dir);
  await expect(runNode(vaeEncodeNode, { image: coordinates(8, 8), device: 'cpu' }, ctx)).rejects.toThrow(/no VAE given/);
});

test('encode-text pads to maxTokens and counts the real tokens', async () => {
  const { ctx } = recordingContext(dir);
  const encoder = await writeTinyTextEmbedding(path.join(dir, 'embed'), { dim: 6 });
  const out = await runNode(encodeTextNode, { text: 'make the cup red', encoder, maxTokens: 12, device: 'cpu' }, ctx);
  expect(out.tokens).toBe(5);
  expect(out.embedding).toMatchObject({ tokens: 12, dim: 6, text: 'make the cup red' });
});

test('a graph loads, encodes, decodes and saves the same pixels', async () => {
  const image = coordinates(24, 16);
  const file = await writeFixture(dir, 'in.png', image);
  const doc = parseGraph({
    format: 'cinegraph.graph',
    version: 1,
    nodes: {
      load: { type: 'image/load', inputs: { path: file } },
      encode: { type: 'dit/vae-encode', inputs: { image: { from: 'load', output: 'image' }, vae, device: 'cpu' } },
      decode: { type: 'dit/vae-decode', inputs: { latent: { from: 'encode', output: 'latent' }, vae, device: 'cpu' } },
      save: { type: 'image/save', inputs: { image: { from: 'decode', output: 'image' }, prefix: 'roundtrip' } },
    },
  });
  const out = path.join(dir, 'out');
  const run = runGraph(doc, { registry: builtinRegistry([ditPack]), cache: new NullCacheStore(), outputDir: out });
  const events = firstValueFrom(run.events.pipe(toArray()));
  const result = await run.result;
  expect(result.status).toBe('succeeded');
  expect((await events).some((e) => e.type === 'node-preview' && e.node === 'decode')).toBe(true);
  const saved = (result.outputs.save as { path: string }).path;
  const back = await readImage(saved);
  expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
  expect((await readFile(saved)).length).toBeGreaterThan(0);
});
