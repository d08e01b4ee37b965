"""`slides` and `handout` on a full output disk: one line naming the cause (ENOSPC), exit 2, and
no half-written deck or PDF in the lecture's folder."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.render.conftest import fake_out, sigsat  # noqa: F401 (fixture)
from tests.render.test_render_faults import _fill, needs_root, tmpfs

pytestmark = [pytest.mark.slow, needs_root]


def _whole(path: Path) -> bool:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return data.rstrip().endswith(b"%%EOF")
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    return zipfile.is_zipfile(path)


@pytest.mark.parametrize("command, made", [("slides", ("slides/lecture.html", "slides/lecture.pptx")),
                                           ("handout", ("handout/handout.pdf",))])
@pytest.mark.parametrize("leave", [0, 60_000])
def test_a_full_output_disk_is_one_line_and_leaves_no_half_file(fake_out, tmp_path, command, made, leave):  # noqa: F811
    with tmpfs(tmp_path / "disk", "4m") as disk:
        out = disk / "out"
        shutil.copytree(fake_out, out, symlinks=True, ignore=shutil.ignore_patterns(".cache"))
        _fill(disk, leave)
        done = sigsat(command, "--out", str(out), "-q", "tiny", timeout=300)
        assert done.returncode == 2, done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "ENOSPC" in lines[0], done.stderr
        for rel in made:  # absent, or whole (written before the disk filled up)
            path = out / "tiny" / rel
            assert not path.exists() or _whole(path), rel
        assert not [p for p in (out / "tiny").rglob("*.sigsat-tmp")]
        assert_no_part_written(out / "tiny")
        os.sync()


def assert_no_part_written(folder: Path) -> None:
    """Each chapter's slide clips are those its config lists, or absent; the handout's frames
    are those its record lists, or absent: nothing of a command the disk stopped."""
    for clips in sorted((folder / "slides" / "files").glob("*")):
        config = folder / "slides" / f"{clips.name}.json"
        assert config.is_file(), f"{clips.name}: clips without their config"
        listed = {Path(s["file"]).name for s in json.loads(config.read_text())["slides"]}
        assert {p.name for p in clips.iterdir()} == listed, clips.name
    frames = folder / "handout" / "frames"
    if frames.exists():
        record = json.loads((folder / "handout" / "handout.json").read_text())
        assert {p.name for p in frames.iterdir()} == {Path(p["frame"]).name for p in record["pages"]}
