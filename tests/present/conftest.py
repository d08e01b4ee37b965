"""The whole lecture, rendered tiny (192x108, 5 fps) with its voice, by `sigsat render`.

Rendered once per session into its own output folder, so the slides, handout, clips for decks
and index page are made from exactly what the renderer writes. Once per session, not per
pytest-xdist worker: the first worker to need it renders it under a lock in the session's
shared temporary folder, and the presenting commands run there once too (`presented`), so
the tests may be spread over the workers whatever `--dist` says.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def render_tiny_lecture(out: Path, *extra: str) -> Path:
    """`sigsat render --quality tiny` of every chapter into `out`; returns OUT/tiny."""
    cmd = [sys.executable, "-m", "sigsat", "render", "--quality", "tiny", "--out", str(out), "--quiet", *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return out / "tiny"


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this session sees (the base of their own folders)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if base.name.startswith("popen-gw") else base


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` between the session's processes."""
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(root: Path, name: str, make: Callable[[], T], done: Callable[[], T]) -> T:
    """`make()` in the first process to get here, `done()` in the others (after it finished)."""
    with locked(root / f"{name}.lock"):
        marker = root / f"{name}.done"
        if marker.is_file():
            return done()
        result = make()
        marker.write_text("ok")
        return result


@pytest.fixture(scope="session")
def tiny_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/tiny/ of the whole lecture with the narrating voice, rendered once for the session."""
    root = shared_root(tmp_path_factory)
    folder = root / "lecture"

    def render() -> Path:
        started = time.monotonic()
        out = render_tiny_lecture(folder)
        print(f"the whole lecture rendered at tiny in {time.monotonic() - started:.0f} s")
        return out

    return once(root, "lecture", render, lambda: folder / "tiny")


@pytest.fixture(scope="session")
def presented(tiny_out: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """slides (with the one-file deck), handout and embed run on the tiny lecture (once for
    the session), with what each printed."""
    from click.testing import CliRunner

    from sigsat.present import present_group

    printed = tiny_out.parent / "printed.json"

    def run() -> dict[str, str]:
        runner = CliRunner()
        said = {}
        for command in (["slides", "--one-file"], ["handout"], ["embed"]):
            started = time.monotonic()
            result = runner.invoke(present_group, [*command, "--out", str(tiny_out.parent)])
            assert result.exit_code == 0, result.output + repr(result.exception)
            said[command[0]] = result.output
            print(f"{command[0]}: {time.monotonic() - started:.1f} s")
        printed.write_text(json.dumps(said))
        return said

    return once(shared_root(tmp_path_factory), "presented", run, lambda: json.loads(printed.read_text()))
