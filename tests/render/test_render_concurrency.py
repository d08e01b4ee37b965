"""One --cache shared by renders running at once: each finishes, with the same bytes, and
`clean` leaves alone what a live render uses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.render.conftest import FAKE, fake_env, manifest, sigsat, snapshot

pytestmark = pytest.mark.slow
CHAPTERS = "alpha,words"  # shapes, a Pango text and a LaTeX formula


def _render(out: Path, cache: Path, *extra: str, env: dict[str, str] | None = None,
            chapters: str = CHAPTERS) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sigsat", "render", *FAKE, "-q", "tiny", "--only", chapters,
         "--voice", "none", "--jobs", "1", "--out", str(out), "--cache", str(cache), *extra],
        env={**os.environ, **fake_env(), **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_cold_renders_sharing_a_cache_all_succeed_with_the_same_bytes(tmp_path, runs):
    cache = tmp_path / "cache"
    procs = [_render(tmp_path / f"out{i}", cache) for i in range(runs)]
    results = [(p, *p.communicate(timeout=600)) for p in procs]
    for proc, _, err in results:
        assert proc.returncode == 0, err
    shots = [snapshot(tmp_path / f"out{i}" / "tiny") for i in range(runs)]
    outputs = [{k: v for k, v in s.items() if k != "manifest.json"} for s in shots]
    assert all(o == outputs[0] for o in outputs) and len(outputs[0]) >= 10
    keys = [[c["cache_key"] for c in manifest(tmp_path / f"out{i}" / "tiny")["chapters"]]
            for i in range(runs)]
    assert all(k == keys[0] for k in keys)
    assert sorted(p.name for p in (cache / "entries").iterdir()) == sorted(keys[0])
    assert list((cache / "work").iterdir()) == []  # every run cleared its own work


def _wait_for_job(cache: Path, slug: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not list((cache / "work").glob(f"*/{slug}/job-*.json")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_clean_all_leaves_a_live_renders_work_and_entries(tmp_path):
    cache, gate = tmp_path / "cache", tmp_path / "gate-open"
    proc = _render(tmp_path / "out", cache, env={"SIGSAT_TEST_GATE": str(gate)},
                   chapters="alpha,gate")
    _wait_for_job(cache, "gate", proc)  # alpha is done and stored: --jobs 1 renders in order
    entries = {p.name for p in (cache / "entries").iterdir()}
    parts = {p.name for p in (cache / "parts").iterdir()}
    assert len(entries) == 1 and len(parts) == 1
    cleaned = sigsat("clean", "--all", "--out", str(tmp_path / "other"), "--cache", str(cache))
    assert cleaned.returncode == 0, cleaned.stderr
    assert {p.name for p in (cache / "entries").iterdir()} == entries
    assert {p.name for p in (cache / "parts").iterdir()} == parts  # pinned by the live run
    assert list((cache / "work").glob("*/gate/job-*.json"))
    gate.touch()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    m = manifest(tmp_path / "out" / "tiny")
    assert [c["slug"] for c in m["chapters"]] == ["alpha", "gate"]
    assert {c["cache_key"] for c in m["chapters"]} == {p.name for p in (cache / "entries").iterdir()}
    done = sigsat("clean", "--all", "--out", str(tmp_path / "other"), "--cache", str(cache))
    assert done.returncode == 0 and list((cache / "entries").iterdir()) == []
    assert list((cache / "parts").iterdir()) == []
