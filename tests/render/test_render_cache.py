"""Cache entries are checked against their schema and against the files they name before use;
a bad one is one warning line and a render, never a traceback or a false manifest."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sigsat_core.media import probe
from tests.render.conftest import FAKE, fake_env, manifest, sigsat

Edit = Callable[[Path], None]


def _edit_json(name: str, change: Callable[[dict[str, Any]], object]) -> Edit:
    def edit(entry: Path) -> None:
        data = json.loads((entry / name).read_text(encoding="utf-8"))
        change(data)
        raw = json.dumps(data).encode()
        (entry / name).write_bytes(raw)
        if name != "entry.json":  # as a careful vandal would: the recorded sha256 made to match
            meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
            role = {"sidecar.json": "sidecar"}[name]
            meta["files"][role].update(size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
            (entry / "entry.json").write_text(json.dumps(meta), encoding="utf-8")
    return edit


def _set(key: str, value: object) -> Callable[[dict[str, Any]], object]:
    return lambda d: d.__setitem__(key, value)


def _times_ten(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda d: d.__setitem__(key, d[key] * 10)


def _entry_is_a_file(entry: Path) -> None:
    shutil.rmtree(entry)
    entry.write_text("not a folder")


def _meta_is_a_folder(entry: Path) -> None:
    (entry / "entry.json").unlink()
    (entry / "entry.json").mkdir()


DAMAGE: dict[str, tuple[Edit, str]] = {
    "frames missing": (_edit_json("entry.json", lambda d: d.pop("frames")), "field 'frames'"),
    "files empty": (_edit_json("entry.json", _set("files", {})), "field 'files'"),
    "files a list": (_edit_json("entry.json", _set("files", [])), "field 'files'"),
    "version missing": (_edit_json("entry.json", lambda d: d.pop("version", None)), "version"),
    "a file named outside": (_edit_json("entry.json", lambda d: d["files"]["poster"].__setitem__(
        "name", "../../escape.png")), "field 'files.poster.name'"),
    "frames edited": (_edit_json("entry.json", _times_ten("frames")), "frames"),
    "duration edited": (_edit_json("entry.json", _times_ten("duration")), "duration"),
    "sidecar without cues": (_edit_json("sidecar.json", lambda d: d.pop("cues")), "field 'cues'"),
    "sidecar of another length": (_edit_json("sidecar.json", _times_ten("duration")), "duration"),
    "entry a file": (_entry_is_a_file, "not a folder"),
    "entry.json a folder": (_meta_is_a_folder, "entry.json"),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_bad_cache_entry_is_one_warning_and_a_render(fake_copy, damage):
    edit, words = DAMAGE[damage]
    folder = fake_copy / "tiny"
    key = {c["slug"]: c["cache_key"] for c in manifest(folder)["chapters"]}["alpha"]
    edit(fake_copy / ".cache" / "entries" / key)
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                  "--jobs", "1", env=fake_env())
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    warned = [line for line in done.stderr.splitlines() if "cache entry damaged (" in line]
    assert len(warned) == 1, done.stderr
    assert warned[0].startswith("01 alpha: cache entry") and "rendering it again" in warned[0]
    assert words in warned[0], warned[0]
    m = manifest(folder)
    assert m["run"]["rendered"] == ["alpha"]
    for chapter in m["chapters"]:  # durations from the files, whatever the metadata said
        info = probe(folder / chapter["file"])
        assert chapter["frames"] == info.frames
        assert chapter["duration"] == pytest.approx(info.duration)
    again = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                   env=fake_env())
    assert again.returncode == 0 and "cache entry damaged" not in again.stderr
    assert manifest(folder)["run"]["rendered"] == []
