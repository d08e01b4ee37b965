"""Faults of the environment: each is one line naming the cause, exit status 2 (the user can mend
it), no traceback, and no half-written file; a chapter's own failure stays exit status 1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.render.conftest import FAKE, fake_env, sigsat, snapshot

pytestmark = pytest.mark.slow
ONLY = ("--only", "alpha,beta")


def _render(out: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return sigsat("render", *FAKE, "-q", "tiny", *ONLY, "--voice", "none", "--quiet", "--out", str(out),
                  *extra, env={**fake_env(), **(env or {})})


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    """The run failed with status 2 and one line on stderr holding `words`; that line."""
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small file system of its own at `where` (root only)."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` up to `leave` bytes free."""
    free = shutil.disk_usage(folder).free - leave
    if free > 0:
        with open(folder / f".filler-{uuid.uuid4().hex}", "wb") as f:
            f.write(b"\0" * free)


def _readonly(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")


def test_ffmpeg_missing_from_path(tmp_path):
    done = _render(tmp_path / "out", env={"PATH": str(tmp_path / "empty-bin")})
    _one_line(done, "ffmpeg", "PATH")
    assert not (tmp_path / "out").exists()


@needs_root
@pytest.mark.parametrize("leave", [0, 40_000])
def test_a_full_output_disk(fake_out, tmp_path, leave):
    with tmpfs(tmp_path / "disk", "2m") as disk:
        out = disk / "out"
        shutil.copytree(fake_out, out, ignore=shutil.ignore_patterns(".cache"), symlinks=True)
        before = snapshot(out / "tiny")
        _fill(disk, leave)
        done = _render(out, "--cache", str(fake_out / ".cache"), "--set", "problem1.z=1")
        _one_line(done, "no space left on device (ENOSPC)", str(out))
        assert snapshot(out / "tiny") == before
        assert not [p for p in out.rglob("*") if p.name.endswith((".partial", ".sigsat-tmp", ".link"))]


@needs_root
@pytest.mark.parametrize("leave", [0, 60_000, 400_000])
def test_a_full_cache_disk(tmp_path, leave):
    with tmpfs(tmp_path / "disk", "3m") as disk:
        _fill(disk, leave)
        done = _render(tmp_path / "out", "--cache", str(disk / "cache"))
        _one_line(done, "no space left on device (ENOSPC)", str(disk / "cache"))
        entries = disk / "cache" / "entries"
        assert not entries.exists() or all(not p.name.startswith(".") for p in entries.iterdir())
        assert not (tmp_path / "out" / "tiny").exists()


@needs_root
@pytest.mark.parametrize("which", ["out", "cache"])
def test_a_read_only_output_or_cache(fake_out, tmp_path, which):
    with tmpfs(tmp_path / "disk", "8m") as disk:
        shutil.copytree(fake_out, disk / "out", symlinks=True)
        before = snapshot(disk / "out" / "tiny")
        _readonly(disk)
        out, cache = (disk / "out", tmp_path / "cache") if which == "out" else \
            (tmp_path / "out", disk / "out" / ".cache")
        done = _render(out, "--cache", str(cache), "--set", "problem1.z=1")
        _one_line(done, "read-only", str(out if which == "out" else cache))
        assert snapshot(disk / "out" / "tiny") == before


@pytest.mark.parametrize("make", ["under a file", "/dev/null", "/proc/x", "empty"])
def test_an_output_folder_that_cannot_be(tmp_path, make):
    if make == "under a file":
        (tmp_path / "file").write_text("a file")
        out, words = str(tmp_path / "file" / "out"), ("--out", str(tmp_path / "file"), "not a folder")
    elif make == "empty":
        out, words = "", ("--out", "empty")
    else:
        out, words = make, ("--out", make)
    done = sigsat("render", *FAKE, "-q", "tiny", *ONLY, "--voice", "none", "--out", out, env=fake_env())
    _one_line(done, *words)


def test_a_cache_that_is_a_file(tmp_path):
    (tmp_path / "cache").write_text("a file")
    done = _render(tmp_path / "out", "--cache", str(tmp_path / "cache"))
    _one_line(done, "--cache", str(tmp_path / "cache"), "not a folder")


def test_a_lock_that_is_a_folder(tmp_path):
    (tmp_path / "out" / ".tiny.lock").mkdir(parents=True)
    done = _render(tmp_path / "out")
    _one_line(done, str(tmp_path / "out" / ".tiny.lock"), "a folder")


@pytest.mark.parametrize("name", ["posters", "clips", "captions", "lecture.mp4"])
def test_an_output_of_the_wrong_kind_in_the_way(fake_out, tmp_path, name):
    out = tmp_path / "out"
    shutil.copytree(fake_out, out, symlinks=True)
    target = out / "tiny" / name
    if target.is_dir():
        shutil.rmtree(target)
        target.write_text("a file where sigsat keeps a folder")
    else:
        target.unlink()
        target.mkdir()
    before = snapshot(out / "tiny")
    done = _render(out, "--set", "problem1.z=1")
    _one_line(done, str(out / "tiny" / name))
    assert snapshot(out / "tiny") == before


@pytest.mark.parametrize("hide", [("latex",), ("dvisvgm",), ("latex", "dvisvgm")])
def test_latex_or_dvisvgm_missing_from_path_is_said_up_front(tmp_path, hide):
    import shutil

    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("ffmpeg", "ffprobe", "latex", "dvisvgm"):
        found = shutil.which(tool)
        if found and tool not in hide:
            (tools / tool).symlink_to(found)
    done = _render(tmp_path / "out", env={"PATH": str(tools)})
    _one_line(done, *hide, "PATH")
    assert not (tmp_path / "out").exists()


def test_a_memory_limit_is_one_line_naming_memory(tmp_path):
    # Under `ulimit -v` the command fails wherever memory first runs out: a library that cannot
    # be mapped while Python imports it (250 MiB), or OpenBLAS retrying for ever inside an import
    # (a hang at 400 MiB, with output to pipes): a limit under 1 GiB is refused up front.
    said = {}
    for megabytes in (250, 400):
        out = tmp_path / f"out-{megabytes}"
        done = subprocess.run(
            ["bash", "-c", f'ulimit -v {megabytes * 1024}; exec "$0" -m sigsat "$@"', sys.executable,
             "render", *FAKE, "-q", "tiny", "--out", str(out), "--cache", str(tmp_path / "cache")],
            capture_output=True, text=True, timeout=120, env={**os.environ, **fake_env()})
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, (megabytes, done.stderr)
        assert lines[0].startswith("Error: out of memory (ENOMEM)"), (megabytes, done.stderr)
        assert not out.exists()
        said[megabytes] = lines[0]
    assert "the memory limit is 400 MiB (ulimit -v)" in said[400]
