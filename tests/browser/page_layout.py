"""Nothing cut off, nothing scrolled sideways: the notebook's layout as a laptop shows it."""
from __future__ import annotations

from labdriver import PANEL

LAYOUT_JS = f"""() => {{
  const p = {PANEL};
  const problems = [];
  const left = document.querySelector('#jp-left-stack');
  const sidebar = left ? left.getBoundingClientRect().width : 0;
  if (sidebar < 100) problems.push(`the file browser sidebar is not open (${{sidebar}} px)`);
  const nb = p.content.node;
  if (nb.scrollWidth > nb.clientWidth + 1)
    problems.push(`the notebook scrolls sideways: ${{nb.scrollWidth}} px of content in ${{nb.clientWidth}} px`);
  let widest = 0;
  p.content.widgets.forEach((cell, i) => {{
    const area = cell.node.querySelector('.jp-Cell-outputArea');
    if (!area || cell.model.type !== 'code') return;
    const box = area.getBoundingClientRect();
    widest = Math.max(widest, box.width);
    for (const el of area.querySelectorAll('.jp-OutputArea-output, .jupyter-widgets, .widget-box')) {{
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        problems.push(`cell ${{i}}: ${{el.className.split(' ')[0]}} scrolls sideways (${{el.scrollWidth}} > ${{el.clientWidth}} px)`);
    }}
    for (const el of area.querySelectorAll('canvas, img, .widget-slider, .widget-button, .widget-html, .widget-label')) {{
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1))
        problems.push(`cell ${{i}}: a ${{el.tagName.toLowerCase()}} (${{el.className.split(' ')[0] || 'figure'}}) is cut off: `
                      + `${{Math.round(r.left)}}..${{Math.round(r.right)}} px in an output area ${{Math.round(box.left)}}..${{Math.round(box.right)}} px`);
    }}
  }});
  return {{problems, sidebar, outputWidth: widest}};
}}"""


def layout_problems(page) -> dict:
    """What is cut off or scrolls sideways in the notebook (``problems``), the file browser's width
    (``sidebar``) and the widest output area (``outputWidth``), in CSS pixels."""
    return page.evaluate(LAYOUT_JS)
