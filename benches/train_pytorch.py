#!/usr/bin/env python3
"""Training speed, side by side: `lts train` against the same pix2pix in PyTorch 1.13 (Debian) and PyTorch 2 (PyPI).

Every side trains the same networks with the same batch, size, losses and optimiser, on the same
CPU with the same number of compute threads:
  - generator: U-Net (log2(size) levels as in lts: 8 at 256; 1 grey channel in, 3 out, batch norm,
    dropout 0.5 in the 8*ngf decoder blocks next to the innermost, tanh out), width `--ngf`;
  - discriminator: 70x70 PatchGAN (3 layers, batch norm) on concat(input, target), width `--ndf`
    (64, the default of both `lts train` and the reference);
  - losses: BCE-with-logits GAN + 100 * L1 for G, (real + fake) / 2 for D; Adam lr 2e-4, betas (0.5, 0.999).

What is timed, per row:
  - ours, step: `lts bench train --json` -- the training step alone, on random batches made
    beforehand (the same measure as PyTorch's), on the project's own CPU kernels (`--backend cpu`,
    what `lts train` uses);
  - Burn Flex: the same step through Burn's autodiff on its Flex CPU backend (`lts bench train
    --backend flex`), which is how `lts train` ran every step before the project's own training
    kernels: the rate those kernels are measured against (fewer steps: it is slow);
  - ours, loop: the whole `lts train` loop, including the pairs made on the fly (image decoding and
    the look) by its worker threads, which run beside the RAYON_NUM_THREADS compute threads. Rates
    come from losses.csv (its images_per_s column is a running mean since the first step; the script
    turns it back into elapsed times and reports the rate over the steps after the warm-up). The
    dataset is generated: JPEGs of 1.5 * size pixels, enough that no epoch ends (and no sample sheet
    is written) inside the timed steps; no checkpoint is written inside them either;
  - PyTorch: the training steps only, on random tensors made beforehand (no data loading), in each
    interpreter given by --pythons (each run in its own process, torch.set_num_threads).
GFLOP/s counts 2 * (3 * G MACs + 8 * D MACs) per image for every side (`lts bench train` prints it).

The step is timed in `--rounds` rounds, ours and then each PyTorch back to back in every round, because
a shared VM's speed drifts by tens of percent within minutes: each rate shown is the median over the
rounds, and each ratio the median of the rounds' own ratios (ours and theirs from the same round).

Usage:
  python3 benches/train_pytorch.py [--ngf 16,32,64] [--size 128,256] [--batch 4] [--threads 2]
      [--steps 10] [--warmup 2] [--rounds 3] [--flex-steps 2] [--no-flex] [--ndf 64] [--workers N] [--lts PATH]
      [--pythons /usr/bin/python3,~/venv-torch2/bin/python] [--side all|ours|pytorch] [--json] [--keep]

`--pythons` defaults to Debian's /usr/bin/python3 (python3-torch 1.13) and, when it exists,
$LTS_TORCH2_PYTHON or ~/venv-torch2/bin/python (a venv with `pip install torch`: PyTorch 2 from
PyPI, oneDNN). `--lts` defaults to $CARGO_TARGET_DIR/release/lts, else
~/.cache/learning-to-see/target/release/lts, else ./target/release/lts. `lts train` runs with its
working directory, dataset, runs, models and presets all in a temporary directory, so nothing in the
repository is written.
"""
import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Arguments and the lts binary
# ---------------------------------------------------------------------------------------------

def int_list(p, name, text):
    try:
        values = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        p.error(f"{name} takes comma-separated integers, got {text!r}")
    if not values or min(values) < 1:
        p.error(f"{name} needs at least one positive value")
    return values


def default_pythons():
    pythons = ["/usr/bin/python3"]
    torch2 = os.environ.get("LTS_TORCH2_PYTHON") or str(Path.home() / "venv-torch2" / "bin" / "python")
    if Path(torch2).is_file():
        pythons.append(torch2)
    return ",".join(pythons)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ngf", default="16,32,64", help="generator widths, comma-separated (default 16,32,64)")
    p.add_argument("--ndf", type=int, default=64, help="discriminator width (default 64, as lts train)")
    p.add_argument("--batch", type=int, default=4, help="default 4")
    p.add_argument("--size", default="128,256", help="square training sizes, comma-separated (default 128,256)")
    p.add_argument("--threads", type=int, default=2,
                   help="compute threads: torch.set_num_threads and RAYON_NUM_THREADS (default 2)")
    p.add_argument("--steps", type=int, default=10, help="timed steps (default 10)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps before them (default 2)")
    p.add_argument("--workers", type=int, default=None,
                   help="lts train's pair-making threads (default: lts's own default)")
    p.add_argument("--lts", type=Path, default=None, help="the lts binary (default: $CARGO_TARGET_DIR/release/lts, else "
                        "~/.cache/learning-to-see/target/release/lts, else ./target/release/lts)")
    p.add_argument("--pythons", default=None,
                   help="interpreters whose torch to time, comma-separated (default: /usr/bin/python3 and "
                        "$LTS_TORCH2_PYTHON or ~/venv-torch2/bin/python when it exists)")
    p.add_argument("--side", choices=["all", "ours", "pytorch"], default="all",
                   help="run one side only (default all)")
    p.add_argument("--no-loop", action="store_true", help="skip timing the whole lts train loop")
    p.add_argument("--rounds", type=int, default=3,
                   help="rounds of the step timed on every side in turn; medians over them (default 3)")
    p.add_argument("--flex-steps", type=int, default=2,
                   help="timed steps through Burn Flex, after one warm-up step (default 2)")
    p.add_argument("--no-flex", action="store_true", help="skip timing the step through Burn Flex")
    p.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (path on stderr)")
    args = p.parse_args(argv)
    args.ngf = int_list(p, "--ngf", args.ngf)
    args.size = int_list(p, "--size", args.size)
    if any(size < 32 or size & (size - 1) for size in args.size):
        # lts picks the U-Net's depth from the size (log2: 8 levels at 256), as this script does.
        p.error("--size must be powers of two, at least 32")
    if min(args.batch, args.threads, args.steps, args.flex_steps, args.rounds) < 1 or args.warmup < 0:
        p.error("--batch, --threads, --steps, --rounds and --flex-steps must be positive, --warmup not negative")
    args.pythons = [x for x in (args.pythons or default_pythons()).split(",") if x]
    return args


def default_lts():
    candidates = []
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "lts")
    candidates.append(Path.home() / ".cache" / "learning-to-see" / "target" / "release" / "lts")
    candidates.append(REPO / "target" / "release" / "lts")
    for path in candidates:
        if path.is_file():
            return path
    return candidates[0]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Ours: `lts train` on a generated dataset
# ---------------------------------------------------------------------------------------------

def make_dataset(directory, count, side, seed=7):
    """`count` smooth random colour images (JPEG, `side` px square): cheap to make, photo-like to decode."""
    import numpy as np
    from PIL import Image

    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        coarse = (rng.random((8, 8, 3)) * 255).astype(np.uint8)
        image = Image.fromarray(coarse).resize((side, side), Image.BICUBIC)
        grain = rng.normal(0, 6, (side, side, 3))
        pixels = np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(directory / f"target_{i:04d}.jpg", quality=90)


def elapsed_from_csv(path, batch):
    """(step, seconds since the first step started) per row of lts's losses.csv.

    images_per_s is written as (step * batch) / elapsed, a running mean, so elapsed = step * batch / rate.
    """
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            step, rate = int(row["step"]), float(row["images_per_s"])
            if rate > 0:
                rows.append((step, step * batch / rate))
    return rows


def run_ours_step(args, ngf, size, backend="cpu"):
    """`lts bench train`: the step alone on batches made beforehand, on `backend`."""
    steps, warmup = (args.steps, args.warmup) if backend == "cpu" else (args.flex_steps, 1)
    command = [str(args.lts), "bench", "train", "--json", "--backend", backend,
               "--ngf", str(ngf), "--ndf", str(args.ndf), "--size", str(size),
               "--batch", str(args.batch), "--steps", str(steps), "--warmup", str(warmup)]
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    log(f"{backend:5} step ngf {ngf} {size}²: {' '.join(command)}")
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"lts bench train failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_ours(args, ngf, size, workdir, dataset):
    total = args.warmup + args.steps
    name = f"bench-ngf{ngf}-{size}"
    command = [
        str(args.lts), "train",
        "--data", str(dataset), "--name", name,
        "--ngf", str(ngf), "--ndf", str(args.ndf),
        "--batch", str(args.batch), "--size", str(size),
        "--steps", str(total),
        # No checkpoint inside the timed steps (one is always written after the last step).
        "--checkpoint-every", str(total * 10),
        "--runs", str(workdir / "runs"),
        "--models", str(workdir / "models"),
        "--presets", str(workdir / "presets"),
    ]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    log(f"ours  loop ngf {ngf} {size}²: {' '.join(command)}")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"lts train failed ({done.returncode}):\n{done.stdout[-3000:]}")
    rows = elapsed_from_csv(workdir / "runs" / name / "losses.csv", args.batch)
    if len(rows) != total:
        raise RuntimeError(f"expected {total} rows in losses.csv, found {len(rows)}")
    elapsed = dict(rows)
    start = elapsed[args.warmup] if args.warmup else 0.0
    seconds = elapsed[total] - start
    steps = [elapsed[s] - elapsed.get(s - 1, 0.0) for s in range(args.warmup + 1, total + 1)]
    return {
        "images_per_s": args.steps * args.batch / seconds,
        "step_s_median": statistics.median(steps),
        "process_wall_s": wall,
    }


# ---------------------------------------------------------------------------------------------
# PyTorch: the same networks, written here in plain torch.nn
# ---------------------------------------------------------------------------------------------

def build_torch_side():
    import torch
    from torch import nn
    import torch.nn.functional as F

    def init_weights(module):
        # pix2pix's "normal" init: conv weights N(0, 0.02), norm scales N(1, 0.02), biases 0.
        if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm2d):
            nn.init.normal_(module.weight, 1.0, 0.02)
            nn.init.zeros_(module.bias)

    class UNet(nn.Module):
        """U-Net with `levels` stride-2 downsamplings; level 0 is the outermost.

        Level i maps `outer` channels to `inner` on the way down and `inner` (+ skip) back to `outer`
        on the way up. Convolutions feeding a batch norm have no bias, as in the reference.
        """

        def __init__(self, ngf, in_channels=1, out_channels=3, levels=8, dropout=True):
            super().__init__()
            widths = [(out_channels, ngf), (ngf, 2 * ngf), (2 * ngf, 4 * ngf), (4 * ngf, 8 * ngf)]
            widths += [(8 * ngf, 8 * ngf)] * (levels - len(widths))
            innermost = levels - 1
            self.downs, self.ups = nn.ModuleList(), nn.ModuleList()
            for i, (outer, inner) in enumerate(widths):
                down = [nn.Conv2d(in_channels if i == 0 else outer, inner, 4, 2, 1, bias=False)]
                if 0 < i < innermost:
                    down.append(nn.BatchNorm2d(inner))
                up = [nn.ConvTranspose2d(inner if i == innermost else 2 * inner, outer, 4, 2, 1,
                                         bias=i == 0)]
                if i == 0:
                    up.append(nn.Tanh())
                else:
                    up.append(nn.BatchNorm2d(outer))
                    # The three 8*ngf blocks just outside the innermost one.
                    if dropout and 4 <= i < innermost:
                        up.append(nn.Dropout(0.5))
                self.downs.append(nn.Sequential(*down))
                self.ups.append(nn.Sequential(*up))
            self.apply(init_weights)

        def forward(self, x):
            skips = []
            for i, down in enumerate(self.downs):
                x = down(x if i == 0 else F.leaky_relu(x, 0.2))
                skips.append(x)
            y = skips.pop()
            for i in reversed(range(len(self.ups))):
                if i != len(self.ups) - 1:
                    y = torch.cat([skips.pop(), y], 1)
                y = self.ups[i](F.relu(y))
            return y

    class PatchGan(nn.Module):
        """70x70 PatchGAN: k4 convolutions, strides 2,2,2,1,1, widths ndf..8*ndf, then one logit map."""

        def __init__(self, in_channels, ndf=64, layers=3):
            super().__init__()
            body = [nn.Conv2d(in_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
            width = ndf
            for n in range(1, layers + 1):
                nxt = ndf * min(2 ** n, 8)
                body += [nn.Conv2d(width, nxt, 4, 1 if n == layers else 2, 1, bias=False),
                         nn.BatchNorm2d(nxt), nn.LeakyReLU(0.2, True)]
                width = nxt
            body.append(nn.Conv2d(width, 1, 4, 1, 1))
            self.body = nn.Sequential(*body)
            self.apply(init_weights)

        def forward(self, x):
            return self.body(x)

    class Pix2Pix:
        def __init__(self, ngf, ndf, size, l1_weight=100.0, lr=2e-4):
            # The depth lts gives a size: log2 (8 levels, a 1x1 bottleneck, at 256).
            self.g, self.d = UNet(ngf, levels=size.bit_length() - 1), PatchGan(1 + 3, ndf)
            self.g.train()
            self.d.train()
            self.opt_g = torch.optim.Adam(self.g.parameters(), lr=lr, betas=(0.5, 0.999), eps=1e-8)
            self.opt_d = torch.optim.Adam(self.d.parameters(), lr=lr, betas=(0.5, 0.999), eps=1e-8)
            self.l1_weight = l1_weight

        @staticmethod
        def gan_loss(logits, real):
            labels = torch.ones_like(logits) if real else torch.zeros_like(logits)
            return F.binary_cross_entropy_with_logits(logits, labels)

        def step(self, grey, target):
            fake = self.g(grey)
            # D: real pairs -> 1, generated (detached) -> 0, loss halved.
            self.d.requires_grad_(True)
            self.opt_d.zero_grad(set_to_none=True)
            d_fake = self.gan_loss(self.d(torch.cat([grey, fake.detach()], 1)), False)
            d_real = self.gan_loss(self.d(torch.cat([grey, target], 1)), True)
            (0.5 * (d_fake + d_real)).backward()
            self.opt_d.step()
            # G: fool the updated D (no gradients for D's weights), stay near the target.
            self.d.requires_grad_(False)
            self.opt_g.zero_grad(set_to_none=True)
            g_gan = self.gan_loss(self.d(torch.cat([grey, fake], 1)), True)
            g_l1 = (fake - target).abs().mean()
            (g_gan + self.l1_weight * g_l1).backward()
            self.opt_g.step()
            return [t.item() for t in (g_gan, g_l1, d_real, d_fake)]

    return torch, Pix2Pix


def run_pytorch(args, ngf, size, torch, Pix2Pix):
    torch.manual_seed(1)
    gan = Pix2Pix(ngf, args.ndf, size)
    # A few batches of random pairs in [-1, 1], made before timing and cycled.
    batches = [(torch.rand(args.batch, 1, size, size) * 2 - 1,
                torch.rand(args.batch, 3, size, size) * 2 - 1) for _ in range(4)]
    log(f"torch {torch.__version__} ngf {ngf} {size}²: {args.warmup} warm-up + {args.steps} timed steps")
    for i in range(args.warmup):
        gan.step(*batches[i % len(batches)])
    steps = []
    started = time.perf_counter()
    for i in range(args.steps):
        t0 = time.perf_counter()
        gan.step(*batches[i % len(batches)])
        steps.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - started
    return {"images_per_s": args.steps * args.batch / seconds,
            "step_s_median": statistics.median(steps)}


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def pytorch_in(python, args):
    """Runs this script's PyTorch side in another interpreter; its JSON rows."""
    command = [python, str(Path(__file__).resolve()), "--side", "pytorch", "--json",
               "--pythons", python, "--ngf", ",".join(map(str, args.ngf)),
               "--size", ",".join(map(str, args.size)), "--ndf", str(args.ndf),
               "--batch", str(args.batch), "--threads", str(args.threads),
               "--steps", str(args.steps), "--warmup", str(args.warmup)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=dict(os.environ, LTS_TORCH_CHILD="1"))
    if done.returncode != 0:
        raise RuntimeError(f"{python}: the PyTorch side failed ({done.returncode})")
    return json.loads(done.stdout)


def main(argv=None):
    args = parse_args(argv)
    keys = [(size, ngf) for size in args.size for ngf in args.ngf]
    rows = {key: {"size": key[0], "ngf": key[1], "ndf": args.ndf, "batch": args.batch,
                  "threads": args.threads, "ours_step": None, "flex_step": None, "ours_loop": None, "pytorch": {},
                  "rounds": []}
            for key in keys}

    if os.environ.get("LTS_TORCH_CHILD"):
        # The PyTorch side, inside the interpreter being timed.
        torch, Pix2Pix = build_torch_side()
        torch.set_num_threads(args.threads)
        for size, ngf in keys:
            rows[(size, ngf)]["pytorch"] = run_pytorch(args, ngf, size, torch, Pix2Pix)
        print(json.dumps({"torch": torch.__version__, "rows": list(rows.values())}))
        return

    ours = args.side in ("all", "ours")
    if ours:
        if args.lts is None:
            args.lts = default_lts()
        if not args.lts.is_file():
            sys.exit(f"no lts binary at {args.lts}: build it (cargo build --release) or pass --lts PATH")
    versions = []
    for round_ in range(args.rounds):
        log(f"round {round_ + 1} of {args.rounds}")
        timed = {key: {"ours": None, "pytorch": {}} for key in keys}
        if ours:
            for size, ngf in keys:
                timed[(size, ngf)]["ours"] = run_ours_step(args, ngf, size)
        if args.side in ("all", "pytorch"):
            for python in args.pythons:
                result = pytorch_in(python, args)
                if result["torch"] not in versions:
                    versions.append(result["torch"])
                for row in result["rows"]:
                    timed[(row["size"], row["ngf"])]["pytorch"][result["torch"]] = row["pytorch"]
        for key in keys:
            rows[key]["rounds"].append(timed[key])

    for row in rows.values():
        rounds = row["rounds"]
        if ours:
            by_rate = sorted((r["ours"] for r in rounds), key=lambda step: step["img_per_s"])
            row["ours_step"] = dict(by_rate[len(by_rate) // 2],
                                    img_per_s=statistics.median(s["img_per_s"] for s in by_rate))
        for v in versions:
            row["pytorch"][v] = {"images_per_s": statistics.median(
                r["pytorch"][v]["images_per_s"] for r in rounds)}
        row["ratios"] = {v: statistics.median(r["ours"]["img_per_s"] / r["pytorch"][v]["images_per_s"]
                                              for r in rounds)
                         for v in versions} if ours else {}

    if ours:
        for size, ngf in keys:
            if not args.no_flex:
                rows[(size, ngf)]["flex_step"] = run_ours_step(args, ngf, size, backend="flex")
        if not args.no_loop:
            workdir = Path(tempfile.mkdtemp(prefix="lts-train-bench-"))
            try:
                count = args.batch * (args.warmup + args.steps)
                for size in args.size:
                    dataset = workdir / f"data{size}"
                    log(f"making {count} target images in {dataset}")
                    make_dataset(dataset, count, size + size // 2)
                    for ngf in args.ngf:
                        rows[(size, ngf)]["ours_loop"] = run_ours(args, ngf, size, workdir, dataset)
            finally:
                if args.keep:
                    log(f"kept {workdir}")
                else:
                    import shutil
                    shutil.rmtree(workdir, ignore_errors=True)

    for row in rows.values():
        step, flex = row["ours_step"], row["flex_step"]
        row["ratio_to_flex"] = step["img_per_s"] / flex["img_per_s"] if step and flex else None
    if args.json:
        print(json.dumps({"cpu": cpu_model(), "cpu_count": os.cpu_count(), "torch": versions,
                          "lts": str(args.lts) if args.lts else None,
                          "warmup": args.warmup, "steps": args.steps, "rounds": args.rounds,
                          "rows": list(rows.values())}, indent=2))
        return

    def gflops(row, rate):
        step = row["ours_step"]
        return f" ({rate * step['gflop_per_img']:.0f})" if step else ""

    with_flex = any(row["flex_step"] for row in rows.values())
    header = "| size | ngf | ours: step img/s (GFLOP/s) | ours: whole `lts train` loop |"
    header += " Burn Flex img/s (GFLOP/s) |" if with_flex else ""
    header += "".join(f" PyTorch {v} img/s (GFLOP/s) |" for v in versions)
    header += " ours / Burn Flex |" if with_flex else ""
    header += "".join(f" ours / PyTorch {v.split('+')[0]} |" for v in versions)
    print(header)
    print("|---" * (4 + 2 * len(versions) + 2 * with_flex) + "|")
    for row in rows.values():
        step, loop = row["ours_step"], row["ours_loop"]
        cells = [str(row["size"]), str(row["ngf"]),
                 f"{step['img_per_s']:.2f}{gflops(row, step['img_per_s'])}" if step else "-",
                 f"{loop['images_per_s']:.2f}" if loop else "-"]
        flex = row["flex_step"]
        if with_flex:
            cells.append(f"{flex['img_per_s']:.2f}{gflops(row, flex['img_per_s'])}" if flex else "-")
        for v in versions:
            theirs = row["pytorch"].get(v)
            cells.append(f"{theirs['images_per_s']:.2f}{gflops(row, theirs['images_per_s'])}" if theirs else "-")
        if with_flex:
            ratio = row["ratio_to_flex"]
            cells.append(f"**{ratio:.2f}**" if ratio is not None else "-")
        for v in versions:
            ratio = row["ratios"].get(v)
            cells.append(f"**{ratio:.2f}**" if ratio is not None else "-")
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"{cpu_model()}, {os.cpu_count()} CPUs; batch {args.batch}, ndf {args.ndf}, {args.threads} threads; "
          f"{args.warmup} warm-up then {args.steps} timed steps, {args.rounds} rounds "
          f"(Burn Flex: 1 then {args.flex_steps}, once); "
          f"lts {args.lts or '-'}")
    print("- ours, step: `lts bench train` (the project's CPU kernels), the training step on batches made beforehand")
    if with_flex:
        print("- Burn Flex: the same step through Burn's autodiff on its Flex CPU backend, how `lts train` "
              "ran before the project's own training kernels")
    print("- ours, loop: the whole `lts train` loop, pairs decoded and made on the fly by worker threads")
    print("- PyTorch: the training step on tensors made beforehand, same networks, losses and Adam")
    if args.rounds > 1:
        print(f"- step rates: medians of {args.rounds} rounds, every side timed in turn in each; ratios to "
              "PyTorch: medians of the rounds' own ratios")
    for row in rows.values():
        if len(row["rounds"]) > 1 and ours:
            per_round = "; ".join(
                f"ours {r['ours']['img_per_s']:.2f}"
                + "".join(f", {v.split('+')[0]} {r['pytorch'][v]['images_per_s']:.2f}" for v in versions)
                for r in row["rounds"])
            print(f"- {row['size']}² ngf {row['ngf']}, img/s by round: {per_round}")


if __name__ == "__main__":
    main()
