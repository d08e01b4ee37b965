"""The renderer's tests: run `sigsat` as a user does, at the tiny quality (192x108, 5 fps).

Real chapters (two that exist) are rendered once per session; the tests that need many
renders (formats, failures, kills) use fake chapters from fixtures/fake_chapters, which
render in a second or two each (`--registry fake_chapters` swaps the registry).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DRAFT_VOICE, once, shared_root

FIXTURES = Path(__file__).parent / "fixtures"
REAL = ("learning_goal", "problem1_sigma_prime")  # the second reads problem1.z, the first not


def sigsat(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
           ) -> subprocess.CompletedProcess[str]:
    """Run the command line in a new process, as `./render.sh` does."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("SIGSAT_PARAMS", None)
    return subprocess.run([sys.executable, "-m", "sigsat", *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


# The hidden option that swaps in the fake chapters, and the quick draft voice Piper: the suite
# hears the narrator Kokoro in tests/speech; a test that wants another voice says so after this.
FAKE = ("--registry", "fake_chapters", *DRAFT_VOICE)


def fake_env() -> dict[str, str]:
    """The environment in which the fake chapters can be imported."""
    path = os.pathsep.join(p for p in (str(FIXTURES), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def manifest(folder: Path) -> dict[str, Any]:
    """OUT/<quality>/manifest.json."""
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file in an output folder but the lock, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def ffprobe(path: Path, *what: str) -> dict[str, Any]:
    """ffprobe's JSON for a file (`-show_streams`, `-show_format`, `-show_chapters`...)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", *what, str(path)],
                         capture_output=True, text=True, check=True).stdout
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.fixture(scope="session")
def real_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT with two real chapters rendered at tiny with two jobs; returns OUT (not OUT/tiny).
    Shared by the session's processes: read it, or change a copy (`real_copy`)."""
    import scenes

    folder = Path(list(scenes.__path__)[0])
    missing = [slug for slug in REAL if not (folder / f"{slug}.py").is_file()]
    if missing:
        pytest.skip(f"chapters not written: {missing}")
    root = shared_root(tmp_path_factory)
    out = root / "real" / "out"

    def render() -> Path:
        done = sigsat("render", "--quality", "tiny", "--only", ",".join(REAL), "--jobs", "2",
                      "--out", str(out), *DRAFT_VOICE)
        assert done.returncode == 0, done.stderr
        (out / "first-run.stderr").write_text(done.stderr, encoding="utf-8")
        return out

    # Once per session, not per xdist worker (the tests that change it work on a copy).
    return once(root, "real", render, lambda: out)


@pytest.fixture
def real_copy(real_out: Path, tmp_path: Path) -> Path:
    """A private copy of the real render (cache included) to change."""
    out = tmp_path / "out"
    shutil.copytree(real_out, out)
    return out


@pytest.fixture(scope="session")
def fake_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT with fake chapters alpha and beta rendered at tiny, once per session (not per xdist
    worker); returns OUT. Read it, or change a copy (`fake_copy`)."""
    root = shared_root(tmp_path_factory)
    out = root / "fake" / "out"

    def render() -> Path:
        done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(out),
                      env=fake_env())
        assert done.returncode == 0, done.stderr
        return out

    return once(root, "fake", render, lambda: out)


@pytest.fixture
def fake_copy(fake_out: Path, tmp_path: Path) -> Path:
    """A private copy of the fake render (cache included)."""
    out = tmp_path / "out"
    shutil.copytree(fake_out, out)
    return out
