"""Colab: the first explorer turns on Colab's custom widget manager (once); elsewhere nothing happens."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str, tmp_path, colab: bool, env=None, failing=False) -> str:
    """Run ``code`` in a fresh interpreter, with a stand-in ``google.colab`` imported at start if ``colab``."""
    stub = tmp_path / "google"
    (stub / "colab").mkdir(parents=True, exist_ok=True)
    (stub / "__init__.py").write_text("")
    (stub / "colab" / "__init__.py").write_text("")
    (stub / "colab" / "output.py").write_text(textwrap.dedent("""
        CALLS = []
        def enable_custom_widget_manager():
            CALLS.append("enabled")
    """) + ("    raise AttributeError('an old Colab')\n" if failing else ""))
    prelude = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n" + ("import google.colab\n" if colab else "")
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, env={"MPLBACKEND": "agg", "PATH": "/usr/bin:/bin", **(env or {})})
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


IPYMPL = {"MPLBACKEND": "module://ipympl.backend_nbagg"}
MODE = """
    from coursekit.viz import perceptron_explorer
    e = perceptron_explorer()
    e.controls["w1"].value = 1.0                    # the sliders still redraw the PNG view
    print(e.interactive, type(e.widget.children[2]).__name__, len(e._image.outputs) if e._image else "-")
"""


def test_with_colabs_widget_manager_the_explorers_are_ipympl_canvases(tmp_path):
    assert _run(MODE, tmp_path, colab=True, env=IPYMPL).strip() == "True ExplorerCanvas -"


def test_where_custom_widgets_cannot_render_the_explorers_are_pngs_in_an_output(tmp_path):
    assert _run(MODE, tmp_path, colab=True, env=IPYMPL, failing=True).strip() == "False Output 1"
    assert _run(MODE, tmp_path, colab=False, env={**IPYMPL, "COURSEKIT_EXPLORERS": "png"}).strip() == "False Output 1"
