/**
 * The chat-completions backend and the caption loop against a real HTTP server on loopback: request
 * format, parsing, the one repair turn, retries and backoff, no retry on 4xx, timeouts, the shared
 * concurrency limit, and the API key kept out of every error and log line.
 */
import sharp from 'sharp';
import type { RawImage } from '../../engine/index.js';
import { CaptionError, captionTransition, createEndpointVlm, EndpointError, type EndpointOptions } from '../../ml/vlm/index.js';
import { chatReply, errorReply, startChatServer, type ChatServer, type Reply } from '../support/chat-server.js';

const KEY = 'sk-test-4f9c2a7e1b8d6053secret';
const env = { CAPTION_TEST_KEY: KEY };

/** A solid-colour picture. */
function solid(width: number, height: number, rgb: [number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, channels: 3, data };
}
const source = solid(48, 32, [200, 30, 30]);
const target = solid(48, 32, [30, 30, 200]);

const good = {
  source: 'A red wall fills the frame.',
  target: 'A blue wall fills the frame.',
  differences: ['the wall changed from red to blue'],
  instruction: 'Paint the wall blue',
  regions: [{ phrase: 'wall', frame: 'both' }],
};

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function logs() {
  const lines: string[] = [];
  return { lines, log: { warn: (m: string) => lines.push(m), debug: (m: string) => lines.push(m) } };
}

async function backend(script: Reply[] | ((r: any, i: number) => Reply), options: Partial<EndpointOptions> = {}) {
  server = await startChatServer(script);
  return createEndpointVlm({ baseUrl: server.baseUrl, model: 'test-vlm', apiKeyEnv: 'CAPTION_TEST_KEY', env, backoff: { baseMs: 5, maxMs: 50 }, ...options });
}

/** Decodes a `data:` URL and returns its format and size. */
async function decodeDataUrl(url: string) {
  const match = /^data:image\/(png|jpeg);base64,(.+)$/.exec(url);
  expect(match).not.toBeNull();
  const meta = await sharp(Buffer.from(match![2]!, 'base64')).metadata();
  return { mime: match![1], format: meta.format, width: meta.width, height: meta.height };
}

describe('request format and parsing', () => {
  test('one request: model, system + user message with two image_url data URLs before the text, bearer key from the named variable', async () => {
    const vlm = await backend([chatReply(JSON.stringify(good))], { images: { format: 'png' } });
    const result = await captionTransition(vlm, source, target, { maxTokens: 321, temperature: 0.2, json: true });
    expect(result).toMatchObject({ caption: good, attempts: 1 });

    expect(server!.requests).toHaveLength(1);
    const request = server!.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.body).toMatchObject({ model: 'test-vlm', max_tokens: 321, temperature: 0.2, response_format: { type: 'json_object' }, stream: false });
    const [system, user] = request.body.messages;
    expect(system.role).toBe('system');
    expect(user.role).toBe('user');
    expect(user.content.map((p: { type: string }) => p.type)).toEqual(['image_url', 'image_url', 'text']);
    expect(user.content[2].text).toMatch(/Describe each frame[\s\S]*differences[\s\S]*instruction/);
    const images = await Promise.all(user.content.slice(0, 2).map((p: { image_url: { url: string } }) => decodeDataUrl(p.image_url.url)));
    expect(images).toEqual([
      { mime: 'png', format: 'png', width: 48, height: 32 },
      { mime: 'png', format: 'png', width: 48, height: 32 },
    ]);
  });

  test('JPEG by default, shrunk to the side limit; no response_format unless asked; no key header when the variable is unset', async () => {
    const vlm = await backend([chatReply(JSON.stringify(good))], { images: { maxSide: 100 }, apiKeyEnv: 'CAPTION_TEST_UNSET' });
    await captionTransition(vlm, solid(400, 40, [10, 200, 10]), target);
    const body = server!.requests[0]!.body;
    expect(server!.requests[0]!.headers.authorization).toBeUndefined();
    expect(body.response_format).toBeUndefined();
    expect(await decodeDataUrl(body.messages[1].content[0].image_url.url)).toEqual({ mime: 'jpeg', format: 'jpeg', width: 100, height: 10 });
  });

  test('JSON inside a code fence after some prose is found', async () => {
    const vlm = await backend([chatReply(`Step 1 ... step 3. Here is the result:\n\`\`\`json\n${JSON.stringify(good, null, 2)}\n\`\`\`\nHope this helps!`)]);
    const result = await captionTransition(vlm, source, target);
    expect(result.caption.instruction).toBe('Paint the wall blue');
    expect(server!.requests).toHaveLength(1);
  });
});

describe('the repair turn', () => {
  test('malformed JSON gets exactly one follow-up turn that quotes the problem and the earlier answer', async () => {
    const broken = '{"source": "A red wall", "target": "A blue wall", "differences": ["colour" "changed"]';
    const { lines, log } = logs();
    const vlm = await backend([chatReply(broken), chatReply(JSON.stringify(good))]);
    const result = await captionTransition(vlm, source, target, { pair: 'frames 0 -> 1', log });
    expect(result.attempts).toBe(2);
    expect(result.caption).toEqual(good);
    expect(server!.requests).toHaveLength(2);
    const messages = server!.requests[1]!.body.messages;
    expect(messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[1].content.filter((p: { type: string }) => p.type === 'image_url')).toHaveLength(2);
    expect(messages[2].content).toBe(broken);
    expect(messages[3].content).toMatch(/could not be used: the JSON is malformed/);
    expect(lines.join('\n')).toMatch(/frames 0 -> 1: unusable answer/);
  });

  test('an answer cut at the token limit is logged as such and repaired', async () => {
    const { lines, log } = logs();
    const cut = JSON.stringify(good).slice(0, 60);
    const vlm = await backend([chatReply(cut, 'length'), chatReply(JSON.stringify(good))], { log });
    const result = await captionTransition(vlm, source, target, { maxTokens: 20, log });
    expect(result.attempts).toBe(2);
    expect(lines.join('\n')).toMatch(/cut at max_tokens 20; raise maxTokens/);
    expect(server!.requests[1]!.body.messages[3].content).toMatch(/could not be used: the JSON is malformed/);
  });

  test('a structure problem is quoted in the repair: missing instruction, bad frame value', async () => {
    const bad = { ...good, instruction: undefined, regions: [{ phrase: 'wall', frame: 'before' }] };
    const vlm = await backend([chatReply(JSON.stringify(bad)), chatReply(JSON.stringify(good))]);
    await captionTransition(vlm, source, target);
    const repair = server!.requests[1]!.body.messages[3].content as string;
    expect(repair).toContain('field "instruction" is missing');
    expect(repair).toContain('field "regions[0].frame" must be one of "source", "target", "both", got "before"');
  });

  test('still unusable after the repair: one error naming the pair and both problems, after exactly two requests', async () => {
    const vlm = await backend([chatReply('I cannot tell what changed.'), chatReply(JSON.stringify({ ...good, instruction: '  ' }))]);
    const error = await captionTransition(vlm, source, target, { pair: 'frame 3 (1.20 s) -> frame 4 (2.40 s) of clip.mp4' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CaptionError);
    expect((error as Error).message).toMatch(/^caption for frame 3 \(1\.20 s\) -> frame 4 \(2\.40 s\) of clip\.mp4: .*field "instruction" is empty.*first answer: no JSON object found/);
    expect(server!.requests).toHaveLength(2);
  });
});

describe('retries', () => {
  test('429 honours Retry-After (seconds), then succeeds', async () => {
    const { lines, log } = logs();
    const vlm = await backend([errorReply(429, 'rate limited', { 'retry-after': '1' }), chatReply(JSON.stringify(good))], { log, backoff: { baseMs: 5, maxMs: 5000 } });
    const result = await captionTransition(vlm, source, target);
    expect(result.caption.instruction).toBe('Paint the wall blue');
    const [first, second] = server!.requests;
    expect(server!.requests).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950); // waited as told, not the 5 ms backoff
    expect(lines.join('\n')).toMatch(/HTTP 429: rate limited; retry 1\/3 in 1\.0 s/);
  });

  test('5xx is retried with backoff until success', async () => {
    const vlm = await backend([errorReply(500, 'boom'), errorReply(503, 'loading'), chatReply(JSON.stringify(good))]);
    await captionTransition(vlm, source, target);
    expect(server!.requests).toHaveLength(3);
  });

  test('retries run out: the error says how many attempts and the last status', async () => {
    const vlm = await backend(() => errorReply(502, 'bad gateway'), { retries: 2 });
    const error = await vlm.generate({ prompt: 'hi', images: [source], maxTokens: 8 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointError);
    expect((error as EndpointError).message).toMatch(/failed after 3 attempts: HTTP 502: bad gateway/);
    expect(server!.requests).toHaveLength(3);
  });

  test('400 is not retried; the server message is in the error', async () => {
    const vlm = await backend([errorReply(400, 'image_url is not supported by this model'), chatReply('{}')]);
    const error = await captionTransition(vlm, source, target, { pair: 'frames 0 -> 1' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/caption for frames 0 -> 1 .*HTTP 400: image_url is not supported by this model/);
    expect(((error as Error).cause as EndpointError).status).toBe(400);
    expect(server!.requests).toHaveLength(1);
  });

  test('network errors are retried, then named', async () => {
    const dead = await startChatServer([]);
    const baseUrl = dead.baseUrl;
    await dead.close();
    const vlm = createEndpointVlm({ baseUrl, model: 'm', retries: 2, backoff: { baseMs: 5 }, env: {} });
    await expect(vlm.generate({ prompt: 'hi', images: [], maxTokens: 8 })).rejects.toThrow(/failed after 3 attempts: network error: ECONNREFUSED/);
  });
});

describe('bad answers and timeouts', () => {
  test('a hang past the timeout fails once, not retried, naming the timeout', async () => {
    const vlm = await backend([{ hang: true }, chatReply(JSON.stringify(good))], { timeoutMs: 300 });
    await expect(captionTransition(vlm, source, target)).rejects.toThrow(/no answer within 0\.3 s/);
    expect(server!.requests).toHaveLength(1);
  });

  test("cancelling the run aborts a request in flight without retrying", async () => {
    const vlm = await backend([{ hang: true }, { hang: true }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 100);
    await expect(vlm.generate({ prompt: 'hi', images: [], maxTokens: 8, signal: controller.signal })).rejects.toThrow('run cancelled');
    expect(server!.requests).toHaveLength(1);
  });

  test('a 200 with a garbage body is a clear error, not retried', async () => {
    const vlm = await backend([{ body: '<html>It works!</html>' }, chatReply('{}')]);
    await expect(vlm.generate({ prompt: 'hi', images: [], maxTokens: 8 })).rejects.toThrow(/HTTP 200 with a body that is not JSON .*It works!/);
    expect(server!.requests).toHaveLength(1);
  });

  test('a 200 JSON body without choices is named', async () => {
    const vlm = await backend([{ json: { result: 'ok' } }]);
    await expect(vlm.generate({ prompt: 'hi', images: [], maxTokens: 8 })).rejects.toThrow(/without choices\[0\]\.message/);
  });

  test('a garbage 502 body is retried and then quoted', async () => {
    const vlm = await backend(() => ({ status: 502, body: 'upstream exploded' }), { retries: 1 });
    await expect(vlm.generate({ prompt: 'hi', images: [], maxTokens: 8 })).rejects.toThrow(/after 2 attempts: HTTP 502: "upstream exploded"/);
    expect(server!.requests).toHaveLength(2);
  });
});

describe('concurrency', () => {
  test('requests in flight never exceed the limit, shared by every backend on the same endpoint', async () => {
    server = await startChatServer(() => ({ ...chatReply('ok'), delayMs: 60 }));
    const options = { baseUrl: server.baseUrl, model: 'm', env: {}, concurrency: 2 };
    const a = createEndpointVlm(options);
    const b = createEndpointVlm(options);
    const calls = Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).generate({ prompt: `q${i}`, images: [], maxTokens: 8 }));
    expect(await Promise.all(calls)).toEqual(Array(8).fill('ok'));
    expect(server.requests).toHaveLength(8);
    expect(server.maxInFlight).toBe(2);
  });

  test('a higher limit lets more through', async () => {
    server = await startChatServer(() => ({ ...chatReply('ok'), delayMs: 100 }));
    const vlm = createEndpointVlm({ baseUrl: server.baseUrl, model: 'm', env: {}, concurrency: 4 });
    await Promise.all(Array.from({ length: 8 }, () => vlm.generate({ prompt: 'q', images: [], maxTokens: 8 })));
    expect(server.maxInFlight).toBe(4);
  });
});

describe('the API key', () => {
  /** A server that echoes the Authorization header back in its error bodies, as some proxies do. */
  const echo = (status: number) => (request: { headers: { authorization?: string } }) => errorReply(status, `Incorrect API key provided: ${request.headers.authorization}`);

  test.each([401, 400, 500])('never appears in the error of an HTTP %i whose body echoes it, nor in logs', async (status) => {
    const { lines, log } = logs();
    const vlm = await backend(echo(status), { retries: 1, log });
    const error = (await vlm.generate({ prompt: 'hi', images: [], maxTokens: 8 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(`HTTP ${status}: Incorrect API key provided: Bearer [redacted]`);
    expect(error.message).not.toContain(KEY);
    expect(String(error.stack)).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain(KEY);
    expect(vlm.name).not.toContain(KEY);
  });

  test('a key pasted into apiKeyEnv is refused without being repeated', () => {
    expect(() => createEndpointVlm({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', apiKeyEnv: KEY })).toThrow(/NAME of an environment variable/);
    try {
      createEndpointVlm({ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', apiKeyEnv: KEY });
    } catch (error) {
      expect((error as Error).message).not.toContain(KEY);
    }
  });

  test('a baseUrl with credentials or without http(s) is refused before any request, credentials not repeated', () => {
    const make = (baseUrl: string) => () => createEndpointVlm({ baseUrl, model: 'm' });
    expect(make(`http://user:${KEY}@127.0.0.1:1/v1`)).toThrow(/must not hold credentials/);
    expect(make(`http://user:${KEY}@127.0.0.1:1/v1`)).not.toThrow(KEY);
    expect(make('127.0.0.1:8000/v1')).toThrow(/baseUrl must be an http\(s\) URL .*"127\.0\.0\.1:8000\/v1"/);
    expect(() => createEndpointVlm({ baseUrl: 'http://127.0.0.1:1/v1', model: ' ' })).toThrow(/model is empty/);
  });

  test('401 with the variable unset says which variable to set', async () => {
    const vlm = await backend([errorReply(401, 'missing key')], { apiKeyEnv: 'CAPTION_TEST_UNSET' });
    await expect(vlm.generate({ prompt: 'hi', images: [], maxTokens: 8 })).rejects.toThrow(/HTTP 401: missing key \(environment variable CAPTION_TEST_UNSET is not set\)/);
  });
});
