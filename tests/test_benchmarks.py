"""The benchmark runner still runs: ``python -m benchmarks --quick`` (tiny sizes, one repeat, no timing asserted).

The benchmarks themselves are not part of the test run (pytest collects ``tests/`` only); this test only
proves that the runner, its table and its JSON results keep working.
"""

from __future__ import annotations

import json
import subprocess
import sys


def test_quick_run_prints_a_table_and_writes_json(repo_root, tmp_path):
    previous = {"ratios": {"digits_epoch_seconds/coursekit": 1.0}}
    (tmp_path / "20000101-000000-quick.json").write_text(json.dumps(previous))
    out = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--threads", "1",
                          "--only", "epochs", "--results-dir", str(tmp_path)],
                         cwd=repo_root, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1. one training epoch: digits" in out.stdout
    assert "coursekit float32" in out.stdout
    assert "the epoch's products alone" in out.stdout and "its products alone" in out.stdout
    assert "changes since 20000101-000000-quick.json" in out.stdout
    written = sorted(tmp_path.glob("*-quick.json"))[-1]
    result = json.loads(written.read_text())
    assert result["quick"] is True
    assert result["ratios"]["digits_epoch_seconds/coursekit"] > 0
