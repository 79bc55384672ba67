/**
 * ml/vae: the patch VAE round trip (exact up to 8-bit quantisation), and loading an SD3-style export
 * (a tiny stand-in with the real file layout, I/O names and config) with its scale and shift.
 */
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ort } from '../../ml/index.js';
import { ModelFilesError } from '../../ml/models/index.js';
import { imageToTensor, loadVae, writePatchVae, writeTinySd3Vae, SD3_VAE_CONFIG } from '../../ml/vae/index.js';
import { seededRandom } from '../../ml/models/tiny/index.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'cinegraph-vae-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

function randomImage(width: number, height: number, channels: 3 | 4 = 3, seed = 1) {
  const rng = seededRandom(seed);
  return { width, height, channels, data: Uint8Array.from({ length: width * height * channels }, () => Math.floor(rng.uniform() * 256)) };
}

/** An image of flat 8x8 blocks of random colours. */
function blockImage(width: number, height: number) {
  const rng = seededRandom(4);
  const colours = Array.from({ length: (width / 8) * (height / 8) }, () => [0, 1, 2].map(() => Math.floor(rng.uniform() * 256)));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colours[Math.floor(y / 8) * (width / 8) + Math.floor(x / 8)]!, (y * width + x) * 3);
  return { width, height, channels: 3 as const, data };
}

describe('the patch VAE', () => {
  test('encodes to 3 p p channels at 1/p size and decodes back to the same pixels', async () => {
    const vae = await loadVae(await writePatchVae(path.join(dir, 'patch2'), { patch: 2 }), { device: 'cpu' });
    const image = randomImage(12, 8);
    const z = await vae.encode(image);
    expect([z.channels, z.height, z.width]).toEqual([12, 4, 6]);
    // channel c p p + dy p + dx of cell (y, x) is colour c at pixel (2y + dy, 2x + dx), scaled by 2 around 0
    const at = (c: number, dy: number, dx: number, y: number, x: number) => z.data[((c * 4 + dy * 2 + dx) * 4 + y) * 6 + x]!;
    expect(at(1, 1, 0, 2, 3)).toBeCloseTo(2 * (image.data[((2 * 2 + 1) * 12 + 2 * 3) * 3 + 1]! / 127.5 - 1), 5);
    const back = await vae.decode(z);
    expect([back.width, back.height, back.channels]).toEqual([12, 8, 3]);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(image.data))).toBe(0);
    await vae.release();
  });

  test('applies the config scale and shift, and drops alpha', async () => {
    const folder = await writePatchVae(path.join(dir, 'patch4'), { patch: 4, scalingFactor: 0.5, shiftFactor: 0.25 });
    const vae = await loadVae(folder);
    expect(vae.config).toMatchObject({ kind: 'CinegraphPatchVAE', latentChannels: 48, downscale: 4, scalingFactor: 0.5, shiftFactor: 0.25 });
    const rgba = randomImage(8, 8, 4, 2);
    const z = await vae.encode(rgba);
    const raw = imageToTensor(rgba); // [-1, 1], alpha dropped
    expect(z.data[0]).toBeCloseTo((raw[0]! - 0.25) * 0.5, 6);
    const back = await vae.decode(z);
    const rgb = Uint8Array.from({ length: 64 * 3 }, (_, i) => rgba.data[Math.floor(i / 3) * 4 + (i % 3)]!);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(rgb))).toBe(0);
  });

  test('names the sides that do not fit the patch size', async () => {
    const vae = await loadVae(path.join(dir, 'patch4'));
    await expect(vae.encode(randomImage(10, 8))).rejects.toThrow(/10x8 pixels; both sides must be multiples of 4/);
    await expect(vae.decode({ data: new Float32Array(12), channels: 12, height: 1, width: 1 })).rejects.toThrow(/12 channels, this VAE takes 48/);
  });
});

describe('an SD3-style VAE export', () => {
  let folder: string;
  beforeAll(async () => (folder = await writeTinySd3Vae(path.join(dir, 'sd3'))));

  test('holds the Optimum files with the real input and output names', async () => {
    const io: Record<string, [string[], string[]]> = {
      'vae_encoder/model.onnx': [['sample'], ['latent_parameters']],
      'vae_decoder/model.onnx': [['latent_sample'], ['sample']],
    };
    for (const [file, [inputs, outputs]] of Object.entries(io)) {
      const s = await ort.InferenceSession.create(path.join(folder, file));
      expect([s.inputNames, s.outputNames]).toEqual([inputs, outputs]);
      await s.release();
    }
    expect(JSON.parse(await readFile(path.join(folder, 'vae_decoder', 'config.json'), 'utf8'))).toMatchObject({ latent_channels: 16, scaling_factor: 1.5305, shift_factor: 0.0609 });
  });

  test('loads with 16 channels at 1/8 size, scales the mean of latent_parameters, and round-trips block images', async () => {
    const vae = await loadVae(folder, { device: 'cpu' });
    expect(vae.config).toMatchObject({ latentChannels: 16, downscale: 8, scalingFactor: SD3_VAE_CONFIG.scaling_factor, shiftFactor: SD3_VAE_CONFIG.shift_factor });
    const image = blockImage(32, 24);
    const z = await vae.encode(image);
    expect([z.channels, z.height, z.width]).toEqual([16, 3, 4]);
    // The raw export's mean, then (mean - shift) * scale.
    const s = await ort.InferenceSession.create(path.join(folder, 'vae_encoder', 'model.onnx'));
    const { latent_parameters: params } = await s.run({ sample: new ort.Tensor('float32', imageToTensor(image), [1, 3, 24, 32]) });
    await s.release();
    expect(params!.dims).toEqual([1, 32, 3, 4]);
    const mean = (params!.data as Float32Array).subarray(0, 16 * 12);
    for (const i of [0, 5, 12 * 7 + 3, 16 * 12 - 1]) expect(z.data[i]).toBeCloseTo((mean[i]! - 0.0609) * 1.5305, 5);
    const back = await vae.decode(z);
    expect([back.width, back.height]).toEqual([32, 24]);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(image.data))).toBe(0);
  });

  test('a folder without its decoder is refused with the files it lacks', async () => {
    const broken = await writeTinySd3Vae(path.join(dir, 'sd3-broken'));
    await unlink(path.join(broken, 'vae_decoder', 'model.onnx'));
    await expect(loadVae(broken)).rejects.toThrow(ModelFilesError);
    await expect(loadVae(broken)).rejects.toThrow(/missing vae_decoder\/model\.onnx/);
    await expect(loadVae(path.join(dir, 'nowhere'))).rejects.toThrow(/does not exist/);
  });
});
