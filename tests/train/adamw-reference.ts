/**
 * A float64 TypeScript reference of the 2-layer MLP used by the train-step tests: forward, loss (MSE),
 * backward by hand, global-norm clipping and PyTorch's AdamW, so that the ONNX train step can be checked
 * value by value.
 */

/** The MLP's parameters: W1 [H, I], b1 [H], W2 [O, H], b2 [O] (PyTorch's linear layout). */
export type MlpParams = Record<'w1' | 'b1' | 'w2' | 'b2', Float64Array>;

/** y = W2 tanh(W1 x + b1) + b2 for each row of x [N, I]; loss = mean((y - t)^2); gradients by hand. */
export function mlpLossAndGrad(p: MlpParams, x: Float64Array, t: Float64Array, n: number, i: number, h: number, o: number): { loss: number; grad: MlpParams } {
  const grad: MlpParams = { w1: new Float64Array(h * i), b1: new Float64Array(h), w2: new Float64Array(o * h), b2: new Float64Array(o) };
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const a = new Float64Array(h);
    for (let j = 0; j < h; j++) {
      let s = p.b1[j];
      for (let k = 0; k < i; k++) s += p.w1[j * i + k] * x[r * i + k];
      a[j] = Math.tanh(s);
    }
    const dy = new Float64Array(o);
    for (let q = 0; q < o; q++) {
      let s = p.b2[q];
      for (let j = 0; j < h; j++) s += p.w2[q * h + j] * a[j];
      const d = s - t[r * o + q];
      loss += d * d;
      dy[q] = (2 * d) / (n * o);
    }
    for (let q = 0; q < o; q++) {
      grad.b2[q] += dy[q];
      for (let j = 0; j < h; j++) grad.w2[q * h + j] += dy[q] * a[j];
    }
    for (let j = 0; j < h; j++) {
      let da = 0;
      for (let q = 0; q < o; q++) da += dy[q] * p.w2[q * h + j];
      const ds = da * (1 - a[j] * a[j]);
      grad.b1[j] += ds;
      for (let k = 0; k < i; k++) grad.w1[j * i + k] += ds * x[r * i + k];
    }
  }
  return { loss: loss / (n * o), grad };
}

/** AdamW state of the reference. */
export interface AdamState { m: MlpParams; v: MlpParams }

/** Hyper-parameters of one reference step. */
export interface AdamHyper { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; clipNorm?: number }

/** One AdamW step (PyTorch semantics) after clip_grad_norm_; returns the pre-clip global norm. Updates p and s in place. */
export function adamwStep(p: MlpParams, s: AdamState, grad: MlpParams, step: number, hp: AdamHyper): number {
  const keys = Object.keys(p) as (keyof MlpParams)[];
  let sq = 0;
  for (const k of keys) for (const v of grad[k]) sq += v * v;
  const norm = Math.sqrt(sq);
  const coef = hp.clipNorm === undefined ? 1 : Math.min(1, hp.clipNorm / (norm + 1e-6));
  const bc1 = 1 - hp.beta1 ** step;
  const bc2 = 1 - hp.beta2 ** step;
  for (const k of keys) {
    for (let j = 0; j < p[k].length; j++) {
      const g = grad[k][j] * coef;
      s.m[k][j] = hp.beta1 * s.m[k][j] + (1 - hp.beta1) * g;
      s.v[k][j] = hp.beta2 * s.v[k][j] + (1 - hp.beta2) * g * g;
      p[k][j] *= 1 - hp.lr * hp.weightDecay;
      p[k][j] -= (hp.lr / bc1) * s.m[k][j] / (Math.sqrt(s.v[k][j]) / Math.sqrt(bc2) + hp.eps);
    }
  }
  return norm;
}
