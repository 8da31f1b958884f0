"""coursekit.viz.digits: the confusion matrix counts right, and the pictures render (notebook 10)."""

import numpy as np
import pytest

from coursekit.datasets import load_digits
from coursekit.viz.digits import confusion_matrix, confusion_matrix_picture, digits_picture, misclassified_picture

PNG = b"\x89PNG"


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    expected = np.array([[1, 1, 0],
                         [0, 1, 0],
                         [1, 0, 2]])
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), expected)
    assert confusion_matrix(y_true, y_pred).sum() == len(y_true)
    assert np.trace(confusion_matrix(y_true, y_pred)) == np.sum(y_true == y_pred)


def test_confusion_matrix_takes_probabilities_and_a_class_count():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    matrix = confusion_matrix([0, 1, 1], probabilities, n_classes=4)
    assert matrix.shape == (4, 4)
    np.testing.assert_array_equal(matrix[:2, :2], [[1, 0], [1, 1]])


@pytest.mark.parametrize("y_true, y_pred, n_classes, fragment", [
    ([0, 1], [0], None, "one entry per sample"),
    ([0, 1.5], [0, 1], None, "class labels"),
    ([0, 3], [0, 1], 2, "too small"),
])
def test_confusion_matrix_errors_name_the_problem(y_true, y_pred, n_classes, fragment):
    with pytest.raises(ValueError, match=fragment):
        confusion_matrix(y_true, y_pred, n_classes)


def test_pictures_render_png():
    images, labels = load_digits(return_images=True)
    assert digits_picture(images[:12], labels[:12]).png.startswith(PNG)
    X = images[:30].reshape(30, 64)                           # rows of 64 pixels work too
    predictions = labels[:30].copy()
    predictions[[3, 7]] = (predictions[[3, 7]] + 1) % 10
    probabilities = np.eye(10)[predictions] * 0.9 + 0.01
    picture = misclassified_picture(X, labels[:30], probabilities)
    assert picture.png.startswith(PNG) and "2 of 30" in picture.title
    assert misclassified_picture(X, labels[:30], labels[:30]).title == "no misclassified images"
    matrix = confusion_matrix(labels[:30], predictions, n_classes=10)
    assert confusion_matrix_picture(matrix).png.startswith(PNG)


def test_picture_errors():
    with pytest.raises(ValueError, match="8x8 images"):
        digits_picture(np.zeros((3, 5)), [0, 1, 2])
    with pytest.raises(ValueError, match="one label per image"):
        digits_picture(np.zeros((3, 8, 8)), [0, 1])
    with pytest.raises(ValueError, match="square"):
        confusion_matrix_picture(np.zeros((2, 3)))
