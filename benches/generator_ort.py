#!/usr/bin/env python3
"""Our U-Net generator against ONNX Runtime: same weights, same input, same machine, one go.

For each width (ngf) this script

1. draws random U-Net weights under the reference PyTorch pix2pix key names (convolutions
   N(0, 0.02), batch-norm scales N(1, 0.02), shifts N(0, 0.02); running statistics taken from a
   train-mode pass over a calibration image and then jittered, so activations stay O(1) the way a
   trained network's do and the check below is not trivially passed by a saturated or vanishing
   output) and writes them as a model package: `model.toml` + `weights.safetensors` (f32),
2. builds the same network as an ONNX graph (Conv, ConvTranspose, BatchNormalization in inference
   mode, LeakyRelu 0.2, Relu, Concat, Tanh) from those weights,
3. runs ONNX Runtime and `lts infer --model DIR --input-raw frame.npy --raw` on one smooth random
   image in [-1, 1] and requires the outputs to agree (max abs diff < --tol, default 1e-3),
4. times ONNX Runtime (intra-op threads = --threads, inter-op 1, all graph optimisations, warm-up,
   then the median of --runs),
5. times ours with `lts bench generator --model DIR --ngf N --size S --runs R --json`
   (an `lts` without `--model` is timed on a random U-Net of the same shape instead: time does not
   depend on weight values),

and prints a markdown table (or, with --json, one JSON object per width).

What "ours" computes, as `lts infer` runs a package (src/model/unet.rs, src/infer.rs): the CPU
backend (Flex) has no autodiff, so Burn's BatchNorm uses the running statistics (PyTorch's eval())
and Dropout is the identity, even in packages whose model.toml says `dropout = true`. The U-Net is
`unet_<size>` (log2(size) stride-2 levels down to a 1x1 bottleneck; unet_256 at 256^2).

Usage (from the repository root; needs numpy, onnx, onnxruntime: `pip install onnx onnxruntime`):

    python3 benches/generator_ort.py                          # ngf 16,32,64 at 256^2
    python3 benches/generator_ort.py --ngf 16 --runs 5 --lts ~/.cache/learning-to-see/target/release/lts
    python3 benches/generator_ort.py --check-only             # agreement only, no timing
    python3 benches/generator_ort.py --json                   # JSON lines instead of a table

Progress goes to stderr; the table (or JSON) to stdout. Exit status 1 if any width disagrees.
`RAYON_NUM_THREADS` is set to --threads for `lts` unless already set, so both sides get the same
number of threads.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
except ImportError as missing:
    sys.exit(
        f"benches/generator_ort.py needs numpy, onnx and onnxruntime ({missing}).\n"
        "Install them with:  pip install onnx onnxruntime"
    )

REPO = Path(__file__).resolve().parent.parent
KERNEL, STRIDE, PAD = 4, 2, 1
BN_EPS = 1e-5
LEAKY_SLOPE = 0.2
OPSET = 17


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The architecture: levels and PyTorch key names, as src/model/unet.rs defines them
# ---------------------------------------------------------------------------------------------

@dataclass
class Level:
    """One U-Net level, outermost first: its down conv, up conv and their norms, by key."""

    outer: int  # channels outside the level (the up conv's output)
    inner: int  # channels inside (the down conv's output)
    down_in: int  # the down conv's input channels
    up_in: int  # the up conv's input channels (2 * inner with the skip, inner at the bottleneck)
    down_conv: str  # key prefixes, e.g. "model.model.1.model.1"
    down_norm: str | None
    up_conv: str
    up_norm: str | None  # None: the outermost level ends in tanh instead


def unet_levels(ngf: int, num_downs: int, input_nc: int = 1, output_nc: int = 3) -> list[Level]:
    """Widths as the reference stacks them, key names as its nested UnetSkipConnectionBlocks
    spell them: inside each block's nn.Sequential the order is
    [downrelu?, downconv, downnorm?, submodule?, uprelu, upconv, upnorm | tanh, dropout?]."""
    if num_downs < 5:
        raise ValueError("a U-Net needs at least 5 levels")
    widths = [(output_nc, ngf), (ngf, ngf * 2), (ngf * 2, ngf * 4), (ngf * 4, ngf * 8)]
    widths += [(ngf * 8, ngf * 8)] * (num_downs - 4)
    innermost = num_downs - 1
    levels, prefix = [], "model"
    for index, (outer, inner) in enumerate(widths):
        seq = f"{prefix}.model"
        if index == 0:
            down_conv, down_norm, up_conv, up_norm, sub = 0, None, 3, None, 1
        elif index == innermost:
            down_conv, down_norm, up_conv, up_norm, sub = 1, None, 3, 4, None
        else:
            down_conv, down_norm, up_conv, up_norm, sub = 1, 2, 5, 6, 3
        levels.append(
            Level(
                outer=outer,
                inner=inner,
                down_in=input_nc if index == 0 else outer,
                up_in=inner if index == innermost else inner * 2,
                down_conv=f"{seq}.{down_conv}",
                down_norm=None if down_norm is None else f"{seq}.{down_norm}",
                up_conv=f"{seq}.{up_conv}",
                up_norm=None if up_norm is None else f"{seq}.{up_norm}",
            )
        )
        if sub is not None:
            prefix = f"{seq}.{sub}"
    return levels


def norms(levels: list[Level]) -> list[tuple[str, int]]:
    """Every batch norm (key prefix, channels) in forward order."""
    downs = [(l.down_norm, l.inner) for l in levels if l.down_norm]
    ups = [(l.up_norm, l.outer) for l in reversed(levels) if l.up_norm]
    return downs + ups


def random_weights(levels: list[Level], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The reference's init: conv weights N(0, 0.02), no conv bias under batch norm except the
    outermost up conv's (zero there in the reference; small random here so it is exercised),
    BN weight N(1, 0.02), BN bias N(0, 0.02). Running statistics are placeholders until
    `calibrate` sets them."""

    def normal(shape, mean=0.0, std=0.02):
        return rng.normal(mean, std, size=shape).astype(np.float32)

    w: dict[str, np.ndarray] = {}
    for index, l in enumerate(levels):
        w[f"{l.down_conv}.weight"] = normal((l.inner, l.down_in, KERNEL, KERNEL))
        # ConvTranspose2d weights are [in, out, k, k] in PyTorch, Burn and ONNX alike.
        w[f"{l.up_conv}.weight"] = normal((l.up_in, l.outer, KERNEL, KERNEL))
        if index == 0:
            w[f"{l.up_conv}.bias"] = normal((l.outer,))
    for key, channels in norms(levels):
        w[f"{key}.weight"] = normal((channels,), mean=1.0)
        w[f"{key}.bias"] = normal((channels,))
        w[f"{key}.running_mean"] = np.zeros(channels, np.float32)
        w[f"{key}.running_var"] = np.ones(channels, np.float32)
    return w


# ---------------------------------------------------------------------------------------------
# The ONNX graph
# ---------------------------------------------------------------------------------------------

@dataclass
class Graph:
    model: onnx.ModelProto
    macs: int  # multiply-accumulates per frame, from the conv shapes in the graph
    norm_inputs: list[str]  # value names entering each batch norm, forward order


def build_graph(
    levels: list[Level], weights: dict[str, np.ndarray], size: int, batch_stats: bool = False
) -> Graph:
    """The U-Net forward of src/model/unet.rs as an ONNX graph.

    Down: [LeakyRelu 0.2 unless outermost] -> Conv k4 s2 p1 -> [BN unless outer/innermost].
    Up, innermost first: [Concat(skip, y) unless innermost] -> Relu -> ConvTranspose k4 s2 p1
    -> BN, or Tanh at the outermost level. No dropout (inference).

    batch_stats=True normalises with the batch's own statistics instead (train-mode BN, via
    MeanVarianceNormalization over N, H, W) and exposes each norm's input as an extra output:
    that is how `calibrate` measures plausible running statistics."""
    nodes, inits, outputs, norm_inputs = [], [], [], []
    used = set()
    macs = 0

    def init(key: str, array: np.ndarray | None = None) -> str:
        if key not in used:
            inits.append(numpy_helper.from_array(weights[key] if array is None else array, key))
            used.add(key)
        return key

    def add(op: str, inputs: list[str], output: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attrs))
        return output

    def norm(x: str, key: str, channels: int, name: str) -> str:
        norm_inputs.append(x)
        if not batch_stats:
            names = [init(f"{key}.{p}") for p in ("weight", "bias", "running_mean", "running_var")]
            return add("BatchNormalization", [x, *names], name, epsilon=BN_EPS)
        scale, shift = (
            init(f"{key}.{p}:nchw", weights[f"{key}.{p}"].reshape(1, channels, 1, 1))
            for p in ("weight", "bias")
        )
        y = add("MeanVarianceNormalization", [x], f"{name}.mvn")
        y = add("Mul", [y, scale], f"{name}.scale")
        return add("Add", [y, shift], name)

    conv_attrs = dict(kernel_shape=[KERNEL, KERNEL], strides=[STRIDE, STRIDE], pads=[PAD] * 4)
    x, side, features = "input", size, []
    for index, l in enumerate(levels):
        if index > 0:
            x = add("LeakyRelu", [x], f"down{index}.leaky", alpha=LEAKY_SLOPE)
        x = add("Conv", [x, init(f"{l.down_conv}.weight")], f"down{index}.conv", **conv_attrs)
        side //= 2
        macs += side * side * l.inner * l.down_in * KERNEL * KERNEL
        if l.down_norm:
            x = norm(x, l.down_norm, l.inner, f"down{index}.norm")
        features.append(x)

    y = features.pop()
    for index in reversed(range(len(levels))):
        l = levels[index]
        if index != len(levels) - 1:
            y = add("Concat", [features.pop(), y], f"up{index}.cat", axis=1)
        y = add("Relu", [y], f"up{index}.relu")
        conv_in = [y, init(f"{l.up_conv}.weight")]
        if f"{l.up_conv}.bias" in weights:
            conv_in.append(init(f"{l.up_conv}.bias"))
        y = add("ConvTranspose", conv_in, f"up{index}.conv", **conv_attrs)
        macs += side * side * l.up_in * l.outer * KERNEL * KERNEL
        side *= 2
        y = norm(y, l.up_norm, l.outer, f"up{index}.norm") if l.up_norm else add("Tanh", [y], "output")
    assert side == size and y == "output"

    def value(name, channels=None):
        shape = [None] * 4 if channels is None else [1, channels, size, size]
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)

    outputs = [value("output", levels[0].outer)]
    if batch_stats:
        outputs += [value(name) for name in norm_inputs]
    graph = helper.make_graph(
        nodes, "unet", [value("input", levels[0].down_in)], outputs, initializer=inits
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # opset 17; old enough for any recent onnxruntime
    onnx.checker.check_model(model)
    return Graph(model=model, macs=macs, norm_inputs=norm_inputs)


def session(model: onnx.ModelProto, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def calibrate(
    levels: list[Level],
    weights: dict[str, np.ndarray],
    image: np.ndarray,
    rng: np.random.Generator,
    threads: int,
) -> None:
    """Sets every BN's running statistics to the batch statistics a train-mode pass over `image`
    sees, jittered (mean by ~0.1 sd, variance by ~x/÷1.2): non-trivial, yet the activations
    stay O(1), as in a trained network."""
    size = image.shape[-1]
    graph = build_graph(levels, weights, size, batch_stats=True)
    values = session(graph.model, threads).run(graph.norm_inputs, {"input": image})
    for (key, channels), x in zip(norms(levels), values):
        x = x.astype(np.float64)
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        mean += 0.1 * np.sqrt(var) * rng.standard_normal(channels)
        var *= np.exp(0.2 * rng.standard_normal(channels))
        weights[f"{key}.running_mean"] = mean.astype(np.float32)
        weights[f"{key}.running_var"] = np.maximum(var, 1e-4).astype(np.float32)


def smooth_image(size: int, rng: np.random.Generator) -> np.ndarray:
    """[1, 1, size, size] float32 in [-1, 1]: a few random low-frequency waves, like the blurred
    grey the look feeds the network."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    image = np.zeros((size, size))
    for _ in range(8):
        fx, fy = rng.uniform(-4, 4, size=2)
        image += rng.uniform(0.3, 1.0) * np.cos(2 * np.pi * (fx * xx + fy * yy) + rng.uniform(0, 6.3))
    image = 2 * (image - image.min()) / (image.max() - image.min()) - 1
    return image.astype(np.float32)[None, None]


def time_ort(sess: ort.InferenceSession, image: np.ndarray, runs: int, warmup: int = 3) -> float:
    """Median ms of `runs` single-frame runs after `warmup` untimed ones."""
    for _ in range(warmup):
        sess.run(["output"], {"input": image})
    times = []
    for _ in range(max(runs, 1)):
        start = time.perf_counter()
        sess.run(["output"], {"input": image})
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


# ---------------------------------------------------------------------------------------------
# Model packages, as src/model/package.rs and src/model/weights.rs read them
# ---------------------------------------------------------------------------------------------

def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """8-byte little-endian header length, JSON header (padded with spaces to 8 bytes), then the
    tensors' raw little-endian f32 bytes back to back in header order."""
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        data = np.ascontiguousarray(tensors[key], dtype="<f4").tobytes()
        header[key] = {
            "dtype": "F32",
            "shape": list(tensors[key].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_package(directory: Path, name: str, ngf: int, size: int, weights, made_by: str) -> None:
    """model.toml (the fields ModelMeta needs; `dropout = true` as trained packages say: inference
    never drops) + weights.safetensors. Running statistics are buffers in the file like any
    other tensor; num_batches_tracked is left out (our loader drops it anyway)."""
    directory.mkdir(parents=True, exist_ok=True)
    write_safetensors(directory / "weights.safetensors", weights)
    (directory / "model.toml").write_text(
        f'name = "{name}"\n'
        'description = "random U-Net weights for the ONNX Runtime comparison"\n'
        f"resolution = {size}\n"
        'precision = "f32"\n'
        f'made_by = "{made_by}"\n'
        "\n[generator]\n"
        f'arch = "unet_{size}"\n'
        f"ngf = {ngf}\n"
        "input_nc = 1\n"
        "output_nc = 3\n"
        'norm = "batch"\n'
        "dropout = true\n"
    )


# ---------------------------------------------------------------------------------------------
# Our side: the lts binary
# ---------------------------------------------------------------------------------------------

def default_lts() -> Path:
    candidates = []
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "lts")
    candidates.append(Path.home() / ".cache" / "learning-to-see" / "target" / "release" / "lts")
    candidates.append(REPO / "target" / "release" / "lts")
    return next((c for c in candidates if c.is_file()), candidates[-1])


class Lts:
    def __init__(self, path: Path, threads: int):
        if not path.is_file():
            sys.exit(f"no lts binary at {path}: build it (cargo build --release) or pass --lts PATH")
        self.path = path
        self.env = dict(os.environ)
        self.env.setdefault("RAYON_NUM_THREADS", str(threads))
        self.has_bench_model: bool | None = None  # learnt on the first bench call

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.path), *args], env=self.env, capture_output=True, text=True
        )

    def check(self, *args: str) -> str:
        done = self.run(*args)
        if done.returncode != 0:
            sys.exit(f"`lts {' '.join(args)}` failed ({done.returncode}):\n{done.stderr.strip()}")
        return done.stdout

    def infer(self, package: Path, image: np.ndarray, work: Path) -> np.ndarray:
        """`lts infer --input-raw` on a [C, H, W] .npy; it writes OUT/<stem>.npy, [3, H, W]."""
        out = work / f"{package.name}-out"
        np.save(work / "frame.npy", image[0])
        self.check("infer", "--model", str(package), "--input-raw", str(work / "frame.npy"),
                   "--raw", "--out", str(out))
        return np.load(out / "frame.npy")[None]

    def bench(self, package: Path, ngf: int, size: int, runs: int) -> dict:
        """One `lts bench generator --json` row; without --model support, a random U-Net's."""
        common = ["--ngf", str(ngf), "--size", str(size), "--runs", str(runs), "--json"]
        done = None
        if self.has_bench_model is not False:
            done = self.run("bench", "generator", "--model", str(package), *common)
            if done.returncode != 0 and "unexpected argument '--model'" in done.stderr:
                self.has_bench_model = False
                log("note: this lts has no `bench generator --model`; timing a random U-Net of "
                    "the same shape instead (time does not depend on weight values)")
                done = None
            else:
                self.has_bench_model = True
        if done is None:
            done = self.run("bench", "generator", *common)
        if done.returncode != 0:
            sys.exit(f"`lts bench generator` failed ({done.returncode}):\n{done.stderr.strip()}")
        rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        row = next((r for r in rows if r.get("ngf") == ngf), None)
        if row is None:
            sys.exit(f"`lts bench generator` printed no JSON row for ngf {ngf}:\n{done.stdout}")
        row["timed"] = "package" if self.has_bench_model else "random U-Net"
        return row

    def models(self, root: Path) -> dict[str, tuple[int, float]]:
        """`lts models --dir ROOT`: name -> (parameters, GMAC/frame) as our cost model counts."""
        listed = {}
        for line in self.check("models", "--dir", str(root)).splitlines():
            match = re.match(r"(\S+)\s+unet_\d+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+([\d.]+) @", line)
            if match:
                listed[match[1]] = (int(match[2]), float(match[3]))
        return listed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--ngf", default="16,32,64", help="widths, comma-separated (16,32,64)")
    parser.add_argument("--size", type=int, default=256, help="square input size (256)")
    parser.add_argument("--threads", type=int, default=2, help="ORT intra-op threads (2)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per side (20)")
    parser.add_argument("--lts", type=Path, default=None, help=f"lts binary ({default_lts()})")
    parser.add_argument("--tol", type=float, default=1e-3, help="max abs diff allowed (1e-3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="one JSON object per width")
    parser.add_argument("--check-only", action="store_true", help="agreement only, no timing")
    parser.add_argument("--keep", type=Path, default=None,
                        help="write packages, .onnx files and arrays here and keep them")
    args = parser.parse_args()
    args.ngf = [int(n) for n in args.ngf.split(",") if n]
    if args.size < 32 or args.size & (args.size - 1):
        parser.error("--size must be a power of two >= 32")
    return args


def main() -> int:
    args = parse_args()
    lts = Lts((args.lts or default_lts()).expanduser(), args.threads)
    levels_count = args.size.bit_length() - 1
    log(f"lts: {lts.path}; onnxruntime {ort.__version__}; unet_{args.size} ({levels_count} levels), "
        f"{args.size}^2, {args.threads} thread(s), median of {args.runs}")

    work = args.keep or Path(tempfile.mkdtemp(prefix="lts-ort-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for ngf in args.ngf:
            rng = np.random.default_rng([args.seed, ngf])
            levels = unet_levels(ngf, levels_count)
            weights = random_weights(levels, rng)
            calibrate(levels, weights, smooth_image(args.size, rng), rng, args.threads)
            name = f"ort-ngf{ngf}"
            package = work / "models" / name
            write_package(package, name, ngf, args.size, weights,
                          f"benches/generator_ort.py --seed {args.seed}")
            graph = build_graph(levels, weights, args.size)
            if args.keep:
                onnx.save(graph.model, str(work / f"{name}.onnx"))
            sess = session(graph.model, args.threads)

            image = smooth_image(args.size, rng)
            theirs = sess.run(["output"], {"input": image})[0]
            ours = lts.infer(package, image, work)
            diff = float(np.abs(ours - theirs).max())
            log(f"ngf {ngf}: max abs diff {diff:.2e} (output std {theirs.std():.3f}, "
                f"|y| > 0.99 on {np.mean(np.abs(theirs) > 0.99):.1%}, "
                f"{graph.macs / 1e9:.3f} GMAC)")

            params = sum(w.size for key, w in weights.items() if "running_" not in key)
            row = {"ngf": ngf, "size": args.size, "params": params, "macs": graph.macs,
                   "gflop": 2 * graph.macs / 1e9, "max_abs_diff": diff,
                   "agrees": diff < args.tol, "threads": args.threads, "runs": args.runs}
            if not args.check_only:
                row["ort_ms"] = time_ort(sess, image, args.runs)
                bench = lts.bench(package, ngf, args.size, args.runs)
                row["ours_ms"] = float(bench["ms"])
                row["ours_backend"] = bench.get("backend", "?")
                row["ours_timed"] = bench["timed"]
                row["ort_gflops"] = row["gflop"] / row["ort_ms"] * 1e3
                row["ours_gflops"] = row["gflop"] / row["ours_ms"] * 1e3
                row["ratio"] = row["ours_ms"] / row["ort_ms"]
                log(f"ngf {ngf}: ours {row['ours_ms']:.2f} ms ({row['ours_backend']}, "
                    f"{row['ours_timed']}), ORT {row['ort_ms']:.2f} ms")
            rows.append(row)
            del sess, graph

        cross_check(lts, work / "models", rows)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print_rows(rows, args)
    failed = [r["ngf"] for r in rows if not r["agrees"]]
    if failed:
        log(f"FAIL: ours and ONNX Runtime differ by >= {args.tol} for ngf {failed}")
        return 1
    return 0


def cross_check(lts: Lts, root: Path, rows: list[dict]) -> None:
    """Our MAC count and parameter count against `lts models` (src/model/cost.rs)."""
    listed = lts.models(root)
    for row in rows:
        params_py = row["params"]
        params, gmac = listed.get(f"ort-ngf{row['ngf']}", (None, None))
        if params is None:
            log(f"ngf {row['ngf']}: not listed by `lts models`; no cross-check")
            continue
        same = params == params_py and abs(gmac - row["macs"] / 1e9) < 0.006
        log(f"ngf {row['ngf']}: lts models says {params} params, {gmac:.2f} GMAC; this script "
            f"{params_py} params, {row['macs'] / 1e9:.2f} GMAC{'' if same else '  <-- MISMATCH'}")


def print_rows(rows: list[dict], args: argparse.Namespace) -> None:
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    def ms(row, key):
        return f"{row[key]:.2f}" if key in row else "-"
    def rate(row, key):
        return f"{row[key]:.1f}" if key in row else "-"
    print(f"U-Net (unet_{args.size}) at {args.size}², batch 1, fp32, {args.threads} thread(s), "
          f"median of {args.runs}; onnxruntime {ort.__version__}")
    print()
    print("| ngf | GMAC / GFLOP per frame | ours ms | ours GFLOP/s | ORT ms | ORT GFLOP/s "
          "| ratio ours/ORT | max abs diff |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = f"{r['ratio']:.2f}×" if "ratio" in r else "-"
        print(f"| {r['ngf']} | {r['macs'] / 1e9:.3f} / {r['gflop']:.3f} | {ms(r, 'ours_ms')} "
              f"| {rate(r, 'ours_gflops')} | {ms(r, 'ort_ms')} | {rate(r, 'ort_gflops')} "
              f"| {ratio} | {r['max_abs_diff']:.1e} |")
    backends = sorted({r["ours_backend"] for r in rows if "ours_backend" in r})
    if backends:
        print()
        print(f"ours: `lts bench generator` on {', '.join(backends)}; ORT: CPUExecutionProvider, "
              f"intra-op {args.threads}, inter-op 1, ORT_ENABLE_ALL.")
    if any(r.get("ours_timed") == "random U-Net" for r in rows):
        print("ours was timed on a random U-Net of the same shape (this lts has no "
              "`bench generator --model`); the agreement check used the package.")


if __name__ == "__main__":
    sys.exit(main())
