"""Text descriptions of pictures and explorers, for screen readers and for the saved notebook.

Every saved picture carries one as its PNG's ``alt`` metadata (nbconvert and nbviewer write it into the
``<img alt="...">``), and every live explorer a hidden label read before its controls. The text is built
from what the figure itself says: the title, each panel's title, axis labels and legend entries.
"""

from __future__ import annotations

import html
import re

#: At most this many of a diagram's text labels go into its description.
MAX_TEXTS = 24


_TEX = {r"\hat{y}": "ŷ", r"\eta": "η", r"\partial": "∂", r"\cdot": "·", r"\sigma": "σ", r"\times": "×",
        r"\theta": "θ", r"\nabla": "∇", r"\alpha": "α", r"\beta": "β", r"\epsilon": "ε", r"\,": " ",
        r"\leftarrow": "←", r"\rightarrow": "→", r"\to": "→", r"\mu": "μ", r"\lambda": "λ", r"\rho": "ρ",
        r"\gamma": "γ", r"\delta": "δ", r"\Delta": "Δ", r"\infty": "∞", r"\approx": "≈", r"\leq": "≤"}


def plain(text: str) -> str:
    """A label as a screen reader should say it: mathtext's ``$x_2$`` becomes ``x2``, ``\\hat{y}`` ``ŷ``."""
    if "$" in text:
        for tex, char in _TEX.items():
            text = text.replace(tex, char)
        text = re.sub(r"\\math[a-z]+\{([^{}]*)\}", r"\1", text)        # \mathbf{W} -> W
        text = re.sub(r"[_^]\{([^{}]*)\}", r"\1", text)                # x_{12} -> x12
        text = re.sub(r"[_^](\S)", r"\1", text).replace("$", "")
        text = re.sub(r"\\([A-Za-z]+)", r"\1", text)                  # any other command: its name
    return " ".join(text.split())


def _panel(ax) -> str:
    """One panel: its title, what runs along each axis (or, on a diagram, what is written), its legend."""
    title = plain(ax.get_title() or ax.get_title("left") or ax.get_title("right"))
    parts = [f'"{title}"'] if title else []
    xlabel, ylabel = plain(ax.get_xlabel()), plain(ax.get_ylabel())
    if xlabel and ylabel:
        parts.append(f"{ylabel} against {xlabel}")
    elif xlabel or ylabel:
        parts.append(xlabel or ylabel)
    if not (xlabel or ylabel):               # a diagram: what is written on it
        written = [plain(text.get_text()) for text in ax.texts if text.get_visible()]
        written = [text for text in written if text][:MAX_TEXTS]
        if written:
            parts.append("reads: " + " | ".join(written))
    legend = ax.get_legend()
    if legend is not None:
        entries = [plain(text.get_text()) for text in legend.get_texts() if text.get_text().strip()]
        if entries:
            parts.append("legend: " + ", ".join(entries))
    return "; ".join(parts)


def describe_figure(fig, title: str) -> str:
    """``title``, then each panel that says something (colour bars and empty panels are left out).

    Examples
    --------
    "Loss per student. Panel 1 of 2: "J(W) = 0.52"; x₂ against x₁. Panel 2 of 2: ..."
    """
    panels = [text for text in (_panel(ax) for ax in fig.axes if ax.get_visible()) if text]
    suptitle = plain(fig.get_suptitle()) if hasattr(fig, "get_suptitle") else ""     # matplotlib >= 3.8
    head = title if not suptitle or suptitle in title else f"{title}: {suptitle}"
    panels = [_without_prefix(text, f'"{plain(title)}"') for text in panels]     # a panel titled as the figure
    if len(panels) == 1:
        return " ".join(_sentence(part) for part in (head, panels[0]) if part)
    return " ".join([_sentence(head)] + [_sentence(f"Panel {i} of {len(panels)}: {text}") for i, text in
                                         enumerate(panels, start=1)])


def _without_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):].lstrip("; ") if text.startswith(prefix) else text


def _sentence(text: str) -> str:
    """``text`` ending in one full stop (none added after ?, ! or .)."""
    return text if text.endswith((".", "?", "!")) else text + "."


#: Hides a label from sight but not from screen readers (the usual "visually hidden" rules).
_VISUALLY_HIDDEN = ("position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;"
                    "clip:rect(0 0 0 0);white-space:nowrap")


def hidden_label_html(text: str) -> str:
    """HTML for a label that screen readers read and nobody sees."""
    return f'<span class="coursekit-description" style="{_VISUALLY_HIDDEN}">{html.escape(text)}</span>'
