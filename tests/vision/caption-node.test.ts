/**
 * The caption nodes inside real graph runs, against a real chat-completions server on loopback: a stream
 * of frame pairs with the skip policy continuing past a bad pair, a whole frame set captioned in order,
 * and the API key kept out of events and errors.
 */
import sharp from 'sharp';
import { defineNode, NodeRegistry, NullCacheStore, T, type NodePack, type RawImage } from '../../engine/index.js';
import { visionPack } from '../../nodes/vision/index.js';
import { captionFrameSetNode } from '../../nodes/vision/caption-frame-set.js';
import { captionTransitionNode } from '../../nodes/vision/caption-transition.js';
import { FRAME_SET, type Frame } from '../../nodes/video/types.js';
import { chatReply, errorReply, startChatServer, type ChatServer, type RecordedRequest, type Reply } from '../support/chat-server.js';
import { graph, link, ofType, runAll } from '../support/graph.js';
import { testPack } from '../support/test-nodes.js';

const KEY = 'sk-node-test-91d0c3aa7f42secret';
const KEY_ENV = 'CINEGRAPH_CAPTION_NODE_TEST_KEY';

/** A grey picture whose level encodes a number (level = 40 * (n + 1)), so the server can tell pairs apart. */
function grey(n: number): RawImage {
  return { width: 32, height: 24, channels: 3, data: new Uint8Array(32 * 24 * 3).fill(40 * (n + 1)) };
}

/** The number encoded in the first image of the first user message of a request. */
async function pairOf(request: RecordedRequest): Promise<number> {
  const user = request.body.messages.find((m: { role: string }) => m.role === 'user');
  const url: string = user.content[0].image_url.url;
  const { data } = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).raw().toBuffer({ resolveWithObject: true });
  return Math.round(data[0]! / 40) - 1;
}

const caption = (n: number) => ({
  source: `Frame ${n}.`,
  target: `Frame ${n + 1}.`,
  differences: [`step ${n}`],
  instruction: `Edit pair ${n}`,
  regions: [{ phrase: `object ${n}`, frame: 'target' }],
});

const testNodes: NodePack = {
  name: 'captest',
  nodes: [
    defineNode({
      type: 'captest/pairs',
      description: 'Streams `count` frame pairs; pair n has grey level 40(n+1)',
      inputs: { count: { type: T.INT, default: 3 } },
      outputs: { source: T.IMAGE, target: T.IMAGE },
      async *stream({ count }) {
        for (let n = 0; n < count; n++) yield { source: grey(n), target: grey(n + 1) };
      },
    }),
    defineNode({
      type: 'captest/frame-set',
      description: 'One frame set of `count` frames from clip.mp4, 0.5 s apart',
      inputs: { count: { type: T.INT, default: 4 } },
      outputs: { frames: FRAME_SET },
      run: ({ count }) => ({
        frames: {
          source: 'clip.mp4',
          reason: 'interval' as const,
          frames: Array.from({ length: count }, (_, n): Frame => ({ ...grey(n), index: n, time: n * 0.5, source: 'clip.mp4' })),
        },
      }),
    }),
  ],
};

// Only the caption nodes: the vision pack may also hold other helpers' nodes, tested elsewhere.
const registry = () =>
  new NodeRegistry()
    .addPack(testPack)
    .addPack(testNodes)
    .addPack({ name: 'vision', nodes: [captionTransitionNode, captionFrameSetNode] });

let server: ChatServer | undefined;
beforeEach(() => (process.env[KEY_ENV] = KEY));
afterEach(async () => {
  delete process.env[KEY_ENV];
  await server?.close();
  server = undefined;
});

/** Answers each pair by its grey level; `bad` pairs get an unusable answer (also on repair). */
function answerPairs(bad: number[], badReply: (r: RecordedRequest) => Reply = () => chatReply('I am not sure what changed.')) {
  return async (request: RecordedRequest) => {
    const n = await pairOf(request);
    return bad.includes(n) ? badReply(request) : chatReply('Here you go:\n```json\n' + JSON.stringify(caption(n)) + '\n```');
  };
}

const backendInputs = (baseUrl: string) => ({ baseUrl, model: 'test-vlm', apiKeyEnv: KEY_ENV, imageFormat: 'png', maxTokens: 256 });

test('the vision pack lists the caption nodes', () => {
  const types = visionPack.nodes.map((n) => n.type);
  expect(types).toEqual(expect.arrayContaining(['vision/caption-transition', 'vision/caption-frame-set']));
});

test('a stream of pairs is captioned; with the skip policy a pair that stays unusable is skipped and the rest continue', async () => {
  server = await startChatServer(answerPairs([1]));
  const doc = graph({
    pairs: { type: 'captest/pairs', inputs: { count: 4 } },
    caption: {
      type: 'vision/caption-transition',
      inputs: { source: link('pairs', 'source'), target: link('pairs', 'target'), ...backendInputs(server.baseUrl) },
      onItemError: 'skip',
    },
    out: { type: 'test/collect', inputs: { values: link('caption', 'instruction') } },
    captions: { type: 'test/collect', inputs: { values: link('caption', 'caption') } },
  });
  const { result, events } = await runAll(doc, { registry: registry(), cache: new NullCacheStore() });

  expect(result.status).toBe('succeeded');
  expect((result.outputs.out as { values: string[] }).values.sort()).toEqual(['Edit pair 0', 'Edit pair 2', 'Edit pair 3']);
  expect((result.outputs.captions as { values: unknown[] }).values).toContainEqual(caption(2));
  const skipped = ofType(events, 'node-item-skipped');
  expect(skipped).toHaveLength(1);
  expect(skipped[0]).toMatchObject({ node: 'caption', item: 1 });
  expect(skipped[0]!.message).toMatch(/caption for a 32x24 image -> a 32x24 image: the model's answer was unusable after one repair turn: no JSON object found/);
  // 3 good pairs + the bad pair and exactly one repair turn.
  expect(server.requests).toHaveLength(5);
  expect(server.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
});

test('without the skip policy the bad pair fails the run, naming the pair; the key is nowhere in events or the error', async () => {
  server = await startChatServer(answerPairs([2], (r) => errorReply(400, `bad request from ${r.headers.authorization}`)));
  const doc = graph({
    pairs: { type: 'captest/pairs', inputs: { count: 3 } },
    caption: { type: 'vision/caption-transition', inputs: { source: link('pairs', 'source'), target: link('pairs', 'target'), ...backendInputs(server.baseUrl) } },
    out: { type: 'test/collect', inputs: { values: link('caption', 'instruction') } },
  });
  const { result, events } = await runAll(doc, { registry: registry(), cache: new NullCacheStore() });
  expect(result.status).toBe('failed');
  expect(result.error?.message).toMatch(/caption for a 32x24 image -> a 32x24 image \(endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(test-vlm\)\): .*HTTP 400: bad request from Bearer \[redacted\]/);
  expect(JSON.stringify(result)).not.toContain(KEY);
  expect(JSON.stringify(events)).not.toContain(KEY);
});

test('a frame set: every consecutive pair captioned, in order, as captions and texts, with progress', async () => {
  server = await startChatServer(answerPairs([]));
  const doc = graph({
    set: { type: 'captest/frame-set', inputs: { count: 4 } },
    caption: { type: 'vision/caption-frame-set', inputs: { frames: link('set', 'frames'), ...backendInputs(server.baseUrl), concurrency: 2 } },
    texts: { type: 'test/sink', inputs: { value: link('caption', 'texts') } },
    captions: { type: 'test/sink', inputs: { value: link('caption', 'captions') } },
  });
  const { result, events } = await runAll(doc, { registry: registry(), cache: new NullCacheStore() });
  expect(result.status).toBe('succeeded');
  expect((result.outputs.texts as { value: string[] }).value).toEqual(['Edit pair 0', 'Edit pair 1', 'Edit pair 2']);
  expect((result.outputs.captions as { value: unknown[] }).value).toEqual([caption(0), caption(1), caption(2)]);
  expect(ofType(events, 'node-progress').filter((e) => e.node === 'caption').at(-1)).toMatchObject({ value: 3, max: 3 });
  expect(server.maxInFlight).toBeLessThanOrEqual(2);
});

test('a frame set with an unusable pair fails with the transition and frames named', async () => {
  server = await startChatServer(answerPairs([1]));
  const doc = graph({
    set: { type: 'captest/frame-set', inputs: { count: 4 } },
    caption: { type: 'vision/caption-frame-set', inputs: { frames: link('set', 'frames'), ...backendInputs(server.baseUrl), concurrency: 1 } },
    texts: { type: 'test/sink', inputs: { value: link('caption', 'texts') } },
  });
  const { result } = await runAll(doc, { registry: registry(), cache: new NullCacheStore() });
  expect(result.status).toBe('failed');
  expect(result.error?.message).toMatch(/caption for transition 2\/3 \(frame 1 \(0\.50 s\) -> frame 2 \(1\.00 s\) of clip\.mp4\): the model's answer was unusable/);
  // With one request at a time, the third pair is never asked once the second failed.
  expect(server.requests.map((r) => r.body.messages.length)).toEqual([2, 2, 4]);
});

test('bad widget values are clear errors: a key pasted into apiKeyEnv, an empty local model', async () => {
  server = await startChatServer([]);
  const run = async (inputs: Record<string, unknown>) => {
    const doc = graph({
      pairs: { type: 'captest/pairs', inputs: { count: 1 } },
      caption: { type: 'vision/caption-transition', inputs: { source: link('pairs', 'source'), target: link('pairs', 'target'), ...backendInputs(server!.baseUrl), ...inputs } },
      out: { type: 'test/collect', inputs: { values: link('caption', 'instruction') } },
    });
    return (await runAll(doc, { registry: registry(), cache: new NullCacheStore() })).result;
  };
  expect((await run({ apiKeyEnv: KEY })).error?.message).toMatch(/apiKeyEnv must be the NAME of an environment variable/);
  expect(JSON.stringify(await run({ apiKeyEnv: KEY }))).not.toContain(KEY);
  expect((await run({ backend: 'local', localModel: ' ' })).error?.message).toMatch(/input "localModel" is empty/);
  expect(server.requests).toHaveLength(0);
});
