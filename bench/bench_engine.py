"""Time one epoch of mini-batch SGD on a 784-30-10 sigmoid network.

Compares nnviz's matrix form (a mini-batch goes through the network as the columns of
one matrix) with the floor (``floor_step``: the seed's update as ~10 lines of numpy on
the stacked columns, nothing else) and with the seed notebook's per-example loop (its own
``Network.SGD`` code, exec'd from the notebook by ``tests/seed_reference.py``), for
mini-batches of 10 and 100, on synthetic MNIST-shaped data (fixed seed).  A PyTorch CPU column is added when
``import torch`` works (torch is never installed by this script).

    python3 bench/bench_engine.py [--examples 10000] [--repeats 3] [--no-write]

Prints a table (median of the repeats, CPU seconds per epoch) and writes/updates the
``bench_engine`` section of ``bench/RESULTS.md``.

BLAS runs single-threaded unless $NNVIZ_BENCH_THREADS says otherwise (or
$OPENBLAS_NUM_THREADS / $OMP_NUM_THREADS / $MKL_NUM_THREADS are already set): on a small
shared machine a multi-threaded BLAS competing with other processes makes the timings
meaningless.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

THREADS = os.environ.get("NNVIZ_BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)  # must happen before numpy is imported

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from nnviz import Network  # noqa: E402
from seed_reference import SeedNotFound, load_seed, seed_network  # noqa: E402

SIZES = [784, 30, 10]
ETA = 3.0
BATCHES = (10, 100)
BEGIN, END = "<!-- bench_engine:begin -->", "<!-- bench_engine:end -->"

try:  # optional; never installed here
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def synthetic_data(n: int, seed: int = 0):
    """n MNIST-shaped examples: x in [0, 1]^784, y one-hot over 10 classes (random labels)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    eye = np.eye(10)
    return [(rng.uniform(0.0, 1.0, (784, 1)), eye[:, [c]]) for c in labels]


def timed(fn) -> float:
    """CPU seconds of this process spent in ``fn()`` (time.process_time): with BLAS on one
    thread that is the work done, which other sessions' load on a shared machine barely
    changes (wall time under a load of 10+ on 2 cores would mostly measure the queue)."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def seed_epoch(ns, params, data, mbs, rep):
    net = seed_network(SIZES, *params, namespace=ns)
    state = random.getstate()
    random.seed(rep)  # the seed's SGD shuffles with the global ``random`` module
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints "Epoch 0 complete"
            return timed(lambda: net.SGD(data, 1, mbs, ETA, None))
    finally:
        random.setstate(state)


def nnviz_network(params) -> Network:
    net = Network(SIZES, seed=0)
    net.weights = [w.copy() for w in params[0]]
    net.biases = [b.copy() for b in params[1]]
    return net


def nnviz_sgd_epoch(params, data, mbs, rep):
    net = nnviz_network(params)
    return timed(lambda: net.SGD(data, 1, mbs, ETA, rng=np.random.default_rng(rep)))


def nnviz_update_loop_epoch(params, data, mbs, rep):
    """The public per-batch API: update_mini_batch on each slice of a shuffled list."""
    net = nnviz_network(params)
    order = np.random.default_rng(rep).permutation(len(data))

    def run():
        shuffled = [data[i] for i in order]
        for k in range(0, len(shuffled), mbs):
            net.update_mini_batch(shuffled[k:k + mbs], ETA)

    return timed(run)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def floor_step(W, B, x, y, eta):
    """The floor: the seed's update on stacked columns, nothing else (784-30-10 sigmoid,
    quadratic cost).  Returns the new (W, B)."""
    a1 = sigmoid(W[0] @ x + B[0])
    a2 = sigmoid(W[1] @ a1 + B[1])
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (W[1].T @ d2) * a1 * (1 - a1)
    k = eta / x.shape[1]
    return ([W[0] - k * (d1 @ x.T), W[1] - k * (d2 @ a1.T)],
            [B[0] - k * d1.sum(axis=1, keepdims=True), B[1] - k * d2.sum(axis=1, keepdims=True)])


def floor_sgd_epoch(params, data, mbs, rep):
    """The floor for SGD: stack every example once (one row each, so a batch is a
    contiguous gather), then per mini-batch the gather, transposed, and ``floor_step``."""
    W, B = [w.copy() for w in params[0]], [b.copy() for b in params[1]]
    order = np.random.default_rng(rep).permutation(len(data))

    def run():
        nonlocal W, B
        X = np.array([x[:, 0] for x, _ in data])
        Y = np.array([y[:, 0] for _, y in data])
        for k in range(0, len(data), mbs):
            rows = order[k:k + mbs]
            W, B = floor_step(W, B, X[rows].T, Y[rows].T, ETA)

    return timed(run)


def floor_umb_epoch(params, data, mbs, rep):
    """The floor for update_mini_batch on list slices: stack each batch's columns, then
    ``floor_step``."""
    W, B = [w.copy() for w in params[0]], [b.copy() for b in params[1]]
    order = np.random.default_rng(rep).permutation(len(data))

    def run():
        nonlocal W, B
        shuffled = [data[i] for i in order]
        for k in range(0, len(shuffled), mbs):
            batch = shuffled[k:k + mbs]
            W, B = floor_step(W, B, np.hstack([x for x, _ in batch]), np.hstack([y for _, y in batch]), ETA)

    return timed(run)


def torch_epoch(params, data, mbs, rep):
    """The same matrix-form SGD written with torch tensors (float64, CPU, no autograd)."""
    W = [torch.tensor(w) for w in params[0]]
    B = [torch.tensor(b) for b in params[1]]
    X = torch.tensor(np.hstack([x for x, _ in data]))
    Y = torch.tensor(np.hstack([y for _, y in data]))
    gen = torch.Generator().manual_seed(rep)

    def run():
        nonlocal W, B
        perm = torch.randperm(X.shape[1], generator=gen)
        for k in range(0, X.shape[1], mbs):
            cols = perm[k:k + mbs]
            a, acts, zs = X[:, cols], [X[:, cols]], []
            for w, b in zip(W, B):
                z = w @ a + b
                zs.append(z)
                a = torch.sigmoid(z)
                acts.append(a)
            s = acts[-1]
            delta = (s - Y[:, cols]) * s * (1 - s)
            gw, gb = [None] * len(W), [None] * len(W)
            for l in range(len(W) - 1, -1, -1):
                if l < len(W) - 1:
                    s = acts[l + 1]
                    delta = (W[l + 1].T @ delta) * s * (1 - s)
                gb[l] = delta.sum(dim=1, keepdim=True)
                gw[l] = delta @ acts[l].T
            m = cols.shape[0]
            W = [w - (ETA / m) * g for w, g in zip(W, gw)]
            B = [b - (ETA / m) * g for b, g in zip(B, gb)]

    with torch.no_grad():
        return timed(run)


def agreement(ns, params, data, mbs=10, batches=20) -> tuple[float, float]:
    """Largest |difference| from the seed after the same mini-batches: (nnviz, floor)."""
    net, ref = nnviz_network(params), seed_network(SIZES, *params, namespace=ns)
    W, B = [w.copy() for w in params[0]], [b.copy() for b in params[1]]
    for k in range(0, batches * mbs, mbs):
        batch = data[k:k + mbs]
        net.update_mini_batch(batch, ETA)
        ref.update_mini_batch(batch, ETA)
        W, B = floor_step(W, B, np.hstack([x for x, _ in batch]), np.hstack([y for _, y in batch]), ETA)
    diff = lambda ps: max(float(np.max(np.abs(a - b)))  # noqa: E731
                          for a, b in zip(ps, ref.weights + ref.biases, strict=True))
    return diff(net.weights + net.biases), diff(W + B)


def run(n: int, repeats: int) -> tuple[list[dict], dict]:
    ns = load_seed()
    load_start = os.getloadavg()
    data = synthetic_data(n)
    start = Network(SIZES, seed=1)
    params = ([w.copy() for w in start.weights], [b.copy() for b in start.biases])
    diff, floor_diff = agreement(ns, params, data)
    if max(diff, floor_diff) > 1e-12:
        raise SystemExit(f"nnviz ({diff:.3g}) or the floor ({floor_diff:.3g}) disagrees with the seed "
                         "after 20 mini-batches")
    columns = {"seed": lambda mbs, r: seed_epoch(ns, params, data, mbs, r),
               "floor_sgd": lambda mbs, r: floor_sgd_epoch(params, data, mbs, r),
               "nnviz_sgd": lambda mbs, r: nnviz_sgd_epoch(params, data, mbs, r),
               "floor_umb": lambda mbs, r: floor_umb_epoch(params, data, mbs, r),
               "nnviz_umb": lambda mbs, r: nnviz_update_loop_epoch(params, data, mbs, r)}
    if torch is not None:
        columns["torch"] = lambda mbs, r: torch_epoch(params, data, mbs, r)
    rows = []
    for mbs in BATCHES:
        times = {name: [] for name in columns}
        for r in range(repeats):  # interleaved: every column sees the same machine load
            for name, fn in columns.items():
                times[name].append(fn(mbs, r))
        rows.append({"batch": mbs, **{name: statistics.median(t) for name, t in times.items()}})
    net = Network(SIZES, seed=0)
    stack = statistics.median(timed(lambda: net._stack(data)) for _ in range(repeats))
    info = {"n": n, "repeats": repeats, "agreement": diff, "floor_agreement": floor_diff, "stack": stack,
            "load_start": load_start, "load": os.getloadavg(),
            "python": platform.python_version(), "numpy": np.__version__,
            "torch": torch.__version__ if torch is not None else None,
            "cpus": os.cpu_count(), "blas_threads": os.environ["OPENBLAS_NUM_THREADS"], "machine": platform.machine(), "date": date.today().isoformat()}
    return rows, info


def table(rows: list[dict], info: dict) -> str:
    has_torch = info["torch"] is not None
    head = ["batch", "seed loop (s)", "floor SGD (s)", "nnviz SGD (s)", "nnviz SGD / floor",
            "floor umb loop (s)", "nnviz umb loop (s)", "nnviz umb / floor", "seed / nnviz SGD"]
    head += ["torch CPU (s)", "torch / floor SGD"] if has_torch else ["torch CPU (s)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    secs = lambda r, k: f"{r[k]:.3f}" if k in r else "—"  # noqa: E731  (older saved runs lack the floor)
    per = lambda r, a, b: f"**{r[a] / r[b]:.2f}×**" if a in r and b in r else "—"  # noqa: E731
    for r in rows:
        cells = [str(r["batch"]), secs(r, "seed"), secs(r, "floor_sgd"), secs(r, "nnviz_sgd"),
                 per(r, "nnviz_sgd", "floor_sgd"), secs(r, "floor_umb"), secs(r, "nnviz_umb"),
                 per(r, "nnviz_umb", "floor_umb"), f"{r['seed'] / r['nnviz_sgd']:.1f}× faster"]
        cells += [f"{r['torch']:.3f}", f"{r['torch'] / r['floor_sgd']:.2f}×"] if has_torch else ["n/a"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def section(rows: list[dict], info: dict) -> str:
    torch_note = (f"PyTorch {info['torch']} (CPU, float64)" if info["torch"]
                  else "PyTorch: not installed, column n/a")
    load = info.get("load_start"), info.get("load")
    load_note = (f" Load average (1/5/15 min) {' / '.join(f'{v:.2f}' for v in load[0])} at the start, "
                 f"{' / '.join(f'{v:.2f}' for v in load[1])} at the end (the machine is shared)."
                 if all(load) else "")
    return "\n".join([
        BEGIN,
        "## Engine: one epoch of mini-batch SGD, 784-30-10 sigmoid network",
        "",
        f"`python3 bench/bench_engine.py` — {info['n']:,} synthetic MNIST-shaped examples (fixed seed), "
        f"η = {ETA}, median of {info['repeats']} runs, CPU seconds per epoch (process time); all columns in one process, "
        f"their runs interleaved. {info['date']}; Python {info['python']}, NumPy {info['numpy']}, "
        f"{info['cpus']} CPUs ({info['machine']}), BLAS threads: {info['blas_threads']}; {torch_note}.{load_note}",
        "",
        table(rows, info),
        "",
        "* **seed loop**: the notebook's own `Network.SGD` (exec'd from its text): one `backprop` per example.",
        "* **floor**: what a mini-batch cannot avoid — the seed's update as ~10 lines of numpy on the "
        "batch's columns (`floor_step`: two matrix products forward, two back, two for ∇w, the element-wise "
        "σ, σ′ and the update). *floor SGD* stacks all examples once and gathers each batch's columns; "
        "*floor umb* stacks each slice of a shuffled list.",
        "* **nnviz SGD**: `Network.SGD` (validation, stacking once, and the per-epoch cost and accuracy "
        f"included; stacking alone ≈ {info['stack']:.3f} s). **nnviz umb loop**: the public "
        "`update_mini_batch` on each slice of a shuffled list (validates and stacks each batch).",
        "* The target: nnviz within 1.2× of the floor (the bold ratios).",
        f"* Agreement check before timing: after 20 mini-batches of 10, nnviz differs from the seed by at most "
        f"{info['agreement']:.1e} and the floor by {info.get('floor_agreement', float('nan')):.1e} in any parameter.",
        END,
    ])


def write_results(text: str, path: Path = HERE / "RESULTS.md") -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new, encoding="utf-8")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = p.parse_args(argv)
    try:
        rows, info = run(args.examples, args.repeats)
    except SeedNotFound as e:
        print(f"bench_engine: {e}", file=sys.stderr)
        return 2
    text = section(rows, info)
    print(text)
    if not args.no_write:
        write_results(text)
        print(f"\nwrote {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
