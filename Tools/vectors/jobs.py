#!/usr/bin/env python3
"""Known-answer vectors for the job kernels of Specs/JOBS.md, made independently of GATA's code.

gemm-i8 and mlp-i8 are computed with numpy's integer arithmetic; gemm-f32-ordered with a small C
program using fmaf (Tools/vectors/fmaf_reference.c, built with -ffp-contract=off), which also gives
a deliberately reordered sum. Output hashes are eth-hash's keccak256. Writes Specs/vectors/jobs.json.

Usage: python Tools/vectors/jobs.py [--out Specs/vectors/jobs.json]
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
from eth_hash.auto import keccak

HERE = os.path.dirname(os.path.abspath(__file__))
MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def words(key, stream, count):
    index = np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(key) + np.uint64(0x9E3779B97F4A7C15) * ((np.uint64(stream) << np.uint64(40)) + index + np.uint64(1))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def int8s(key, stream, count):
    return (words(key, stream, count) & np.uint64(0xFF)).astype(np.uint8).view(np.int8)


def biases(key, stream, count):
    return (words(key, stream, count) & np.uint64(0xFFFF)).astype(np.uint16).view(np.int16).astype(np.int32)


def key_of(seed):
    raw = bytes.fromhex(seed[2:])
    key = 0
    for w in range(4):
        key ^= int.from_bytes(raw[8 * w:8 * w + 8], "big")
    return key


def gemm_i8(m, n, k, seed):
    key = key_of(seed)
    a = int8s(key, 1, m * k).reshape(m, k).astype(np.int32)
    b = int8s(key, 2, k * n).reshape(k, n).astype(np.int32)
    return (a @ b).astype("<i4").tobytes()


def mlp_i8(m, k, layers, seed):
    key = key_of(seed)
    x = int8s(key, 1, m * k).reshape(m, k)
    for layer in range(layers):
        w = int8s(key, 2 + 2 * layer, k * k).reshape(k, k).astype(np.int32)
        bias = biases(key, 3 + 2 * layer, k)
        y = x.astype(np.int32) @ w + bias
        x = np.maximum(0, np.clip(np.right_shift(y + 128, 8), -128, 127)).astype(np.int8)
    return x.tobytes()


def build_fmaf():
    binary = os.path.join(tempfile.mkdtemp(), "fmaf_reference")
    subprocess.run(["cc", "-O2", "-ffp-contract=off", "-fno-fast-math", "-o", binary,
                    os.path.join(HERE, "fmaf_reference.c"), "-lm"], check=True)
    return binary


def gemm_f32(binary, m, n, k, seed, descending=False):
    args = [binary, str(m), str(n), str(k), seed] + (["descending"] if descending else [])
    return subprocess.run(args, check=True, capture_output=True).stdout


def seed_of(index):
    return "0x" + keccak(f"job-seed-{index}".encode()).hex()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(HERE, "..", "..", "Specs", "vectors", "jobs.json"))
    args = parser.parse_args()
    vectors = []
    shapes = [(1, 1, 1), (3, 5, 7), (8, 8, 8), (16, 24, 32), (33, 17, 65), (64, 64, 64), (5, 100, 300)]
    for index, (m, n, k) in enumerate(shapes):
        seed = seed_of(index)
        out = gemm_i8(m, n, k, seed)
        vectors.append({"kernel": "gemm-i8", "m": m, "n": n, "k": k, "layers": 1, "seed": seed,
                        "outputBytes": len(out), "outputHash": "0x" + keccak(out).hex(), "reference": "numpy"})
    for index, (m, k, layers) in enumerate([(1, 4, 1), (4, 16, 2), (8, 32, 3), (3, 64, 5), (16, 48, 16)]):
        seed = seed_of(100 + index)
        out = mlp_i8(m, k, layers, seed)
        vectors.append({"kernel": "mlp-i8", "m": m, "n": k, "k": k, "layers": layers, "seed": seed,
                        "outputBytes": len(out), "outputHash": "0x" + keccak(out).hex(), "reference": "numpy"})
    binary = build_fmaf()
    for index, (m, n, k) in enumerate(shapes + [(2, 3, 1000)]):
        seed = seed_of(200 + index)
        out = gemm_f32(binary, m, n, k, seed)
        reordered = gemm_f32(binary, m, n, k, seed, descending=True)
        vectors.append({"kernel": "gemm-f32-ordered", "m": m, "n": n, "k": k, "layers": 1, "seed": seed,
                        "outputBytes": len(out), "outputHash": "0x" + keccak(out).hex(),
                        "descendingSumHash": "0x" + keccak(reordered).hex(), "reference": "c-fmaf"})
    # Wider than one block of 256 GPU threads (n > 256), so a backend's grid arithmetic and bounds
    # checks are covered; appended after the vectors above, which stay as they are.
    for index, (m, n, k) in enumerate([(3, 300, 20), (2, 513, 9)]):
        seed = seed_of(300 + index)
        out = gemm_i8(m, n, k, seed)
        vectors.append({"kernel": "gemm-i8", "m": m, "n": n, "k": k, "layers": 1, "seed": seed,
                        "outputBytes": len(out), "outputHash": "0x" + keccak(out).hex(), "reference": "numpy"})
    for index, (m, k, layers) in enumerate([(2, 300, 2)]):
        seed = seed_of(400 + index)
        out = mlp_i8(m, k, layers, seed)
        vectors.append({"kernel": "mlp-i8", "m": m, "n": k, "k": k, "layers": layers, "seed": seed,
                        "outputBytes": len(out), "outputHash": "0x" + keccak(out).hex(), "reference": "numpy"})
    for index, (m, n, k) in enumerate([(3, 300, 20), (2, 513, 9)]):
        seed = seed_of(500 + index)
        out = gemm_f32(binary, m, n, k, seed)
        reordered = gemm_f32(binary, m, n, k, seed, descending=True)
        vectors.append({"kernel": "gemm-f32-ordered", "m": m, "n": n, "k": k, "layers": 1, "seed": seed,
                        "outputBytes": len(out), "outputHash": "0x" + keccak(out).hex(),
                        "descendingSumHash": "0x" + keccak(reordered).hex(), "reference": "c-fmaf"})
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump({"generator": "Tools/vectors/jobs.py with Tools/requirements.txt", "vectors": vectors}, handle, indent=1)
        handle.write("\n")
    print(f"wrote {len(vectors)} vectors to {args.out}")


if __name__ == "__main__":
    main()
