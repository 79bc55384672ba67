#!/usr/bin/python3
"""PyTorch port of Cinegraph's DiT train step (ml/train/loss.ts + ml/autodiff/train-step.ts), to time the
ONNX train step against and to check its loss and gradient norm.

One step: the DiT forward of dit.py, the masked velocity MSE
  loss = sum(mask * |v - target|^2) / (sum(mask) * C * patch volume),
backward, global-norm clipping (clip_grad_norm_), AdamW (torch.optim.AdamW: decoupled weight decay), and an
EMA of the weights (ema' = d ema + (1 - d) p').

Usage (Debian's python3-torch):

  /usr/bin/python3 bench/torch/train.py --config CONFIG.json --weights DIT.safetensors \
      --inputs FEEDS.safetensors --hyper HYPER.json --attention full|block-causal --out OUT.json \
      [--threads N] [--warmup 1] [--runs 3]

FEEDS holds the graph's data inputs (the DiT's, `target` and `loss_mask`) as F32. HYPER.json holds lr, beta1,
beta2, eps, weightDecay, clipNorm (or null) and emaDecay (or null). OUT.json gets the first step's loss and
grad_norm (from the given weights, as ORT's first step), the median step time over `runs` steps after
`warmup` ones, the peak resident memory, threads, torch and BLAS; the same line is printed.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dit import forward, loaded_blas, read_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--hyper", required=True)
    ap.add_argument("--attention", choices=("full", "block-causal"), default="block-causal")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()

    torch.set_num_interop_threads(1)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    with open(a.config) as f:
        c = json.load(f)
    with open(a.hyper) as f:
        h = json.load(f)
    params = {k: torch.from_numpy(v).requires_grad_(True) for k, v in read_safetensors(a.weights).items()}
    inputs = {k: torch.from_numpy(v) for k, v in read_safetensors(a.inputs).items()}
    for name in ("target", "loss_mask"):
        if name not in inputs:
            raise SystemExit(f"{a.inputs}: no input '{name}'")
    ema = {k: p.detach().clone() for k, p in params.items()} if h.get("emaDecay") is not None else None
    opt = torch.optim.AdamW(list(params.values()), lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"],
                            weight_decay=h["weightDecay"])
    out_dim = inputs["target"].shape[-1]
    # Only the weights the forward reads are trained (ORT's step trains those the loss depends on).

    def step():
        opt.zero_grad(set_to_none=True)
        v = forward(c, params, inputs, a.attention)
        mask = inputs["loss_mask"]
        se = ((v - inputs["target"]) ** 2).sum(-1)
        loss = (se * mask).sum() / (mask.sum() * out_dim)
        loss.backward()
        grads = [p.grad for p in params.values() if p.grad is not None]
        norm = torch.sqrt(sum((g * g).sum() for g in grads))
        if h.get("clipNorm") is not None:
            coef = min(1.0, h["clipNorm"] / (float(norm) + 1e-6))
            for g in grads:
                g.mul_(coef)
        opt.step()
        if ema is not None:
            d = h["emaDecay"]
            with torch.no_grad():
                for k, p in params.items():
                    ema[k].mul_(d).add_(p.detach(), alpha=1 - d)
        return float(loss), float(norm)

    first_loss, first_norm = step()
    for _ in range(max(a.warmup - 1, 0)):
        step()
    times = []
    for _ in range(max(a.runs, 1)):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    summary = {
        "loss": first_loss, "grad_norm": first_norm, "median_ms": float(np.median(times)), "times_ms": times,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "threads": torch.get_num_threads(),
        "torch": torch.__version__, "blas": loaded_blas(),
    }
    with open(a.out, "w") as f:
        json.dump(summary, f)
    print(json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
