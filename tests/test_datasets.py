"""Tests for coursekit.datasets: the lecture's data, splits and mini-batches.

Self-contained on purpose: the only coursekit module used is coursekit.datasets (the logistic
regression and nearest-neighbour checks below are written here in plain numpy).
"""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coursekit import datasets
from coursekit.datasets import (
    PASS_FAIL_W,
    PASS_FAIL_W0,
    circles,
    iterations_per_epoch,
    load_digits,
    minibatches,
    moons,
    one_hot,
    pass_fail,
    spiral,
    train_test_split,
    xor,
)

GENERATORS = [pass_fail, circles, xor, moons, spiral]
SHAPES = [circles, xor, moons, spiral]  # the "green vs red points" sets
NON_LINEAR = [circles, xor, spiral]  # a straight line gets < 80% on these


def by_name(fns):
    return pytest.mark.parametrize("make", fns, ids=[f.__name__ for f in fns])


# ------------------------------------------------------------------------------------------------
# helpers: a plain-numpy logistic regression and a nearest-neighbour classifier
# ------------------------------------------------------------------------------------------------
def logistic_regression_accuracy(X, y, steps=500, learning_rate=0.5):
    """Fit y_hat = sigmoid(w0 + X w) by full-batch gradient descent on the BCE; return train accuracy."""
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    A = np.column_stack([np.ones(len(Xs)), Xs])
    w = np.zeros(A.shape[1])
    for _ in range(steps):
        y_hat = 1.0 / (1.0 + np.exp(-(A @ w)))
        w -= learning_rate * A.T @ (y_hat - y) / len(y)
    return np.mean(((A @ w) > 0).astype(int) == y)


def knn_accuracy(X_train, y_train, X_test, y_test, k=5):
    d2 = ((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(-1)
    nearest = np.argsort(d2, axis=1)[:, :k]
    votes = y_train[nearest].mean(axis=1)
    return np.mean((votes > 0.5).astype(int) == y_test)


# ------------------------------------------------------------------------------------------------
# generators: shapes, dtypes, balance, determinism
# ------------------------------------------------------------------------------------------------
@by_name(GENERATORS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_and_dtypes(make, n):
    X, y = make(n_samples=n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}
    assert np.all(np.isfinite(X))


@by_name(SHAPES)
@pytest.mark.parametrize("n", [2, 201, 1000])
def test_shapes_are_balanced(make, n):
    _, y = make(n_samples=n, seed=1)
    assert np.sum(y == 0) == n // 2
    assert np.sum(y == 1) == n - n // 2


@by_name(SHAPES)
def test_shapes_are_shuffled_and_in_range(make):
    X, y = make(n_samples=1000, seed=2)
    # not sorted by class: the first half holds both classes
    assert 0.3 < y[:500].mean() < 0.7
    assert np.all(np.abs(X) < 2.0)
    assert np.mean(np.all(np.abs(X) <= 1.5, axis=1)) > 0.95  # the spiral's outer end reaches r = 1.5


@by_name(GENERATORS)
def test_same_seed_same_arrays_different_seed_different(make):
    X1, y1 = make(seed=123)
    X2, y2 = make(seed=123)
    X3, _ = make(seed=124)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@by_name(GENERATORS)
def test_generator_seed_is_used_and_advanced(make):
    X1, _ = make(seed=np.random.default_rng(5))
    X2, _ = make(seed=np.random.default_rng(5))
    np.testing.assert_array_equal(X1, X2)
    rng = np.random.default_rng(5)
    Xa, _ = make(seed=rng)
    Xb, _ = make(seed=rng)
    assert not np.array_equal(Xa, Xb)


@by_name(GENERATORS)
def test_seed_none_gives_fresh_data(make):
    assert not np.array_equal(make(seed=None)[0], make(seed=None)[0])


def test_global_numpy_random_state_is_untouched():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    for make in GENERATORS:
        make(seed=None)
        make(seed=1)
    X, y = pass_fail(seed=0)
    train_test_split(X, y, seed=None, stratify=True)
    list(minibatches(X, y, 32, seed=None))
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@by_name(SHAPES)
def test_zero_noise_is_allowed_and_noise_changes_the_points(make):
    X0, y0 = make(n_samples=100, noise=0.0, seed=3)
    X1, y1 = make(n_samples=100, noise=0.3, seed=3)
    assert np.all(np.isfinite(X0))
    assert not np.allclose(X0, X1)


def test_circles_radii_follow_factor():
    X, y = circles(n_samples=400, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_xor_labels_follow_the_signs_without_noise():
    X, y = xor(n_samples=400, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    assert np.all(np.abs(X) >= 0.1) and np.all(np.abs(X) <= 1.0)


def test_spiral_more_turns_wind_further():
    # angle travelled along class 0's arm, unwrapped from the centre outwards
    def winding(turns):
        X, y = spiral(n_samples=2000, noise=0.0, turns=turns, seed=0)
        arm = X[y == 0]
        arm = arm[np.argsort(np.hypot(arm[:, 0], arm[:, 1]))]
        angle = np.unwrap(np.arctan2(arm[:, 1], arm[:, 0]))
        return (angle[-1] - angle[0]) / (2 * np.pi)

    assert winding(1.5) == pytest.approx(1.5, abs=0.05)
    assert winding(0.75) == pytest.approx(0.75, abs=0.05)


# ------------------------------------------------------------------------------------------------
# "Will I pass this class?"
# ------------------------------------------------------------------------------------------------
def test_pass_fail_features_and_pass_rate():
    X, y = pass_fail(n_samples=4000, seed=0)
    lectures, hours = X[:, 0], X[:, 1]
    np.testing.assert_array_equal(lectures, np.round(lectures))
    assert lectures.min() == 0 and lectures.max() == 12
    assert set(np.unique(lectures)) == set(range(13))
    assert hours.min() >= 0 and hours.max() <= 10
    assert 0.4 < y.mean() < 0.6


def test_pass_fail_rule_without_noise_and_the_lecture_student_fails():
    X, y = pass_fail(n_samples=500, noise=0.0, seed=0)
    z = PASS_FAIL_W0 + PASS_FAIL_W[0] * X[:, 0] + PASS_FAIL_W[1] * X[:, 1]
    np.testing.assert_array_equal(y, (z > 0).astype(int))
    x_lecture = np.array([4.0, 5.0])  # 4 lectures, 5 hours on the project
    assert PASS_FAIL_W0 + np.dot(PASS_FAIL_W, x_lecture) < 0


def test_pass_fail_more_lectures_and_hours_help():
    X, y = pass_fail(n_samples=4000, seed=1)
    assert y[X[:, 0] >= 9].mean() > y[X[:, 0] <= 3].mean() + 0.3
    assert y[X[:, 1] >= 7.5].mean() > y[X[:, 1] <= 2.5].mean() + 0.3


def test_pass_fail_is_mostly_but_not_perfectly_linear():
    X, y = pass_fail(n_samples=1000, seed=0)
    accuracy = logistic_regression_accuracy(X, y)
    assert 0.85 <= accuracy <= 0.95
    assert logistic_regression_accuracy(*pass_fail(n_samples=1000, noise=0.0, seed=0)) > 0.97


# ------------------------------------------------------------------------------------------------
# non-linearity: a straight line fails, a non-linear classifier succeeds
# ------------------------------------------------------------------------------------------------
@by_name(NON_LINEAR)
def test_a_straight_line_cannot_separate(make):
    X, y = make(n_samples=400, seed=0)
    assert logistic_regression_accuracy(X, y) < 0.8


@by_name(SHAPES)
def test_a_non_linear_classifier_can_separate(make):
    X_train, y_train = make(n_samples=400, seed=0)
    X_test, y_test = make(n_samples=400, seed=1)
    assert knn_accuracy(X_train, y_train, X_test, y_test) >= 0.93


def test_moons_are_not_linearly_separable():
    X, y = moons(n_samples=400, seed=0)
    assert logistic_regression_accuracy(X, y) < 0.95


# ------------------------------------------------------------------------------------------------
# digits
# ------------------------------------------------------------------------------------------------
def test_digits_shape_range_and_labels():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 16, np.round(X * 16))  # pixel counts 0..16, divided by 16
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    counts = np.bincount(y)
    assert counts.min() >= 170 and counts.max() <= 185


def test_digits_images_match_rows():
    X, y = load_digits()
    images, y2 = load_digits(return_images=True)
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    np.testing.assert_array_equal(images.reshape(1797, 64), X)
    np.testing.assert_array_equal(y, y2)


def test_digits_are_fresh_writable_copies():
    X, y = load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0


def test_digits_equal_scikit_learns_copy():
    sk = pytest.importorskip("sklearn.datasets")
    bunch = sk.load_digits()
    X, y = load_digits()
    np.testing.assert_array_equal(X * 16, bunch.data)
    np.testing.assert_array_equal(y, bunch.target)


def test_digits_file_is_small_and_uint8():
    from pathlib import Path

    path = Path(datasets.__file__).parent / "data" / "digits.npz"
    with np.load(path) as npz:
        assert npz["images"].dtype == np.uint8 and npz["labels"].dtype == np.uint8
        assert npz["images"].shape == (1797, 8, 8) and npz["images"].max() == 16
    assert path.stat().st_size < 100_000  # compressed


# ------------------------------------------------------------------------------------------------
# splits
# ------------------------------------------------------------------------------------------------
def paired_data(n=100):
    X = np.arange(n * 3, dtype=float).reshape(n, 3)
    y = np.arange(n)
    return X, y


@pytest.mark.parametrize("test_size, n_test", [(0.2, 20), (0.25, 25), (0.333, 34), (1, 1), (30, 30), (99, 99)])
def test_split_sizes(test_size, n_test):
    X, y = paired_data(100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=0)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == 100 - n_test


def test_split_keeps_pairs_and_covers_every_row_once():
    X, y = paired_data(100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    np.testing.assert_array_equal(X_train[:, 0] / 3, y_train)
    np.testing.assert_array_equal(X_test[:, 0] / 3, y_test)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), np.arange(100))


def test_split_is_random_and_reproducible():
    X, y = paired_data(100)
    a = train_test_split(X, y, seed=1)
    b = train_test_split(X, y, seed=1)
    c = train_test_split(X, y, seed=2)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    assert not np.array_equal(np.sort(a[3]), np.arange(20))  # not simply the first rows


def test_stratified_split_keeps_class_ratios():
    y = np.array([0] * 700 + [1] * 200 + [2] * 100)
    X = np.arange(1000, dtype=float)[:, None]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0, stratify=True)
    np.testing.assert_array_equal(np.bincount(y_test), [140, 40, 20])
    np.testing.assert_array_equal(np.bincount(y_train), [560, 160, 80])
    # the same with scikit-learn's spelling, stratify=y
    _, _, _, y_test2 = train_test_split(X, y, test_size=0.2, seed=0, stratify=y)
    np.testing.assert_array_equal(np.bincount(y_test2), [140, 40, 20])


def test_stratified_split_with_uneven_quota_still_has_the_requested_size():
    y = np.array([0] * 7 + [1] * 6)
    X = np.zeros((13, 2))
    _, X_test, _, y_test = train_test_split(X, y, test_size=5, seed=0, stratify=True)
    assert len(y_test) == 5
    assert sorted(np.bincount(y_test, minlength=2)) == [2, 3]


def test_unstratified_split_can_change_class_ratios():
    # the thing stratify fixes: a plain random split of a small set drifts
    y = np.array([0] * 80 + [1] * 20)
    X = np.zeros((100, 1))
    ratios = {train_test_split(X, y, seed=s)[3].mean() for s in range(20)}
    assert len(ratios) > 1


def test_stratified_split_with_one_hot_labels():
    y = np.array([0] * 60 + [1] * 40)
    _, _, _, Y_test = train_test_split(np.zeros((100, 1)), one_hot(y), test_size=0.5, seed=0, stratify=True)
    np.testing.assert_array_equal(Y_test.sum(axis=0), [30, 20])


# ------------------------------------------------------------------------------------------------
# epochs and mini-batches
# ------------------------------------------------------------------------------------------------
def test_iterations_per_epoch_lecture_example():
    assert iterations_per_epoch(2000, 500) == 4


@pytest.mark.parametrize("n, b, expected", [(2001, 500, 5), (1999, 500, 4), (10, 100, 1), (1, 1, 1), (7, 1, 7)])
def test_iterations_per_epoch_rounds_up(n, b, expected):
    assert iterations_per_epoch(n, b) == expected
    assert isinstance(iterations_per_epoch(n, b), int)


def test_minibatches_lecture_example():
    X, y = np.zeros((2000, 2)), np.zeros(2000)
    sizes = [len(xb) for xb, _ in minibatches(X, y, batch_size=500, seed=0)]
    assert sizes == [500] * 4


def test_minibatches_cover_each_index_once_and_keep_pairs():
    X, y = paired_data(103)
    batches = list(minibatches(X, y, batch_size=10, seed=0))
    assert [len(b[1]) for b in batches] == [10] * 10 + [3]
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(103))
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0] / 3, yb)


def test_minibatches_shuffle_depends_on_seed():
    X, y = paired_data(50)
    order = lambda seed: np.concatenate([yb for _, yb in minibatches(X, y, 8, seed=seed)])  # noqa: E731
    np.testing.assert_array_equal(order(1), order(1))
    assert not np.array_equal(order(1), order(2))
    assert not np.array_equal(order(1), np.arange(50))
    rng = np.random.default_rng(0)
    assert not np.array_equal(order(rng), order(rng))  # one generator: a new order each epoch


def test_minibatches_without_shuffle_keep_order():
    X, y = paired_data(5)
    got = [yb.tolist() for _, yb in minibatches(X, y, batch_size=2, shuffle=False)]
    assert got == [[0, 1], [2, 3], [4]]


def test_minibatches_batch_larger_than_data_is_one_batch():
    X, y = paired_data(7)
    batches = list(minibatches(X, y, batch_size=100, seed=0))
    assert len(batches) == 1 and len(batches[0][0]) == 7


def test_minibatches_checks_arguments_at_the_call_not_at_the_first_batch():
    X, y = paired_data(10)
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(X, y, batch_size=0)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 300), b=st.integers(1, 400), seed=st.integers(0, 2**32))
def test_minibatches_property(n, b, seed):
    X, y = paired_data(n)
    batches = list(minibatches(X, y, batch_size=b, seed=seed))
    assert len(batches) == iterations_per_epoch(n, b)
    assert all(len(yb) == b for _, yb in batches[:-1]) and 1 <= len(batches[-1][1]) <= b
    np.testing.assert_array_equal(np.sort(np.concatenate([yb for _, yb in batches])), np.arange(n))


# ------------------------------------------------------------------------------------------------
# one_hot
# ------------------------------------------------------------------------------------------------
def test_one_hot_values():
    np.testing.assert_array_equal(one_hot([0, 2, 1]), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    Y = one_hot(np.array([1, 1]), n_classes=4)
    assert Y.shape == (2, 4) and Y.dtype == np.float64
    np.testing.assert_array_equal(Y, [[0, 1, 0, 0], [0, 1, 0, 0]])
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), [[0, 1], [1, 0]])


def test_one_hot_round_trips_digits_labels():
    _, y = load_digits()
    Y = one_hot(y)
    assert Y.shape == (1797, 10)
    np.testing.assert_array_equal(Y.argmax(axis=1), y)
    np.testing.assert_array_equal(Y.sum(axis=1), 1)


# ------------------------------------------------------------------------------------------------
# error messages name the argument, the value received and what is allowed
# ------------------------------------------------------------------------------------------------
X10, Y10 = paired_data(10)

BAD_CALLS = [
    (pass_fail, dict(n_samples=0), ValueError, ["n_samples", "n_samples=0", ">= 2"]),
    (circles, dict(n_samples=2.5), TypeError, ["n_samples", "2.5", "integer"]),
    (xor, dict(n_samples=True), TypeError, ["n_samples", "True"]),
    (moons, dict(noise=-0.1), ValueError, ["noise", "-0.1", ">= 0"]),
    (spiral, dict(noise=float("nan")), ValueError, ["noise", "nan", "finite"]),
    (pass_fail, dict(noise="big"), TypeError, ["noise", "'big'"]),
    (circles, dict(factor=1.0), ValueError, ["factor", "1.0", "(0, 1)"]),
    (spiral, dict(turns=0), ValueError, ["turns", "turns=0", "(0, 5]"]),
    (moons, dict(seed=-1), ValueError, ["seed", "-1", "Generator"]),
    (xor, dict(seed=1.5), TypeError, ["seed", "1.5", "Generator"]),
    (load_digits, dict(return_images="yes"), TypeError, ["return_images", "'yes'"]),
    (iterations_per_epoch, dict(n_samples=2000, batch_size=0), ValueError, ["batch_size", "batch_size=0", "positive"]),
    (iterations_per_epoch, dict(n_samples=2000, batch_size=500.0), TypeError, ["batch_size", "500.0", "integer"]),
    (iterations_per_epoch, dict(n_samples=-5, batch_size=5), ValueError, ["n_samples", "-5"]),
    (minibatches, dict(X=X10, y=Y10, batch_size=-1), ValueError, ["batch_size", "-1"]),
    (minibatches, dict(X=X10, y=Y10, batch_size=2.5), TypeError, ["batch_size", "2.5"]),
    (minibatches, dict(X=X10, y=Y10[:9], batch_size=2), ValueError, ["X", "y", "(10, 3)", "(9,)"]),
    (train_test_split, dict(X=X10, y=Y10[:8]), ValueError, ["X", "y", "(10, 3)", "(8,)"]),
    (train_test_split, dict(X=X10, y=Y10, test_size=1.0), ValueError, ["test_size", "1.0", "(0, 1)"]),
    (train_test_split, dict(X=X10, y=Y10, test_size=0), ValueError, ["test_size", "test_size=0", "[1, 9]"]),
    (train_test_split, dict(X=X10, y=Y10, test_size=10), ValueError, ["test_size", "10", "[1, 9]"]),
    (train_test_split, dict(X=X10, y=Y10, test_size="20%"), TypeError, ["test_size", "'20%'"]),
    (train_test_split, dict(X=X10, y=Y10, stratify=Y10[:5]), ValueError, ["stratify", "(5,)"]),
    (one_hot, dict(y=[0, 3], n_classes=3), ValueError, ["n_classes", "n_classes=3", ">= 4"]),
    (one_hot, dict(y=[0, -1]), ValueError, ["y", ">= 0", "-1"]),
    (one_hot, dict(y=[0.5, 1.0]), ValueError, ["y", "0.5"]),
    (one_hot, dict(y=[[0, 1]]), ValueError, ["y", "1-D", "(1, 2)"]),
]


@pytest.mark.parametrize(
    "fn, kwargs, exc, fragments", BAD_CALLS,
    ids=[f"{fn.__name__}-{'-'.join(map(str, kw))}-{i}" for i, (fn, kw, _, _) in enumerate(BAD_CALLS)],
)
def test_bad_arguments_get_clear_messages(fn, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        fn(**kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from {message!r}"


# ------------------------------------------------------------------------------------------------
# the math core stays light
# ------------------------------------------------------------------------------------------------
def test_importing_datasets_pulls_in_neither_sklearn_nor_matplotlib():
    code = (
        "import sys, coursekit.datasets as d; d.load_digits(); d.spiral(seed=0); "
        "bad = [m for m in ('sklearn', 'matplotlib', 'scipy') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names():
    for name in datasets.__all__:
        obj = getattr(datasets, name)
        assert name.isupper() or "Parameters" in obj.__doc__ or ">>>" in obj.__doc__, name
