"""Links and FIFOs planted in the output folder and the cache: no write goes through a link to a
file outside, no read waits on a FIFO, and what is in the way is one line (exit 2) or, in the
cache, removed with a warning."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from sigsat_core.contract import ContractError, Plan
from sigsat_core.files import NotRegular, read_regular, replace_atomically
from tests.render.conftest import FAKE, fake_env, sigsat, snapshot

RENDER = ("render", *FAKE, "-q", "tiny", "--voice", "none", "--only", "alpha,beta")


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the output and the cache, which nothing may change."""
    path = tmp_path / "elsewhere" / "victim.txt"
    path.parent.mkdir()
    path.write_text("mine\n")
    return path


def test_a_link_planted_as_the_render_lock_is_refused_not_written_through(fake_copy, victim):
    lock = fake_copy / ".tiny.lock"
    lock.unlink()
    lock.symlink_to(victim)
    before = snapshot(fake_copy / "tiny")
    for args in (RENDER, ("clean",)):
        done = sigsat(*args, "--out", str(fake_copy), env=fake_env(), timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert victim.read_text() == "mine\n"
    assert "symbolic link" in done.stderr
    assert snapshot(fake_copy / "tiny") == before


def test_a_link_planted_as_the_index_pages_temporary_is_not_followed(fake_copy, victim):
    tmp = fake_copy / "tiny" / ".index.html.sigsat-tmp"
    tmp.symlink_to(victim)
    done = sigsat("index", "--out", str(fake_copy), "-q", "tiny", timeout=120)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "mine\n"
    page = fake_copy / "tiny" / "index.html"
    assert not page.is_symlink() and "<html" in page.read_text()


def test_a_temporary_name_planted_with_a_link_is_replaced_not_written_through(tmp_path, victim):
    dest = tmp_path / "record.json"
    tmp = tmp_path / ".record.json.tmp"
    tmp.symlink_to(victim)
    replace_atomically(dest, b"{}", tmp)
    assert victim.read_text() == "mine\n"
    assert dest.read_bytes() == b"{}" and not dest.is_symlink() and not tmp.exists()


def test_reading_a_fifo_or_a_link_as_a_file_is_refused_at_once(tmp_path, victim):
    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    link = tmp_path / "link.json"
    link.symlink_to(victim)
    for path in (fifo, link, tmp_path):
        with pytest.raises(NotRegular):
            read_regular(path)
    with pytest.raises(ContractError, match="FIFO"):
        Plan.read(fifo)


def test_a_fifo_as_a_plan_hint_or_speech_does_not_hang_a_render(fake_copy):
    cache = fake_copy / ".cache"
    plans, speech = cache / "plans", cache / "speech"
    plans.mkdir(exist_ok=True)
    speech.mkdir(exist_ok=True)
    (plans / "alpha.json").unlink(missing_ok=True)
    os.mkfifo(plans / "alpha.json")
    os.mkfifo(speech / ("0" * 64 + ".json"))
    done = sigsat(*RENDER, "--force", "--out", str(fake_copy), env=fake_env(), timeout=240)
    assert done.returncode == 0, done.stderr
    assert "neither a file nor a folder: removed from the cache" in done.stderr
    assert (plans / "alpha.json").is_file()


def test_a_plan_hint_with_fps_0_is_ignored_not_divided_by(fake_copy):
    hint = fake_copy / ".cache" / "plans" / "alpha.json"
    data = json.loads(hint.read_text())
    data["fps"] = 0
    hint.write_text(json.dumps(data))
    with pytest.raises(ContractError, match="fps"):
        Plan.read(hint)
    done = sigsat(*RENDER, "--force", "--out", str(fake_copy), env=fake_env(), timeout=240)
    assert done.returncode == 0, done.stderr
    assert Plan.read(hint).fps > 0  # written again by the render


@pytest.mark.parametrize("make", ["fifo", "link"])
def test_the_caches_clean_up_lock_as_a_fifo_or_a_link_is_one_line(fake_copy, victim, make):
    lock = fake_copy / ".cache" / ".gc.lock"
    lock.unlink(missing_ok=True)
    if make == "fifo":
        os.mkfifo(lock)
    else:
        lock.symlink_to(victim)
    done = sigsat(*RENDER, "--out", str(fake_copy), env=fake_env(), timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"{lock} is a" in done.stderr and "Traceback" not in done.stderr
    assert victim.read_text() == "mine\n"


@pytest.mark.parametrize("name", ["runs", "entries", "work", "plans"])
def test_a_file_where_the_cache_keeps_a_folder_is_one_line(fake_copy, name):
    folder = fake_copy / ".cache" / name
    if folder.is_dir():
        os.rename(folder, folder.with_name(name + ".moved"))
    folder.write_text("in the way")
    done = sigsat(*RENDER, "--out", str(fake_copy), env=fake_env(), timeout=120)
    assert done.returncode == 2, done.stderr
    assert f"{folder} is a file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("planted", ["captions/01_alpha.vtt", "posters/01_alpha.png", "lecture.vtt"])
def test_a_link_to_a_file_outside_planted_in_the_output_is_not_served_by_the_index(fake_copy, victim, planted):
    path = fake_copy / "tiny" / planted
    path.unlink()
    path.symlink_to(victim)
    done = sigsat("index", "--out", str(fake_copy), "-q", "tiny", timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "leads outside" in done.stderr
    page = (fake_copy / "tiny" / "index.html").read_text()
    secret = base64.b64encode(victim.read_bytes()).decode().rstrip("=")
    assert secret[:8] not in page and str(victim) not in page
