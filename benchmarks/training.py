"""Training benchmarks: one epoch (digits and 60k×784), matmul GFLOP/s, digits accuracy after 30 epochs.

The same work for every contestant: an MLP with ReLU hidden layers and a softmax output trained with
softmax cross-entropy and Adam (lr 1e-3 for the timing runs), mini-batches of 128 in a fresh random order
each epoch.

* coursekit: ``Sequential([Dense(.., "relu"), ..., Dense(10, "softmax")])``, one ``fit(epochs=1)`` per epoch
  (input checks, one-hot targets, shuffling included: it is what a student calls);
* scikit-learn: ``MLPClassifier(solver="adam", alpha=0, batch_size=128)``, one ``partial_fit`` per epoch
  (which also validates its input each call);
* PyTorch CPU: ``nn.Sequential`` of ``Linear``/``ReLU``, ``CrossEntropyLoss``, ``torch.optim.Adam``, with as
  many threads as numpy's BLAS, batches sliced from ``randperm`` (``X[perm[i:i + 128]]``).
"""

from __future__ import annotations

import numpy as np

from ._common import blas_threads, interleaved, peer_available

DIGITS_SIZES = (64, 128, 64, 10)
BIG_SIZES = (784, 256, 128, 10)
BATCH = 128
#: Idle seconds before each timed epoch, so the previous contestant's spinning BLAS/OpenMP threads sleep.
PAUSE = 0.2

#: The documented recipe for the digits accuracy run (the same lr and batch size for the peers). Chosen on a
#: validation split of the training rows (20 %, seed 1; the test rows were not used) from lr in {1e-3, 3e-3,
#: 1e-2} x batch in {16, 32, 64, 128} x init in {glorot_uniform, he_uniform}, 5 seeds each: the middle of the
#: best neighbourhood (validation 98.1 %; every neighbour >= 97.8 %) rather than the single best cell.
ACCURACY_RECIPE = {"name": "documented", "epochs": 30, "batch_size": 32, "learning_rate": 3e-3,
                   "kernel_initializer": "he_uniform", "seeds": (0, 1, 2, 3, 4)}
#: The timing runs' settings (Adam's default lr, batch 128, Keras' default init), for comparison.
DEFAULT_RECIPE = {"name": "defaults", "epochs": 30, "batch_size": 128, "learning_rate": 1e-3,
                  "kernel_initializer": "glorot_uniform", "seeds": (0, 1, 2, 3, 4)}


# ------------------------------------------------------------------------------------------------ data
def digits_split():
    """The digits, split as everywhere in the kit: 1437 training rows, 360 test rows."""
    from coursekit import datasets
    X, y = datasets.load_digits()
    return datasets.train_test_split(X, y, test_size=0.2, seed=0, stratify=True)


def synthetic(n, d=784, classes=10, seed=0):
    """n×d float32 standard-normal inputs, labels from a random linear teacher (learnable, not trivial)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    teacher = rng.standard_normal((d, classes), dtype=np.float32)
    y = np.argmax(X @ teacher + rng.standard_normal((n, classes), dtype=np.float32) * 5, axis=1)
    return X, y


def train_flops(sizes, n):
    """Multiply-adds ×2 of one epoch: forward X W, backward X^T dZ and dZ W^T (not for the first layer)."""
    pairs = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return 2.0 * n * (2 * sum(pairs) + sum(pairs[1:]))


# ------------------------------------------------------------------------------------------------ contestants
def coursekit_trainer(X, y, sizes, dtype="float32", seed=0, learning_rate=1e-3, batch_size=BATCH,
                      kernel_initializer="glorot_uniform"):
    from coursekit import Adam, Dense, Sequential
    layers = [Dense(units, activation="relu", kernel_initializer=kernel_initializer) for units in sizes[1:-1]]
    layers.append(Dense(sizes[-1], activation="softmax", kernel_initializer=kernel_initializer))
    model = Sequential(layers, seed=seed, dtype=dtype)
    model.compile(optimizer=Adam(learning_rate=learning_rate), loss="sparse_categorical_crossentropy")
    X = np.ascontiguousarray(X, dtype=dtype)

    def epoch():
        model.fit(X, y, epochs=1, batch_size=batch_size, verbose=0)

    def accuracy(X_test, y_test):
        return float(np.mean(model.predict(X_test).argmax(axis=1) == y_test))
    return epoch, accuracy


def sklearn_trainer(X, y, sizes, seed=0, learning_rate=1e-3, batch_size=BATCH):
    import warnings

    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=sizes[1:-1], activation="relu", solver="adam", alpha=0.0,
                        batch_size=batch_size, learning_rate_init=learning_rate, random_state=seed, shuffle=True)
    classes = np.arange(sizes[-1])
    X = np.ascontiguousarray(X, dtype=np.float32)

    def epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y, classes=classes)

    def accuracy(X_test, y_test):
        return float(np.mean(clf.predict(np.asarray(X_test, dtype=np.float32)) == y_test))
    return epoch, accuracy


def torch_trainer(X, y, sizes, seed=0, learning_rate=1e-3, batch_size=BATCH):
    import torch
    torch.set_num_threads(blas_threads())
    torch.manual_seed(seed)
    modules = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        modules += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    modules.append(torch.nn.Linear(sizes[-2], sizes[-1]))
    net = torch.nn.Sequential(*modules)
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    n = len(Xt)
    generator = torch.Generator().manual_seed(seed)

    def epoch():
        net.train()
        perm = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()

    def accuracy(X_test, y_test):
        net.eval()
        with torch.no_grad():
            out = net(torch.from_numpy(np.asarray(X_test, dtype=np.float32)))
        return float(np.mean(out.argmax(dim=1).numpy() == y_test))
    return epoch, accuracy


# ------------------------------------------------------------------------------------------------ benchmarks
def matmul_gflops(report, quick=False):
    """The machine's matmul ceiling (numpy, square matrices) for float32 and float64."""
    report.section("2a. matmul ceiling (numpy @, square matrices)")
    size = 256 if quick else 2048
    rng = np.random.default_rng(0)
    ceilings = {}
    for dtype in ("float32", "float64"):
        A = rng.standard_normal((size, size)).astype(dtype)
        B = rng.standard_normal((size, size)).astype(dtype)
        t = interleaved({dtype: lambda: A @ B}, repeats=1 if quick else 7)[dtype]["median"]
        ceilings[dtype] = 2.0 * size ** 3 / t / 1e9
        report.row(f"{size}×{size} @ {size}×{size}", f"numpy {dtype}", t, value=f"{ceilings[dtype]:.0f} GF/s",
                   note=f"{t * 1e3:.1f} ms per product, {blas_threads()} BLAS threads")
    report.ratio("matmul_gflops_float32", ceilings["float32"])
    report.ratio("matmul_gflops_float64", ceilings["float64"])
    return ceilings


def _square_product(size, dtype):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((size, size)).astype(dtype)
    B = rng.standard_normal((size, size)).astype(dtype)
    return lambda: A @ B


def epoch_products(X, sizes, batch_size=BATCH):
    """The matrix products of one epoch and nothing else: what BLAS alone does for a training epoch.

    For each mini-batch (contiguous slices of X, streamed from memory like a real epoch's rows), the
    forward products X W and the backward products X^T dZ and dZ W^T (none for the first layer), on fixed
    random float32 weights (the forward outputs serve as gradients): :func:`train_flops` multiply-adds x 2.
    """
    rng = np.random.default_rng(2)
    X = np.ascontiguousarray(X, dtype=np.float32)
    Ws = [rng.standard_normal((a, b), dtype=np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    batches = [X[start:start + batch_size] for start in range(0, len(X), batch_size)]

    def one_epoch():
        for xb in batches:
            inputs = [xb]
            for W in Ws:                                               # forward: z = h W
                inputs.append(inputs[-1] @ W)
            grad = inputs[-1]
            for index in range(len(Ws) - 1, -1, -1):                   # backward: dW = h^T dZ, dH = dZ W^T
                inputs[index].T @ grad
                if index:
                    grad = grad @ Ws[index].T
    return one_epoch


def epoch_benchmark(report, name, X, y, sizes, repeats, ceilings, targets, ceiling_size=None, quick=False):
    """One epoch of each contestant, interleaved; prints times, ratios, GFLOP/s and efficiency.

    With ``ceiling_size``, square products of that size (float32 and float64) run in the same round-robin,
    and the efficiencies use their GFLOP/s: the ceiling then sees the same load as the epochs. The epoch's
    own products alone (:func:`epoch_products`) run in the round-robin too: they show how much of an epoch
    is BLAS, and how fast BLAS runs these shapes on the machine *now* (see ``_products_row``).
    """
    shape = "-".join(map(str, sizes))
    work = f"{name} epoch ({len(X)}×{X.shape[1]}, {shape})"
    report.section(f"1. one training epoch: {work}")
    contestants = {
        "coursekit float32": coursekit_trainer(X, y, sizes, "float32")[0],
        "coursekit float64": coursekit_trainer(X, y, sizes, "float64")[0],
    }
    missing = {}
    if peer_available("sklearn"):
        contestants["scikit-learn MLPClassifier"] = sklearn_trainer(X, y, sizes)[0]
    else:
        missing["scikit-learn MLPClassifier"] = "scikit-learn not installed (pip install scikit-learn)"
    if peer_available("torch"):
        contestants["PyTorch CPU"] = torch_trainer(X, y, sizes)[0]
    else:
        missing["PyTorch CPU"] = "PyTorch not installed (pip install torch==2.13.0)"
    products = {}
    if ceiling_size:
        for dtype in ("float32", "float64"):
            products[f"matmul ceiling {dtype}"] = _square_product(ceiling_size, dtype)
        products["epoch products"] = epoch_products(X, sizes)
    times = interleaved({**contestants, **products}, repeats=repeats, warmup=1, pause=0 if quick else PAUSE)
    t_products = times.pop("epoch products")["median"] if ceiling_size else None
    if ceiling_size:
        ceilings = dict(ceilings)
        for dtype in ("float32", "float64"):
            t = times.pop(f"matmul ceiling {dtype}")["median"]
            ceilings[dtype] = 2.0 * ceiling_size ** 3 / t / 1e9
            report.row(name, f"numpy {ceiling_size}² @ {ceiling_size}² {dtype}", t,
                       value=f"{ceilings[dtype]:.0f} GF/s", note="matmul ceiling, interleaved with the epochs")
    base = times["coursekit float32"]["median"]
    flops = train_flops(sizes, len(X))
    for who, t in times.items():
        t = t["median"]
        gflops = flops / t / 1e9
        dtype = "float64" if who.endswith("float64") else "float32"
        note = f"{gflops:.1f} GF/s = {100 * gflops / ceilings[dtype]:.0f}% of the {dtype} matmul ceiling"
        report.row(name, who, t, relative=t / base, note=note)
        key = who.split()[0].lower().replace("-", "") + ("_f64" if who.endswith("float64") else "")
        report.ratio(f"{name}_epoch_seconds/{key}", t)
        if who != "coursekit float32":
            report.ratio(f"{name}_epoch/{key}_over_coursekit", t / base)
    for who, why in missing.items():
        report.skip(name, who, why)
    if t_products is not None:
        _products_row(report, name, flops, t_products, base, ceilings["float32"])
    report.ratio(f"{name}_epoch/coursekit_efficiency_f32", flops / base / 1e9 / ceilings["float32"])
    targets(report, {who: t["median"] for who, t in times.items()}, flops, ceilings)
    return times


#: The epoch's products alone reach about 85 % of the square-matmul ceiling on this machine when it is quiet
#: (345 ms for the 60k epoch's products, 175 GF/s). Well below that, other work on the same physical
#: machine is taking memory bandwidth and cache: memory-bound work (the many batch-sized products,
#: the optimizer's element-wise passes) slows by up to 1.8x while the compute-bound ceiling does not move.
PRODUCTS_QUIET = 0.7


def _products_row(report, name, flops, t_products, t_coursekit, ceiling):
    share = flops / t_products / 1e9 / ceiling
    note = (f"{flops / t_products / 1e9:.0f} GF/s = {100 * share:.0f}% of the ceiling; coursekit's epoch is "
            f"{t_coursekit / t_products:.2f}× its products alone")
    report.row(name, "the epoch's products alone (numpy @)", t_products, relative=t_products / t_coursekit,
               note=note)
    report.ratio(f"{name}_epoch/products_efficiency_f32", share)
    report.ratio(f"{name}_epoch/coursekit_over_products", t_coursekit / t_products)
    if share < PRODUCTS_QUIET:
        report.note(f"{name}: the batch-sized products alone reach only {100 * share:.0f}% of the square-matmul "
                    f"ceiling (about 85% on a quiet machine): other work on this host is taking memory bandwidth, "
                    f"so every contestant's epoch is slower than the ceiling suggests. Judge the ≥45% target on a "
                    f"run where this line does not appear; the ratios to the peers hold either way")


def _digits_targets(report, times, flops, ceilings):
    ck = times["coursekit float32"]
    peers = {who: t for who, t in times.items() if not who.startswith("coursekit")}
    if not peers:
        report.note("no peer installed: the ≥2.5× target cannot be checked")
        return
    worst = min(t / ck for t in peers.values())
    detail = ", ".join(f"{t / ck:.2f}× vs {who}" for who, t in peers.items())
    report.target("digits f32 epoch ≥ 2.5× faster than both peers", worst >= 2.5, f"coursekit is {detail}")


def _big_targets(report, times, flops, ceilings):
    ck = times["coursekit float32"]
    efficiency = flops / ck / 1e9 / ceilings["float32"]
    if "PyTorch CPU" in times:
        ratio = ck / times["PyTorch CPU"]
        report.target("60k epoch f32 ≤ 1.0× PyTorch time", ratio <= 1.0, f"coursekit takes {ratio:.2f}× PyTorch's time")
    else:
        report.note("PyTorch not installed: the ≤ 1.0× PyTorch target cannot be checked")
    report.target("60k epoch f32 ≥ 45% of the matmul ceiling", efficiency >= 0.45,
                  f"{efficiency * 100:.0f}% ({flops / ck / 1e9:.0f} of {ceilings['float32']:.0f} GF/s)")


def run_epochs(report, quick=False, repeats=None):
    ceilings = matmul_gflops(report, quick)
    X_train, X_test, y_train, y_test = digits_split()
    epoch_benchmark(report, "digits", X_train.astype(np.float32), y_train, DIGITS_SIZES,
                    repeats or (2 if quick else 21), ceilings, _digits_targets, quick=quick)
    n_big = 1000 if quick else 60000
    X, y = synthetic(n_big)
    epoch_benchmark(report, "60k×784" if not quick else "1k×784", X, y, BIG_SIZES,
                    repeats or (1 if quick else 5), ceilings, _big_targets, ceiling_size=256 if quick else 2048,
                    quick=quick)


def _accuracies(report, recipe, X_train, X_test, y_train, y_test):
    """Mean test accuracy per contestant after ``recipe["epochs"]`` epochs, one row per contestant."""
    options = {"learning_rate": recipe["learning_rate"], "batch_size": recipe["batch_size"]}
    makers = {"coursekit float32": lambda s: coursekit_trainer(
        X_train, y_train, DIGITS_SIZES, "float32", seed=s, kernel_initializer=recipe["kernel_initializer"],
        **options)}
    if peer_available("sklearn"):
        makers["scikit-learn MLPClassifier"] = lambda s: sklearn_trainer(X_train, y_train, DIGITS_SIZES, seed=s,
                                                                         **options)
    if peer_available("torch"):
        makers["PyTorch CPU"] = lambda s: torch_trainer(X_train, y_train, DIGITS_SIZES, seed=s, **options)
    work = f"lr {recipe['learning_rate']:g}, batch {recipe['batch_size']}"
    means = {}
    for who, make in makers.items():
        accs = []
        for seed in recipe["seeds"]:
            epoch, accuracy = make(seed)
            for _ in range(recipe["epochs"]):
                epoch()
            accs.append(accuracy(X_test, y_test))
        means[who] = float(np.mean(accs))
        report.row(work, who, value=f"{100 * means[who]:.2f}%",
                   note="seeds: " + " ".join(f"{100 * a:.1f}" for a in accs))
        key = who.split()[0].lower().replace("-", "")
        report.ratio(f"digits_accuracy_{recipe['name']}/{key}", means[who])
    for who, hint in (("scikit-learn MLPClassifier", "scikit-learn"), ("PyTorch CPU", "torch==2.13.0")):
        if who not in makers:
            report.skip(work, who, f"not installed (pip install {hint})")
    return means


def run_accuracy(report, quick=False):
    recipes = [dict(ACCURACY_RECIPE), dict(DEFAULT_RECIPE)]
    if quick:
        recipes = [dict(ACCURACY_RECIPE, epochs=2, seeds=(0,))]
    first = recipes[0]
    report.section(f"3. digits test accuracy after {first['epochs']} epochs, mean of {len(first['seeds'])} seeds")
    report.note(f"64-128-64-10 ReLU + softmax, Adam, 1437 train / 360 test rows (seed 0, stratified); each row's "
                f"lr and batch size for all contestants; coursekit's kernel_initializer: "
                f"{first['kernel_initializer']!r} (documented recipe), 'glorot_uniform' (defaults); the peers "
                f"use their own default initialisation")
    X_train, X_test, y_train, y_test = digits_split()
    results = [_accuracies(report, recipe, X_train, X_test, y_train, y_test) for recipe in recipes]
    ours = results[0]["coursekit float32"]
    report.target("coursekit digits accuracy ≥ 97.3% (mean of 5 seeds, documented recipe)", ours >= 0.973,
                  f"{100 * ours:.2f}% with Adam lr={first['learning_rate']:g}, batch {first['batch_size']}, "
                  f"{first['kernel_initializer']}, {first['epochs']} epochs")
