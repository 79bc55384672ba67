/** Stopping a decode (abort, early return, cancelling a run) leaves no ffmpeg process behind. */
import { firstValueFrom, filter } from 'rxjs';
import { NullCacheStore, runGraph } from '../../engine/index.js';
import { decodeFrames } from '../../media/video/index.js';
import { builtinRegistry } from '../../nodes/index.js';
import { graph, link } from '../support/graph.js';
import { ffmpegChildren, lavfi, tempDir } from './clips.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let long: string;
beforeAll(() => {
  long = lavfi(`${dir}/long.mp4`, 'testsrc2=size=320x240:rate=25', 20, ['-preset', 'ultrafast']);
});

test('aborting the signal kills ffmpeg and ends the stream with the abort', async () => {
  const controller = new AbortController();
  const frames = decodeFrames(long, { signal: controller.signal, area: null });
  await frames.next();
  expect(ffmpegChildren()).toHaveLength(1);
  controller.abort(new Error('user cancelled'));
  await expect((async () => { for await (const _ of frames) void _; })()).rejects.toThrow('user cancelled');
  expect(ffmpegChildren()).toEqual([]);
});

test('a consumer that stops early (break) kills ffmpeg before the loop is left', async () => {
  let n = 0;
  for await (const _ of decodeFrames(long)) {
    void _;
    if (++n === 3) {
      expect(ffmpegChildren()).toHaveLength(1);
      break;
    }
  }
  expect(ffmpegChildren()).toEqual([]);
});

test('cancelling a graph run mid-decode leaves no ffmpeg child', async () => {
  const doc = graph({
    decode: { type: 'video/decode', inputs: { path: long, area: 'native' } },
    out: { type: 'core/collect', inputs: { items: link('decode', 'frame') } },
  });
  const run = runGraph(doc, { registry: builtinRegistry(), cache: new NullCacheStore() });
  await firstValueFrom(run.events.pipe(filter((e) => e.type === 'node-items' && e.node === 'decode')));
  expect(ffmpegChildren()).toHaveLength(1);
  run.cancel();
  const result = await run.result;
  expect(result.status).toBe('cancelled');
  expect(ffmpegChildren()).toEqual([]);
});
