"""coursekit.landscape: filter-normalised directions, the batched loss surface, trajectory projection."""

from __future__ import annotations

import numpy as np
import pytest

from coursekit import Activation, Dense, Dropout, Sequential, datasets
from coursekit.gradcheck import numerical_gradient
from coursekit.landscape import (filter_norms, loss_surface, loss_surface_loop, plane_weights, project_trajectory,
                                 random_directions, slice_loss_and_gradient)


def _model(layers, loss, n_features, seed=0, dtype="float64"):
    model = Sequential(layers, seed=seed, dtype=dtype)
    model.compile(optimizer="sgd", loss=loss)
    model.build(n_features)
    return model


@pytest.fixture(scope="module")
def xy2():
    return datasets.moons(n_samples=40, seed=1)


def test_filter_normalisation_matches_each_filter_of_the_weights():
    model = _model([Dense(5, activation="tanh"), Dense(3, activation="relu"), Dense(1, activation="sigmoid")],
                   "binary_crossentropy", 4)
    d1, d2 = random_directions(model, seed=3)
    w = model.get_flat_weights()
    for d in (d1, d2):
        np.testing.assert_allclose(filter_norms(model, d), filter_norms(model, w), rtol=1e-12)
        # per layer: every column of the direction's W has the norm of the same column of W
        offset = 0
        for layer in model.layers:
            (n_in, n_out), (n_b,) = layer.param_shapes()
            Wd = d[offset:offset + n_in * n_out].reshape(n_in, n_out)
            np.testing.assert_allclose(np.linalg.norm(Wd, axis=0), np.linalg.norm(layer.W, axis=0), rtol=1e-12)
            assert np.all(d[offset + n_in * n_out:offset + n_in * n_out + n_b] == 0)      # biases ignored
            offset += n_in * n_out + n_b
    assert not np.allclose(d1, d2)


def test_directions_are_seeded_and_bias_can_copy_the_weights():
    model = _model([Dense(3, activation="tanh"), Dense(1, activation="sigmoid")], "binary_crossentropy", 2)
    model.layers[0].b[...] = [0.5, -1.0, 2.0]
    a = random_directions(model, seed=7)
    b = random_directions(model, seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    with_bias = random_directions(model, seed=7, ignore_bias=False)
    np.testing.assert_array_equal(with_bias[0][6:9], [0.5, -1.0, 2.0])


@pytest.mark.parametrize("layers, loss, kind", [
    (lambda: [Dense(6, activation="tanh"), Dense(1, activation="sigmoid")], "binary_crossentropy", "binary"),
    (lambda: [Dense(5, activation="relu"), Dropout(0.5), Dense(4), Activation("sigmoid"), Dense(1)], "mse", "binary"),
    (lambda: [Dense(7, activation="sigmoid"), Dense(3, activation="softmax")], "sparse_categorical_crossentropy",
     "three"),
    (lambda: [Dense(4, activation="relu"), Dense(1, activation="sigmoid")], "mse", "binary"),
])
def test_batched_surface_equals_the_per_point_loop(xy2, layers, loss, kind):
    X, y = xy2
    if kind == "three":
        y = (np.arange(len(y)) % 3)
    model = _model(layers(), loss, 2)
    directions = random_directions(model, seed=0)
    alphas, betas = np.linspace(-1, 1, 7), np.linspace(-0.5, 1.5, 5)     # not square: checks orientation
    batched = loss_surface(model, X, y, alphas, betas, directions, chunk_size=6, progress=False)
    loop = loss_surface_loop(model, X, y, alphas, betas, directions)
    assert batched.shape == (5, 7)
    np.testing.assert_allclose(batched, loop, rtol=1e-6, atol=1e-9)
    # the centre of the plane is the model's own loss
    centre = loss_surface(model, X, y, [0.0], [0.0], directions, progress=False)
    assert centre[0, 0] == pytest.approx(model.evaluate(X, y), rel=1e-9)


def test_surface_leaves_the_weights_alone_and_chunk_size_does_not_matter(xy2):
    X, y = xy2
    model = _model([Dense(4, activation="tanh"), Dense(1, activation="sigmoid")], "binary_crossentropy", 2)
    before = model.get_flat_weights()
    d = random_directions(model, seed=1)
    grid = np.linspace(-2, 2, 9)
    a = loss_surface(model, X, y, grid, grid, d, chunk_size=1, progress=False)
    b = loss_surface(model, X, y, grid, grid, d, progress=False)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_array_equal(model.get_flat_weights(), before)
    loss_surface_loop(model, X, y, grid[:2], grid[:2], d)
    np.testing.assert_array_equal(model.get_flat_weights(), before)


def test_float32_surface_is_close_to_float64(xy2):
    X, y = xy2
    m64 = _model([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], "binary_crossentropy", 2)
    m32 = _model([Dense(8, activation="tanh"), Dense(1, activation="sigmoid")], "binary_crossentropy", 2,
                 dtype="float32")
    m32.set_flat_weights(m64.get_flat_weights())
    d = random_directions(m64, seed=0)
    grid = np.linspace(-1, 1, 11)
    np.testing.assert_allclose(loss_surface(m32, X, y, grid, grid, d, progress=False),
                               loss_surface(m64, X, y, grid, grid, d, progress=False), rtol=1e-4)


def test_trajectory_projection():
    rng = np.random.default_rng(0)
    center = rng.standard_normal(20)
    d1, d2 = rng.standard_normal(20), rng.standard_normal(20)
    assert project_trajectory(center, (d1, d2), center) == pytest.approx(np.zeros((1, 2)))
    path = np.stack([plane_weights(center, (d1, d2), a, b) for a, b in [(0, 0), (0.3, -0.2), (-1.5, 2.0)]])
    np.testing.assert_allclose(project_trajectory(path, (d1, d2), center), [[0, 0], [0.3, -0.2], [-1.5, 2.0]],
                               atol=1e-12)
    # a component orthogonal to the plane is dropped
    normal = rng.standard_normal(20)
    normal -= np.column_stack([d1, d2]) @ np.linalg.lstsq(np.column_stack([d1, d2]), normal, rcond=None)[0]
    np.testing.assert_allclose(project_trajectory(path[1] + normal, (d1, d2), center), [[0.3, -0.2]], atol=1e-10)


def test_slice_gradient_is_the_chain_rule(xy2):
    X, y = xy2
    model = _model([Dense(5, activation="tanh"), Dense(1, activation="sigmoid")], "binary_crossentropy", 2)
    d = random_directions(model, seed=2)
    loss, grad = slice_loss_and_gradient(model, X, y, d)
    p = np.array([0.3, -0.4])
    np.testing.assert_allclose(grad(p), numerical_gradient(loss, p.copy()), rtol=1e-6)
    grid_value = loss_surface(model, X, y, [0.3], [-0.4], d, progress=False)[0, 0]
    assert loss(p) == pytest.approx(grid_value, rel=1e-9)


def test_worker_threads_give_the_same_surface_bit_for_bit(xy2, monkeypatch):
    X, y = xy2
    model = _model([Dense(6, activation="relu"), Dense(3, activation="tanh"), Dense(1, activation="sigmoid")],
                   "binary_crossentropy", 2, dtype="float32")
    d = random_directions(model, seed=2)
    grid = np.linspace(-1.5, 1.5, 17)
    one = loss_surface(model, X, y, grid, grid, d, chunk_size=5, progress=False, workers=1)
    three = loss_surface(model, X, y, grid, grid, d, chunk_size=5, progress=False, workers=3)
    np.testing.assert_array_equal(one, three)
    np.testing.assert_allclose(one, loss_surface_loop(model, X, y, grid, grid, d), rtol=1e-4, atol=1e-6)

    import coursekit._threaded_landscape as module
    used = []
    real_pool = module.ThreadPoolExecutor

    def spy(max_workers, **kwargs):
        used.append(max_workers)
        return real_pool(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(module, "ThreadPoolExecutor", spy)
    loss_surface(model, X, y, grid, grid, d, progress=False)          # tiny: "auto" stays on this thread
    assert used == []
    monkeypatch.setattr(module, "PARALLEL_FLOPS", 0)
    monkeypatch.setattr(module.blas, "usable_cores", lambda: 2)
    auto = loss_surface(model, X, y, grid, grid, d, chunk_size=5, progress=False)
    assert used == [2]
    np.testing.assert_array_equal(auto, one)


@pytest.mark.parametrize("workers", ["two", 0, 2.5, None, True])
def test_bad_workers_are_named(xy2, workers):
    X, y = xy2
    model = _model([Dense(2), Dense(1, activation="sigmoid")], "binary_crossentropy", 2)
    with pytest.raises((TypeError, ValueError), match="workers"):
        loss_surface(model, X, y, [0.0], [0.0], random_directions(model), workers=workers)


def test_clear_errors():
    model = Sequential([Dense(2), Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="built model"):
        random_directions(model)
    model = _model([Dense(2), Dense(1, activation="sigmoid")], "binary_crossentropy", 2)
    X, y = datasets.circles(10, seed=0)
    d = random_directions(model)
    with pytest.raises(ValueError, match="alphas and betas must not be empty"):
        loss_surface(model, X, y, [], [0.0], d)
    with pytest.raises(ValueError, match="directions\\[0\\]"):
        loss_surface(model, X, y, [0.0], [0.0], (d[0][:3], d[1]))
    with pytest.raises(TypeError, match="pair"):
        loss_surface(model, X, y, [0.0], [0.0], d[0])
    with pytest.raises(ValueError, match="empty"):
        loss_surface(model, np.zeros((0, 2)), np.zeros(0), [0.0], [0.0], d)
