"""Colab: the first explorer turns on Colab's custom widget manager (once); elsewhere nothing happens."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str, tmp_path, colab: bool) -> str:
    """Run ``code`` in a fresh interpreter, with a stand-in ``google.colab`` imported at start if ``colab``."""
    stub = tmp_path / "google"
    (stub / "colab").mkdir(parents=True)
    (stub / "__init__.py").write_text("")
    (stub / "colab" / "__init__.py").write_text("")
    (stub / "colab" / "output.py").write_text(textwrap.dedent("""
        CALLS = []
        def enable_custom_widget_manager():
            CALLS.append("enabled")
    """))
    prelude = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + ("import google.colab\n" if colab else "")
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, env={"MPLBACKEND": "agg", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout


EXPLORERS = """
    from coursekit.viz import perceptron_explorer
    import google.colab.output as output
    before = list(output.CALLS)
    perceptron_explorer(); perceptron_explorer()
    print(before, output.CALLS)
"""


def test_colab_gets_its_custom_widget_manager_once_before_the_first_explorer(tmp_path):
    assert _run(EXPLORERS, tmp_path, colab=True).strip() == "[] ['enabled']"


def test_elsewhere_nothing_is_called(tmp_path):
    out = _run("""
        from coursekit.viz import perceptron_explorer
        from coursekit.viz.platform import in_colab
        perceptron_explorer()
        colab = in_colab()
        import google.colab.output as output       # importable here, but not imported at start: not Colab
        print(colab, output.CALLS)
    """, tmp_path, colab=False)
    assert out.strip() == "False []"
