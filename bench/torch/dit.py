#!/usr/bin/python3
"""PyTorch port of Cinegraph's DiT forward, to check and time the ONNX graph against.

The graph is ml/dit/build.ts; the spec this follows line by line is tests/dit/model-reference.ts. Inputs
and outputs are the graph's (ml/dit/index.ts), batched; past keys/values are read when present.

Usage (Debian's python3-torch: call /usr/bin/python3, which has torch and numpy):

  /usr/bin/python3 bench/torch/dit.py --config CONFIG.json --weights DIT.safetensors \
      --inputs FEEDS.safetensors --attention full|block-causal --out OUT.safetensors \
      [--threads N] [--warmup 1] [--runs 3]

CONFIG.json is a DitConfig (ml/dit/config.ts) as JSON. FEEDS holds the graph's inputs by name, each stored
as F32 (int64 turn ids and booleans are exact in float32). OUT gets `velocity` [B, Lv, C*pt*ph*pw] as F32,
its __metadata__ has median_ms, times_ms (a JSON list), threads, torch (the version) and blas (the BLAS library
loaded: Debian's default is the slow reference BLAS; libopenblas0 is much faster); the same summary is
printed as one JSON line. The forward runs in float32 on the cpu under torch.no_grad; the timing is the
median of `runs` forwards after `warmup` ones. safetensors is parsed here (numpy only).
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


# ---- safetensors: 8-byte little-endian header length, a JSON header, little-endian data ----

def read_safetensors(path):
    """Every tensor of a safetensors file as a float32 numpy array (F32, F16 and BF16 are read)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[base + start:base + end]
        dtype = info["dtype"]
        if dtype == "F32":
            a = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F16":
            a = np.frombuffer(raw, dtype="<f2")
        elif dtype == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise SystemExit(f"{path}: tensor '{name}' has dtype {dtype}; supported: F32, F16, BF16")
        out[name] = a.astype(np.float32).reshape(info["shape"])  # a writable copy
    return out


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors (name -> numpy array) and string metadata."""
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, a in tensors.items():
        blob = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header).encode()
    head += b" " * ((8 - (len(head) + 8) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


# ---- the config's derived sizes (ml/dit/config.ts, ml/dit/rope.ts) ----

def mlp_hidden(c):
    h = (2 * c["width"] * c["expandRatio"]) // 3
    return c["multipleOf"] * math.ceil(h / c["multipleOf"])


def rope_layout(c):
    """For each of the headDim / 2 pairs: its axis (0 time, 1 row, 2 column; -1 none) and frequency."""
    pairs = c["headDim"] // 2
    axis_raw = c["ropeDim"] // 3
    per_axis = axis_raw // 2
    axis = [-1] * pairs
    freq = np.zeros(pairs, dtype=np.float32)
    for a in range(3):
        for j in range(per_axis):
            axis[a * per_axis + j] = a
            freq[a * per_axis + j] = 1 / c["ropeTheta"] ** ((2 * j) / axis_raw)
    return axis, freq


def block_streams(c, i):
    return ("txt", "vid") if i < c["mmLayers"] else ("all", "all")


# ---- the forward ----

def rms(x, eps, weight=None):
    """RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) (* weight)."""
    y = x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps)
    return y * weight if weight is not None else y


def forward(c, W, inp, attention):
    """velocity [B, Lv, C * patch volume] of the graph's inputs `inp` (name -> float32 tensor)."""
    w = W.__getitem__
    D, H, Dh, eps = c["width"], c["heads"], c["headDim"], c["normEps"]
    causal = attention == "block-causal"
    text = inp["text"]  # [B, Lt, textDim]
    text_turn = inp["text_turn"].long()  # [Lt]
    text_slot = inp["text_slot"] != 0  # [Lt]
    text_pos = inp["text_pos"]  # [Lt]
    text_noised = inp["text_noised"] != 0  # [Lt]
    vision = inp["vision"]  # [B, Lv, (2C + 1) * patch volume]
    vision_turn = inp["vision_turn"].long()  # [Lv]
    vision_pos = inp["vision_pos"]  # [Lv, 3]
    vision_noised = inp["vision_noised"] != 0  # [1 or B, Lv]
    timestep = inp["timestep"]  # [B]
    B = text.shape[0]
    past_turn = inp["past_turn"].long() if causal and "past_turn" in inp else torch.zeros(0, dtype=torch.long)
    P = past_turn.shape[0]

    # Timestep embedding for t and for t = 0 (clean tokens): sinusoid [sin | cos], then the MLP.
    half = c["timeFreqDim"] // 2
    freqs = torch.tensor([math.exp((-math.log(10000) * i) / half) for i in range(half)], dtype=torch.float32)
    t_both = torch.cat([timestep * c["timestepScale"], torch.zeros(1)])  # [B + 1]
    args = t_both[:, None] * freqs[None, :]
    e = torch.cat([torch.sin(args), torch.cos(args)], 1)
    e = F.silu(F.linear(e, w("emb_in.proj_in.weight"), w("emb_in.proj_in.bias")))
    e = F.silu(F.linear(e, w("emb_in.proj_hid.weight"), w("emb_in.proj_hid.bias")))
    e = F.linear(e, w("emb_in.proj_out.weight"), w("emb_in.proj_out.bias"))
    emb_t = e[:B, None, :]  # [B, 1, 6D]
    emb_0 = e[B:, None, :]  # [1, 1, 6D]

    def mod_of(noised):
        # Per token: t where noised, else 0; laid out (d, layer, k) as the reference's AdaSingle.
        flags = noised[None, :, None] if noised.dim() == 1 else noised[:, :, None]
        tok = torch.where(flags, emb_t, emb_0).reshape(B, -1, D, 2, 3)
        return {layer: {k: tok[..., li, ki] for ki, k in enumerate(("shift", "scale", "gate"))}
                for li, layer in enumerate(("attn", "mlp"))}

    mod_txt = mod_of(text_noised)
    mod_vid = mod_of(vision_noised)

    # Inputs: the turn-embedding row replaces a slot's features; then the projections.
    turn_rows = w("turn_emb.weight")[text_turn]  # [Lt, textDim]
    x_txt = F.linear(torch.where(text_slot[:, None], turn_rows, text), w("txt_in.weight"), w("txt_in.bias"))
    x_vid = F.linear(vision, w("vid_in.proj.weight"), w("vid_in.proj.bias"))

    # Rotary angles per token and pair: text uses its position on every axis, frames (time, row, column).
    axis, freq = rope_layout(c)
    freq = torch.from_numpy(freq)
    used = torch.tensor([a >= 0 for a in axis])
    ang_txt = text_pos[:, None] * torch.where(used, freq, torch.zeros(()))[None, :]
    ang_vid = torch.where(used[None, :], vision_pos[:, [max(a, 0) for a in axis]] * freq[None, :], torch.zeros(()))

    def rot(ang):  # [L, 1, Dh / 2], broadcast over batch and heads
        return torch.cos(ang)[:, None, :], torch.sin(ang)[:, None, :]

    rope_txt = rot(ang_txt)
    rope_vid = rot(ang_vid)

    def rope(x, r):  # x [B, L, H, Dh]: rotate the pairs (x[2j], x[2j + 1])
        cos, sin = r
        xr = x.reshape(*x.shape[:3], Dh // 2, 2)
        xe, xo = xr[..., 0], xr[..., 1]
        return torch.stack([xe * cos - xo * sin, xe * sin + xo * cos], -1).reshape(x.shape)

    # Block-causal: a query of turn a sees keys of turns <= a (cached ones included).
    mask_txt = mask_vid = None
    if causal:
        k_turn = torch.cat([past_turn, text_turn, vision_turn])[None, :]
        mask_txt = k_turn <= text_turn[:, None]  # [Lt, P + Lt + Lv]
        mask_vid = k_turn <= vision_turn[:, None]  # [Lv, P + Lt + Lv]

    def modulate(x, m, prefix, layer):
        return rms(x, eps) * (m["scale"] + w(f"{prefix}.{layer}_scale")) + (m["shift"] + w(f"{prefix}.{layer}_shift"))

    def gated(y, m, prefix, layer, residual):
        return y * (m["gate"] + w(f"{prefix}.{layer}_gate")) + residual

    for i in range(c["layers"]):
        s_txt, s_vid = block_streams(c, i)
        last = i == c["layers"] - 1
        b = f"blocks.{i}"

        def qkv_of(x, mod, p, r):
            xm = modulate(x, mod["attn"], f"{b}.ada.{p}", "attn")
            qkv = F.linear(xm, w(f"{b}.attn.proj_qkv.{p}.weight")).reshape(B, x.shape[1], 3, H, Dh)
            q = rope(rms(qkv[:, :, 0], eps, w(f"{b}.attn.norm_q.{p}.weight")), r)
            k = rope(rms(qkv[:, :, 1], eps, w(f"{b}.attn.norm_k.{p}.weight")), r)
            heads = lambda t: t.transpose(1, 2)  # [B, H, L, Dh]
            return heads(q), heads(k), heads(qkv[:, :, 2])

        tq, tk, tv = qkv_of(x_txt, mod_txt, s_txt, rope_txt)
        vq, vk, vv = qkv_of(x_vid, mod_vid, s_vid, rope_vid)
        k_all = torch.cat([tk, vk], 2)
        v_all = torch.cat([tv, vv], 2)
        if causal and P > 0:
            k_all = torch.cat([inp[f"past_key_{i}"], k_all], 2)
            v_all = torch.cat([inp[f"past_value_{i}"], v_all], 2)

        def attend(q, mask, p):
            scores = (q @ k_all.transpose(-1, -2)) * (1 / math.sqrt(Dh))
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            a = torch.softmax(scores, -1) @ v_all
            merged = a.transpose(1, 2).reshape(B, q.shape[2], H * Dh)
            return F.linear(merged, w(f"{b}.attn.proj_out.{p}.weight"), w(f"{b}.attn.proj_out.{p}.bias"))

        def mlp(x, mod, p):
            xm = modulate(x, mod["mlp"], f"{b}.ada.{p}", "mlp")
            gate = F.silu(F.linear(xm, w(f"{b}.mlp.{p}.proj_in_gate.weight")))
            y = F.linear(gate * F.linear(xm, w(f"{b}.mlp.{p}.proj_in.weight")), w(f"{b}.mlp.{p}.proj_out.weight"))
            return gated(y, mod["mlp"], f"{b}.ada.{p}", "mlp", x)

        new_vid = gated(attend(vq, mask_vid, s_vid), mod_vid["attn"], f"{b}.ada.{s_vid}", "attn", x_vid)
        # The last block's text output is never read (the reference's vid_only).
        if not last:
            x_txt = mlp(gated(attend(tq, mask_txt, s_txt), mod_txt["attn"], f"{b}.ada.{s_txt}", "attn", x_txt), mod_txt, s_txt)
        x_vid = mlp(new_vid, mod_vid, s_vid)

    # Output head: RMSNorm (affine), modulated by the first (shift, scale) slot plus learned ones.
    xn = rms(x_vid, eps, w("vid_out_norm.weight"))
    m = mod_vid["attn"]
    xo = xn * (m["scale"] + w("vid_out_ada.out_scale")) + (m["shift"] + w("vid_out_ada.out_shift"))
    return F.linear(xo, w("vid_out.proj.weight"), w("vid_out.proj.bias"))


def loaded_blas():
    """The BLAS library this process loaded (Debian picks it with update-alternatives), or 'none'."""
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]})
    except OSError:
        return "unknown"
    return ",".join(libs) or "none"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True, help="a DitConfig as JSON")
    ap.add_argument("--weights", required=True, help="the DiT's weights (safetensors)")
    ap.add_argument("--inputs", required=True, help="the graph's inputs, each as F32 (safetensors)")
    ap.add_argument("--attention", choices=("full", "block-causal"), default="full")
    ap.add_argument("--out", required=True, help="where to write velocity (safetensors)")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()

    torch.set_num_interop_threads(1)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    with open(a.config) as f:
        c = json.load(f)
    weights = {k: torch.from_numpy(v) for k, v in read_safetensors(a.weights).items()}
    inputs = {k: torch.from_numpy(v) for k, v in read_safetensors(a.inputs).items()}
    for name in ("text", "text_turn", "text_slot", "text_pos", "text_noised",
                 "vision", "vision_turn", "vision_pos", "vision_noised", "timestep"):
        if name not in inputs:
            raise SystemExit(f"{a.inputs}: no input '{name}'")

    class Weights(dict):
        def __missing__(self, name):
            raise SystemExit(f"{a.weights}: no weight '{name}'")

    W = Weights(weights)
    times = []
    with torch.no_grad():
        for _ in range(max(a.warmup, 0)):
            forward(c, W, inputs, a.attention)
        for _ in range(max(a.runs, 1)):
            start = time.perf_counter()
            velocity = forward(c, W, inputs, a.attention)
            times.append((time.perf_counter() - start) * 1000)
    median = float(np.median(times))
    summary = {"median_ms": median, "times_ms": times, "threads": torch.get_num_threads(), "torch": torch.__version__,
               "blas": loaded_blas()}
    write_safetensors(a.out, {"velocity": velocity.numpy()},
                      {k: (json.dumps(v) if isinstance(v, list) else str(v)) for k, v in summary.items()})
    print(json.dumps(summary))


if __name__ == "__main__":
    sys.exit(main())
