"""Insert the question cells (markdown prompt, answer cell tagged exercise:NAME, check cell) into the
notebooks, each after the cell whose source starts with the given text. Idempotent: a question whose
tagged cell exists already only gets its prompt refreshed. Run once after adding a question to coursekit/exercises/questions.py."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from coursekit.exercises import EXERCISES  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notebooks")
PLACES = {   # question -> (notebook file, the start of the cell it follows; "^" first: the cell it precedes)
    "crossing_x1": ("01_perceptron.ipynb", "^**What you should see:** the ★"),
    "perceptron_output": ("01_perceptron.ipynb", 'check("perceptron_forward"'),
    "linear_depth": ("02_activation_functions.ipynb", "^## 3. Importance of activation functions"),
    "parameter_count": ("03_building_networks.ipynb", "W1, b1, W2, b2 = model.get_weights()"),
    "one_unit_boundary": ("03_building_networks.ipynb", 'network_explorer(data="circles"'),
    "coin_flip_loss": ("04_loss.ipynb", "^**What you should see:** you (0.1 for a pass)"),
    "steps_at_eta_10": ("05_gradient_descent.ipynb", 'check("gradient_descent"'),
    "eta_20": ("05_gradient_descent.ipynb", 'check("steps_at_eta_10"'),
    "dJ_dw1_at_half": ("06_backpropagation.ipynb", "^**What you should see:** the same numbers"),
    "divergence_rate": ("07_learning_rates_and_optimizers.ipynb", "^**What you should see:** small rates"),
    "iterations_1500_64": ("08_mini_batches.ipynb", "# NBVAL_CHECK_OUTPUT\nn, B = 2000, 500"),
    "batch_error_128": ("08_mini_batches.ipynb", "^A single example's gradient is off"),
    "kept_activation": ("09_overfitting_and_regularization.ipynb", 'check("dropout_backward"'),
}


def _src(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _lines(text):
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + [parts[-1]]


def cells_for(exercise):
    points = f"{exercise.points:g} point" + ("" if exercise.points == 1 else "s")
    if exercise.options:
        prompt = exercise.summary.split(" (a) ")[0]
        body = prompt + ":\n\n" + "\n".join(f"* ({k}) {v}" for k, v in exercise.options.items()) + (
            f"\n\nAssign the letter of your choice, as a string, to `{exercise.name}`, run the cell, then run "
            "the check.")
    else:
        end = "" if exercise.summary.endswith(("?", ".", ")")) else "."
        body = exercise.summary + end + (f"\n\nAssign your number to `{exercise.name}`, run the cell, then run "
                                         "the check.")
    md = {"cell_type": "markdown", "id": f"q-{exercise.name}-md", "metadata": {},
          "source": _lines(f"**Question ({points}).** {body}")}
    answer = {"cell_type": "code", "execution_count": None, "id": f"q-{exercise.name}",
              "metadata": {"tags": [f"exercise:{exercise.name}"]}, "outputs": [],
              "source": _lines(f"{exercise.name} = None  # YOUR ANSWER HERE")}
    check = {"cell_type": "code", "execution_count": None, "id": f"q-{exercise.name}-check", "metadata": {},
             "outputs": [], "source": _lines(f'check("{exercise.name}", {exercise.name})')}
    return [md, answer, check]


def _save(path, nb):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    for name, (filename, anchor) in PLACES.items():
        path = os.path.join(ROOT, filename)
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
        if any(f"exercise:{name}" in c.get("metadata", {}).get("tags", []) for c in nb["cells"]):
            fresh = cells_for(EXERCISES[name])[0]          # refresh the prompt from questions.py
            for cell in nb["cells"]:
                if cell.get("id") == fresh["id"] and cell["source"] != fresh["source"]:
                    cell["source"] = fresh["source"]
                    _save(path, nb)
                    print(f"{filename}: {name} prompt updated")
            continue
        before = anchor.startswith("^")
        anchor = anchor.lstrip("^")
        at = [i for i, c in enumerate(nb["cells"]) if _src(c).startswith(anchor) or
              (anchor == name and f"exercise:{name}" in c.get("metadata", {}).get("tags", []))]
        if not at:
            at = [i for i, c in enumerate(nb["cells"]) if c.get("id") == f"q-{anchor}-check"]
        if len(at) != 1:
            raise SystemExit(f"{filename}: {len(at)} cells start with {anchor!r}")
        where = at[0] if before else at[0] + 1
        nb["cells"][where:where] = cells_for(EXERCISES[name])
        _save(path, nb)
        print(f"{filename}: {name} after cell {at[0]}")


if __name__ == "__main__":
    main()
