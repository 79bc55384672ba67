/**
 * Runs the PyTorch port of the DiT (bench/torch/dit.py) under Debian's /usr/bin/python3 (python3-torch):
 * writes the config and the ORT feeds to a folder, runs the script, reads back its velocity and timing.
 * Used by bench/dit (the `small` comparison) and tests/dit/torch-reference.test.ts (the `tiny` check).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DitAttention, DitConfig } from '../../ml/dit/index.js';
import type { ort } from '../../ml/runtime/index.js';
import { readSafetensors, writeSafetensors, type StoredTensor } from '../../ml/weights/index.js';

/** Debian's python, the one python3-torch installs into (not whatever `python3` is first on PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * torch's version under {@link SYSTEM_PYTHON}, or undefined when it (or numpy) cannot be imported.
 * @example const v = torchVersion(); if (!v) console.log('python3-torch is not installed')
 */
export function torchVersion(): string | undefined {
  try {
    return execFileSync(SYSTEM_PYTHON, ['-c', 'import numpy, torch; print(torch.__version__)'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 })
      .toString().trim();
  } catch {
    return undefined;
  }
}

/** bench/torch/dit.py, from the sources or from dist/bench/torch. */
export function torchDitScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const found = [join(here, 'dit.py'), resolve(here, '../../../bench/torch/dit.py')].find((f) => existsSync(f));
  if (!found) throw new Error(`bench/torch/dit.py not found next to ${here} or in the source tree`);
  return found;
}

/** What the PyTorch forward returned. */
export interface TorchDitResult {
  /** [B, Lv, C * patch volume], as ORT's `velocity`. */
  readonly velocity: Float32Array;
  readonly shape: readonly number[];
  /** Median of the timed forwards, ms. */
  readonly medianMs: number;
  readonly timesMs: readonly number[];
  readonly threads: number;
  readonly torch: string;
  /** The BLAS library torch loaded (a path), as the script saw it. */
  readonly blas: string;
}

/** Options of {@link runTorchDit}. */
export interface TorchDitOptions {
  readonly config: DitConfig;
  /** The DiT's weights (safetensors), by the names of ml/dit/params.ts. */
  readonly weights: string;
  /** The ORT feeds of the run (ditFeeds), written for the script as F32. */
  readonly feeds: Record<string, ort.Tensor>;
  readonly attention: DitAttention;
  /** A scratch folder for the config, the feeds and the output. */
  readonly dir: string;
  /** torch intra-op threads (use ORT's intra-op count). */
  readonly threads: number;
  readonly warmup?: number;
  readonly runs?: number;
  readonly signal?: AbortSignal;
}

/** Every feed as a float32 tensor (turn ids and booleans are exact in float32). */
function feedsAsF32(feeds: Record<string, ort.Tensor>): Map<string, StoredTensor> {
  const out = new Map<string, StoredTensor>();
  for (const [name, t] of Object.entries(feeds)) {
    const d = t.data;
    const data = d instanceof Float32Array ? d
      : d instanceof BigInt64Array ? Float32Array.from(d, Number)
      : d instanceof Uint8Array ? Float32Array.from(d)
      : undefined;
    if (!data) throw new Error(`runTorchDit: feed '${name}' has type ${t.type}; expected float32, int64 or bool`);
    out.set(name, { shape: [...t.dims], data });
  }
  return out;
}

const run = promisify(execFile);

/**
 * Runs the DiT's forward in PyTorch (float32, cpu, no_grad) on the same weights and feeds as ORT.
 * @example
 * const r = await runTorchDit({ config, weights: 'dit.safetensors', feeds, attention: 'full', dir, threads: 2 });
 * r.velocity // compare with ORT's
 */
export async function runTorchDit(o: TorchDitOptions): Promise<TorchDitResult> {
  const config = join(o.dir, 'torch-dit-config.json');
  const inputs = join(o.dir, 'torch-dit-inputs.safetensors');
  const out = join(o.dir, 'torch-dit-out.safetensors');
  await writeFile(config, JSON.stringify(o.config));
  await writeSafetensors(inputs, feedsAsF32(o.feeds));
  const args = [
    torchDitScript(), '--config', config, '--weights', o.weights, '--inputs', inputs, '--attention', o.attention,
    '--out', out, '--threads', String(o.threads), '--warmup', String(o.warmup ?? 1), '--runs', String(o.runs ?? 3),
  ];
  try {
    await run(SYSTEM_PYTHON, args, { signal: o.signal, maxBuffer: 16 * 2 ** 20 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const tail = (err.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`${SYSTEM_PYTHON} ${args[0]} failed: ${tail || err.message}`);
  }
  const { tensors, metadata } = await readSafetensors(out);
  const v = tensors.get('velocity');
  if (!v) throw new Error(`${out}: the PyTorch run wrote no 'velocity'`);
  return {
    velocity: v.data, shape: v.shape, medianMs: Number(metadata.median_ms), timesMs: JSON.parse(metadata.times_ms ?? '[]') as number[],
    threads: Number(metadata.threads), torch: metadata.torch ?? '?', blas: metadata.blas ?? '?',
  };
}

/**
 * The largest |a[i] - b[i]|.
 * @example maxAbsDiff([1, 2], [1, 2.5]) // 0.5
 */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: ${a.length} values vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** What the PyTorch train step returned. */
export interface TorchTrainResult {
  /** Loss and global gradient norm of the first step (from the given weights). */
  readonly loss: number;
  readonly gradNorm: number;
  /** Median of the timed steps, ms. */
  readonly medianMs: number;
  readonly timesMs: readonly number[];
  readonly peakRssMb: number;
  readonly threads: number;
  readonly torch: string;
  readonly blas: string;
}

/** Options of {@link runTorchTrainStep}: those of the forward plus the optimizer's settings. */
export interface TorchTrainOptions extends TorchDitOptions {
  /** The feeds already written as F32 safetensors (then `feeds` is not written). */
  readonly feedsFile?: string;
  /** The data feeds include `target` and `loss_mask`. */
  readonly hyper: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; clipNorm: number | null; emaDecay: number | null };
}

/**
 * Runs bench/torch/train.py: the same train step (forward, masked MSE, backward, clipping, AdamW, EMA) in
 * PyTorch on the same weights and batch as ORT's train-step graph.
 * @example const r = await runTorchTrainStep({ config, weights, feeds, attention: 'block-causal', dir, threads: 2, hyper });
 */
export async function runTorchTrainStep(o: TorchTrainOptions): Promise<TorchTrainResult> {
  const script = join(dirname(torchDitScript()), 'train.py');
  const config = join(o.dir, 'torch-train-config.json');
  const hyper = join(o.dir, 'torch-train-hyper.json');
  const inputs = o.feedsFile ?? join(o.dir, 'torch-train-inputs.safetensors');
  const out = join(o.dir, 'torch-train-out.json');
  await writeFile(config, JSON.stringify(o.config));
  await writeFile(hyper, JSON.stringify(o.hyper));
  if (!o.feedsFile) await writeSafetensors(inputs, feedsAsF32(o.feeds));
  const args = [
    script, '--config', config, '--weights', o.weights, '--inputs', inputs, '--hyper', hyper, '--attention', o.attention,
    '--out', out, '--threads', String(o.threads), '--warmup', String(o.warmup ?? 1), '--runs', String(o.runs ?? 3),
  ];
  try {
    await run(SYSTEM_PYTHON, args, { signal: o.signal, maxBuffer: 16 * 2 ** 20 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const tail = (err.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new Error(`${SYSTEM_PYTHON} ${script} failed: ${tail || err.message}`);
  }
  const r = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
  return {
    loss: Number(r.loss), gradNorm: Number(r.grad_norm), medianMs: Number(r.median_ms), timesMs: r.times_ms as number[],
    peakRssMb: Number(r.peak_rss_mb), threads: Number(r.threads), torch: String(r.torch), blas: String(r.blas),
  };
}
