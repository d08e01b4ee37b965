"""Shared test fixtures: rendering a chapter at a tiny size into its own media folder."""

from __future__ import annotations

import os

# One BLAS thread per test worker (set before numpy loads): the workers already fill the cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import fcntl
import importlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from sigsat_math import DEFAULTS, Params

TINY = {"pixel_width": 192, "pixel_height": 108, "frame_rate": 5}


@pytest.fixture(scope="session")
def tex_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LaTeX cache for the whole session: compiling the same formula twice only costs time."""
    return tmp_path_factory.mktemp("tex")


def render_scene(folder: Path, tex_cache: Path, module: str, scene: str | type, params: Params = DEFAULTS,
                 movie: bool = False, **config: Any) -> dict[str, Any]:
    """Render scenes.<module>.<scene> (or the scene class given) into `folder`; its sidecar plus
    the movie's path and the scene.

    By default only the last frame is drawn (animations are skipped, but every one still ends
    in its final state, so the ledger, sections, durations and layout checks are all there);
    `movie=True` writes the clip too, at 192x108 and 5 fps unless `config` says otherwise.
    """
    from manim import tempconfig

    from scenes.context import use_params
    from sigsat_core.contract import VoiceSpec

    cls = scene if isinstance(scene, type) else getattr(importlib.import_module(f"scenes.{module}"), scene)
    scene = cls.__name__
    media = folder / f"media-{scene}-{len(list(folder.iterdir()))}"
    sidecar = media / "sidecar.json"
    options = {**TINY, "media_dir": str(media), "tex_dir": str(tex_cache),
               "disable_caching": True, "verbosity": "WARNING", "progress_bar": "none",
               "output_file": scene, **config}
    if not movie:
        # Pango lays text out on a canvas as wide as the frame in pixels, so at 192 px long
        # lines wrap; the layout check must see the text a real render shows.
        options.update(save_last_frame=True, write_to_movie=False, pixel_width=1920, pixel_height=1080)
        options.update(config)
    # The scene tests time beats by the voice's estimate (the silent draft's timing): the
    # real voice is heard in the render tests, which run the lecture as a user does.
    with tempconfig(options), use_params(params, sidecar=sidecar, voice=VoiceSpec(kind="none"),
                                         speech_dir=folder.parent / "speech"):
        instance = cls()
        instance.render()
        clip = instance.renderer.file_writer.movie_file_path if movie else None
        frame = instance.renderer.file_writer.image_file_path if not movie else None
    data: dict[str, Any] = json.loads(sidecar.read_text())
    data["movie"] = str(clip) if clip else None
    data["last_frame"] = str(frame) if frame else None
    data["scene_object"] = instance
    return data


@pytest.fixture
def render_chapter(tmp_path: Path, tex_cache: Path) -> Callable[..., dict[str, Any]]:
    """Render a chapter in this test's own folder (see render_scene)."""

    def render(module: str, scene: str, params: Params = DEFAULTS, movie: bool = False,
               **config: Any) -> dict[str, Any]:
        return render_scene(tmp_path, tex_cache, module, scene, params, movie, **config)

    return render


_RENDERED: dict[tuple[Any, ...], dict[str, Any]] = {}


@pytest.fixture(scope="module")
def render_once(tmp_path_factory: pytest.TempPathFactory, tex_cache: Path) -> Callable[..., dict[str, Any]]:
    """Render a chapter with `key=value` overrides once per test module, shared by its tests."""
    from sigsat_math.params import load

    done = _RENDERED  # kept by the process: pytest may tear a module's fixtures down and set
    # them up again when another module's test runs between two of its tests on this worker

    def render(module: str, scene: str, overrides: tuple[str, ...] | list[str] = (), movie: bool = False,
               **config: Any) -> dict[str, Any]:
        key = (module, scene, tuple(overrides), movie, tuple(sorted(config.items())))
        if key not in done:
            folder = tmp_path_factory.mktemp(scene)
            done[key] = render_scene(folder, tex_cache, module, scene, load(None, list(overrides)), movie, **config)
        return done[key]

    return render


def said(data: dict[str, Any], section: str | None = None) -> str:
    """What the narrator said (as the captions write it), in one section or in the whole chapter."""
    return " ".join(b["text"] for b in data["beats"] if section is None or b["section"] == section)


def assert_paced_by_the_voice(data: dict[str, Any]) -> None:
    """Every beat's speech ends inside its section, and the chapter is at least as long as it."""
    ends = {s["name"]: s["end"] for s in data["sections"]}
    for beat in data["beats"]:
        assert beat["start"] + beat["speech"] <= ends[beat["section"]] + 1e-6, beat["id"]
    assert data["duration"] >= sum(b["speech"] for b in data["beats"]) > 0


def shown(data: dict[str, Any]) -> dict[str, str]:
    """What the chapter showed: ledger label -> screen text."""
    return {row["label"]: row["text"] for row in data["ledger"]}


def recompute_ledger(ledger: list[dict[str, Any]]) -> list[str]:
    """Each ledger row computed again from sigsat_math; the rows that disagree, described."""
    from sigsat_math import Display, recompute

    wrong = []
    for row in ledger:
        value = recompute(row)
        style = Display(row["style"]["kind"], row["style"]["digits"])
        if not (value == row["value"] and style.text(value) == row["text"] and style.tex(value) == row["tex"]):
            wrong.append(f"{row['label']}: shown {row['text']!r}, sigsat_math gives {style.text(value)!r}")
    return wrong


# The whole lecture, rendered tiny (192x108, 5 fps) with its voice, by `sigsat render`: once per
# session into its own output folder, so the slides, handout, clips for decks and index page are
# made from exactly what the renderer writes, and its cache serves the tests that render the
# lecture again with a change (variants). Once per session, not per pytest-xdist worker: the
# first worker to need it renders it under a lock in the session's shared temporary folder.

T = TypeVar("T")
# The quick draft voice: the suite's lectures are narrated by Piper (about 8x cheaper to
# synthesise); the narrator Kokoro is heard in tests/speech/test_kokoro.py.
DRAFT_VOICE = ("--voice", "piper")


def render_tiny_lecture(out: Path, *extra: str) -> Path:
    """`sigsat render --quality tiny` of every chapter into `out`; returns OUT/tiny."""
    cmd = [sys.executable, "-m", "sigsat", "render", "--quality", "tiny", "--out", str(out), "--quiet",
           *DRAFT_VOICE, *extra]
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


def _lecture_folder(root: Path) -> Path:
    return root / "lecture"


def render_lecture_once(root: Path) -> Path:
    """OUT/tiny/ of the whole lecture under `root`, rendered by the first process to ask."""
    folder = _lecture_folder(root)

    def render() -> Path:
        started = time.monotonic()
        out = render_tiny_lecture(folder)
        print(f"the whole lecture rendered at tiny in {time.monotonic() - started:.0f} s")
        return out

    return once(root, "lecture", render, lambda: folder / "tiny")


@pytest.fixture(scope="session")
def tiny_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/tiny/ of the whole lecture with the narrating voice, rendered once for the session
    (started in the background as soon as a worker collects a test that needs it)."""
    return render_lecture_once(shared_root(tmp_path_factory))


# How the suite keeps both cores working (pytest-xdist, `--dist loadgroup`):
# - the whole lecture, which many tests share, starts rendering in the background as soon as the
#   first worker has collected a test that needs it, while the workers run the tests that don't;
# - those tests run last, so a worker rarely waits for the lecture;
# - a test goes to whichever worker is free, except the tests of one module that share a fixture
#   made once per module (a chapter rendered once, a cluster), which stay together.

_BACKGROUND: list[subprocess.Popen[bytes]] = []


def _needs_lecture(item: pytest.Item) -> bool:
    return "tiny_out" in getattr(item, "fixturenames", ())


def _module_scoped(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs[-1].scope in ("module", "class") for defs in info.name2fixturedefs.values() if defs)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups off the items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group module-shared tests, move the lecture's tests last, start the lecture's render."""
    for item in items:
        if _module_scoped(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(key=_needs_lecture)  # stable: the order within each half is kept
    if any(_needs_lecture(item) for item in items) and hasattr(config, "workerinput"):
        _start_lecture(config)


def _start_lecture(config: pytest.Config) -> None:
    """The first worker to get here starts the lecture's render in a process of its own."""
    root = shared_root(config._tmp_path_factory)  # type: ignore[attr-defined]
    with locked(root / "lecture-start.lock"):
        marker = root / "lecture-start.done"
        if marker.is_file():
            return
        marker.write_text("started")
    code = "import sys; from pathlib import Path; from tests.conftest import render_lecture_once; " \
           "render_lecture_once(Path(sys.argv[1]))"
    log = open(root / "lecture-background.log", "wb")  # noqa: SIM115 (the process outlives this call)
    _BACKGROUND.append(subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=log,
                                        stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1]))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A background render still running when the session ends (say, after -x) is stopped."""
    for process in _BACKGROUND:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)
