"""Fake chapters (a second each): failures, kills, formats, and outputs independent of --jobs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.render.conftest import FAKE, fake_env, ffprobe, manifest, sigsat, snapshot

pytestmark = pytest.mark.slow


def test_a_failing_chapter_is_named_the_others_finish_and_outputs_stay(fake_copy):
    folder = fake_copy / "tiny"
    before = snapshot(folder)
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta,broken", "--out", str(fake_copy),
                  "--set", "problem1.z=2", env=fake_env())
    assert done.returncode == 1
    err = done.stderr
    assert "chapter 03 broken failed: RuntimeError: the broken chapter broke, as planned" in err
    assert "(broken.py:19 in construct)" in err
    assert 'raise RuntimeError("the broken chapter broke, as planned")' in err  # the log's tail
    assert "full log: " in err and "03_broken.log" in err
    assert "✓ 01 alpha rendered" in err
    assert "1 of 3 chapters failed" in err and "2 finished chapters are cached" in err
    assert snapshot(folder) == before
    again = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                   "--set", "problem1.z=2", env=fake_env())
    assert again.returncode == 0, again.stderr
    assert manifest(folder)["run"]["rendered"] == []  # alpha was kept in the cache


def test_a_missing_chapter_file_fails_only_when_asked_for(tmp_path, fake_copy):
    package = tmp_path / "reg"
    package.mkdir()
    fixtures = Path(__file__).parent / "fixtures" / "fake_chapters"
    (package / "__init__.py").write_text((fixtures / "__init__.py").read_text().replace(
        'Chapter("slow"', 'Chapter("ghost", "Ghost", "Not written"), Chapter("slow"'))
    (package / "alpha.py").write_text((fixtures / "alpha.py").read_text())
    env = {"PYTHONPATH": str(tmp_path)}
    ok = sigsat("render", "--registry", "reg", "-q", "tiny", "--only", "alpha", "--out", str(tmp_path / "o"), env=env)
    assert ok.returncode == 0, ok.stderr
    bad = sigsat("render", "--registry", "reg", "-q", "tiny", "--only", "alpha,ghost", "--out", str(tmp_path / "o"),
                 env=env)
    assert bad.returncode == 1
    assert "chapter 04 ghost failed: " in bad.stderr and "ghost.py does not exist" in bad.stderr


def _start(out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, **fake_env()}
    return subprocess.Popen([sys.executable, "-m", "sigsat", "render", *FAKE, "-q", "tiny", "--only",
                             "alpha,beta,slow", "--out", str(out), "--jobs", "2",
                             "--set", "problem1.z=3", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for_slow(out: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not list((out / ".cache" / "work").glob("*/slow/log.txt")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(1.0)


def _outputs_readable(folder: Path) -> None:
    m = manifest(folder)
    assert [c["slug"] for c in m["chapters"]] == ["alpha", "beta"]
    info = ffprobe(folder / "lecture.mp4", "-show_chapters")
    assert len(info["chapters"]) == 2


def test_killing_a_render_half_way_leaves_the_old_outputs(fake_copy):
    folder = fake_copy / "tiny"
    before = snapshot(folder)
    proc = _start(fake_copy)
    _wait_for_slow(fake_copy, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the render and its chapter processes, at once
    proc.communicate()
    assert snapshot(folder) == before
    _outputs_readable(folder)
    again = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                   env=fake_env())
    assert again.returncode == 0, again.stderr
    assert not list(fake_copy.rglob("*.sigsat-tmp"))
    assert list((fake_copy / ".cache" / "work").iterdir()) == []  # the killed run's work swept
    assert list((fake_copy / ".cache" / "runs").iterdir()) == []


def test_sigterm_stops_the_chapters_and_leaves_the_old_outputs(fake_copy):
    folder = fake_copy / "tiny"
    before = snapshot(folder)
    proc = _start(fake_copy)
    _wait_for_slow(fake_copy, proc)
    os.kill(proc.pid, signal.SIGTERM)  # the render only: it must stop its chapters itself
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert f"stopped; {folder} was left as it was" in err
    assert "failed" not in err
    with pytest.raises(ProcessLookupError):  # no chapter process left behind
        os.killpg(proc.pid, 0)
    assert snapshot(folder) == before
    _outputs_readable(folder)


def test_outputs_are_the_same_whatever_jobs_is(tmp_path):
    runs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--jobs", jobs, "--out",
                      str(out), "--quiet", env=fake_env())
        assert done.returncode == 0, done.stderr
        runs[jobs] = snapshot(out / "tiny")
    one, two = ({k: v for k, v in r.items() if k != "manifest.json"} for r in runs.values())
    # clips, posters, lecture, SRT and VTT, index.html, the per-chapter captions it links, and
    # the narration script (Markdown and CSV)
    assert one == two and len(one) == 14


def test_a_damaged_or_missing_cache_entry_is_rebuilt(fake_copy):
    folder = fake_copy / "tiny"
    before = snapshot(folder)
    keys = {c["slug"]: c["cache_key"] for c in manifest(folder)["chapters"]}
    entries = fake_copy / ".cache" / "entries"
    master = entries / keys["alpha"] / "master.mp4"
    data = bytearray(master.read_bytes())
    data[len(data) // 2] ^= 0xFF
    master.write_bytes(bytes(data))
    (entries / keys["beta"] / "poster.png").unlink()
    (folder / "clips" / "02_beta.mp4").write_bytes(b"not a video")  # an output damaged too
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                  "--jobs", "1", env=fake_env())
    assert done.returncode == 0, done.stderr
    assert "01 alpha: cache entry damaged (master file master.mp4 damaged" in done.stderr
    assert "02 beta: cache entry damaged (poster file poster.png missing)" in done.stderr
    assert manifest(folder)["run"]["rendered"] == ["alpha", "beta"]
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == \
           {k: v for k, v in before.items() if k != "manifest.json"}


@pytest.mark.parametrize(("args", "codec", "pix_fmt", "alpha"), [
    (["--format", "webm"], "vp9", "yuv420p", False),
    (["--format", "gif"], "gif", None, False),
    (["--format", "mov"], "prores", "yuv422p10le", False),
    (["--transparent"], "prores", "yuva444p", True),
    (["--transparent", "--format", "webm"], "vp9", "yuv420p", True),
])
def test_formats(tmp_path, args, codec, pix_fmt, alpha):
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha", "--out", str(tmp_path), "--quiet",
                  *args, env=fake_env())
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "tiny"
    ext = "mov" if "--transparent" in args and "--format" not in args else args[-1]
    clip = folder / "clips" / f"01_alpha.{ext}"
    streams = ffprobe(clip, "-show_streams")["streams"]
    (video,) = [s for s in streams if s["codec_type"] == "video"]
    sound = [s["codec_name"] for s in streams if s["codec_type"] == "audio"]
    assert sound == {"vp9": ["opus"], "prores": ["pcm_s16le"], "gif": []}[codec]  # the voice, but in a GIF
    assert video["codec_name"] == codec
    if pix_fmt:
        assert video["pix_fmt"].startswith(pix_fmt)
    assert (video.get("tags", {}).get("alpha_mode") == "1") == (alpha and codec == "vp9")
    m = manifest(folder)
    assert m["chapters"][0]["file"] == f"clips/01_alpha.{ext}" and m["transparent"] == alpha
    (lecture,) = [s for s in ffprobe(folder / "lecture.mp4", "-show_streams")["streams"]
                  if s["codec_type"] == "video"]
    assert (lecture["codec_name"], lecture["pix_fmt"]) == ("h264", "yuv420p")
    if alpha and codec == "prores":
        import av

        with av.open(str(clip)) as c:
            *_, last = c.decode(video=0)
            rgba = last.to_ndarray(format="rgba")
        assert rgba[0, 0, 3] == 0 and rgba[..., 3].max() > 100  # shapes on a see-through ground
    assert json.loads((folder / "manifest.json").read_text())["format"] == ext


def test_clean_keeps_the_renders_the_outputs_use(fake_copy):
    from click.testing import CliRunner

    from sigsat.cli import main
    from sigsat.outputs import locked

    entries = fake_copy / ".cache" / "entries"
    before = {p.name for p in entries.iterdir()}  # the shared fake render's (other tests add to it)
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                  "--set", "problem1.z=1", "--quiet", env=fake_env())
    assert done.returncode == 0, done.stderr
    assert len({p.name for p in entries.iterdir()} - before) == 1  # alpha again, at z = 1
    parts = fake_copy / ".cache" / "parts"
    used = {c["cache_key"] for c in manifest(fake_copy / "tiny")["chapters"]}
    joined = {k for e in used for k in json.loads((entries / e / "entry.json").read_text())["part_keys"]}
    with locked(fake_copy / "tiny", wait=False):
        busy = CliRunner().invoke(main, ["clean", "--out", str(fake_copy)])
    assert busy.exit_code == 2 and "another render is writing to" in busy.stderr
    result = CliRunner().invoke(main, ["clean", "--out", str(fake_copy)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in entries.iterdir()} == used
    assert {p.name for p in parts.iterdir()} == joined and len(joined) == 2  # the parts they were joined from
    again = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--out", str(fake_copy),
                   "--set", "problem1.z=1", "--quiet", env=fake_env())
    assert again.returncode == 0 and manifest(fake_copy / "tiny")["run"]["rendered"] == []


def _workers(under: Path) -> list[int]:
    """The chapter processes whose job lies under `under`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"sigsat.worker" in argv and any(str(under).encode() in a for a in argv):
            found.append(int(proc.name))
    return found


def test_a_chapter_process_stops_when_its_render_is_killed(tmp_path):
    out = tmp_path / "out"
    proc = _start(out)
    _wait_for_slow(out, proc)
    workers = _workers(out)
    assert workers
    os.kill(proc.pid, signal.SIGKILL)  # the render alone: its chapters must notice
    proc.communicate()
    deadline = time.monotonic() + 5
    while _workers(out) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _workers(out)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


KILLER = Path(__file__).parent / "fixtures" / "kill_at_rename.py"


def _state(folder: Path) -> dict[str, str]:
    """What a reader of the folder sees (hidden temporary files aside), but for the manifest and
    index.html, which tell of the run that wrote them (times, rendered or cached)."""
    return {k: v for k, v in snapshot(folder).items()
            if not k.split("/")[-1].startswith(".") and k not in ("manifest.json", "index.html")}


@pytest.mark.parametrize("links", [True, False], ids=["versions", "a plain folder"])
def test_a_render_killed_while_it_commits_leaves_the_old_or_the_new_never_a_mix(fake_out, tmp_path, links):
    # A plain OUT/tiny is what renders before versions made (and what a copy that follows
    # links makes): its first commit moves it aside.
    fake_copy = tmp_path / "old"
    shutil.copytree(fake_out, fake_copy, symlinks=links)
    args = ["render", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--set", "problem1.z=2", "--jobs", "1"]
    new_out = tmp_path / "new"
    shutil.copytree(fake_copy, new_out, symlinks=links)
    root = str(Path(__file__).parents[2])  # the killer runs as a script: sigsat from this tree
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, fake_env()["PYTHONPATH"]])}
    count = tmp_path / "count"
    done = subprocess.run([sys.executable, str(KILLER), "0", str(new_out), str(count), *args,
                           "--out", str(new_out)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    renames = int(count.read_text())
    assert renames >= 1
    old, new = _state(fake_copy / "tiny"), _state(new_out / "tiny")
    assert old != new
    shutil.rmtree(new_out / ".cache")
    shutil.copytree(fake_copy / ".cache", new_out / ".cache")  # the z=2 entries, with the old ones
    cache = new_out / ".cache"
    seen = []
    for k in range(1, renames + 1):
        out = tmp_path / f"kill{k}"
        shutil.copytree(fake_copy, out, ignore=shutil.ignore_patterns(".cache"), symlinks=links)
        killed = subprocess.run([sys.executable, str(KILLER), str(k), str(out), str(count), *args,
                                 "--out", str(out), "--cache", str(cache)], env=env,
                                capture_output=True, text=True)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        state = _state(out / "tiny")
        assert state in (old, new), f"a mix after the kill at rename {k} of {renames}"
        seen.append("old" if state == old else "new")
        again = sigsat(*args, "--out", str(out), "--cache", str(cache), env=fake_env())
        assert again.returncode == 0, again.stderr
        assert _state(out / "tiny") == new
    assert seen[0] == "old"
