"""Reading a submission and deciding what it is graded on.

A submission is opened once, only if it is a regular file below the size limit (a FIFO, a device or a
directory is refused at once, never waited on), hashed and parsed; it is never written. What it is graded
on is the instructor's: the exercises of the notebook it is, or ``--exercises`` — never the submission's
own list, tags or check cells.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat

MAX_SUBMISSION_BYTES = 50 * 2 ** 20
_CHECK_ONLY_LINE = re.compile(r"""^\s*(?:[A-Za-z_]\w*\s*=\s*)?check\(\s*["'][A-Za-z_]\w*["']\s*,\s*[A-Za-z_]\w*\s*\)\s*;?\s*(?:#.*)?$""")
_NOTEBOOK_NUMBER = re.compile(r"^(\d{2})_")


def is_check_cell(source: str) -> bool:
    """A cell that only calls ``check("name", obj)``: the grader skips it (it runs the same tests itself)."""
    lines = [l for l in str(source).splitlines() if l.strip() and not l.strip().startswith("#")]
    return bool(lines) and all(_CHECK_ONLY_LINE.match(l) for l in lines)


class GradingError(Exception):
    """The submission could not be graded at all (unreadable, not a notebook, no kernel)."""


def _read_regular_file(path: str) -> bytes:
    """The bytes of ``path`` if it is a regular file below the size limit; never blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise GradingError(f"cannot read the file: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode)
                    else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a socket")
            raise GradingError(f"not a regular file ({kind}): submit the .ipynb file itself")
        if info.st_size > MAX_SUBMISSION_BYTES:
            raise GradingError(f"the file is {info.st_size / 2 ** 20:.0f} MB; notebooks over "
                               f"{MAX_SUBMISSION_BYTES // 2 ** 20} MB are refused (clear the outputs and save again)")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_SUBMISSION_BYTES:
                raise GradingError(f"the file grew past {MAX_SUBMISSION_BYTES // 2 ** 20} MB while it was read")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_submission(path: str):
    """Read and parse a notebook file; return ``(notebook, sha256)``. Raises :class:`GradingError`."""
    import nbformat
    data = _read_regular_file(path)
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GradingError("not a Jupyter notebook: the file is not UTF-8 text") from None
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        where = f" at line {error.lineno}, column {error.colno} ({error.msg})" if isinstance(error, json.JSONDecodeError) else ""
        raise GradingError(f"not a Jupyter notebook: invalid JSON{where}; was the file saved completely?") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        raise GradingError("not a Jupyter notebook: valid JSON, but without a 'cells' list (submit the .ipynb file)")
    try:
        import logging
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        notebook = nbformat.reads(text, as_version=4)
    except Exception as error:
        raise GradingError(f"not a readable Jupyter notebook: {type(error).__name__}: {str(error)[:200]}") from None
    return notebook, digest


def notebook_number(notebook, path: str, registry: dict) -> str | None:
    """Which of the kit's notebooks a submission is: ``coursekit.notebook`` in its metadata, else a
    ``NN_`` file name; ``None`` when neither names a notebook that has exercises."""
    known = {e.notebook for e in registry.values()}
    meta = notebook.get("metadata", {}).get("coursekit", {})
    claimed = meta.get("notebook") if isinstance(meta, dict) else None
    if isinstance(claimed, str) and claimed in known:
        return claimed
    match = _NOTEBOOK_NUMBER.match(os.path.basename(path))
    return match.group(1) if match and match.group(1) in known else None


def assignment(notebook, path: str, registry: dict, options) -> tuple[list[str], str | None]:
    """The exercises to grade, from the kit (never from the submission's own list): ``(names, notebook)``."""
    if options.exercises:
        return list(options.exercises), options.notebook
    number = options.notebook or notebook_number(notebook, path, registry)
    if number is None:        # every exercise of the kit (new ones from --tests belong to their notebook)
        from . import EXERCISES
        return [name for name in registry if name in EXERCISES], None
    return [name for name, e in registry.items() if e.notebook == number], number
