"""Step-through slides with manim-slides: every section of every chapter is one slide.

Each chapter is rendered again as a manim-slides `Slide` (the worker's slides job: the chapter
with scenes.slides' mixin), in its own process, at the size, rate and parameters of the rendered clip. That writes
manim-slides' own folder, `OUT/<quality>/slides/` (<Scene>.json + files/), which
`manim-slides present` reads as it is. `manim-slides convert` then writes, in the same folder,
`lecture.html` (reveal.js, with reveal.js copied beside it from its npm package, so the page
needs no network) and `lecture.pptx` (the slide clips embedded, narration as speaker notes).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..contract import DECK, SLIDES_HTML, SLIDES_PPTX, Job, QualitySpec, Sidecar
from ..media import probe
from .lecture import ChapterOut, Lecture, register

SLIDES_DIR = "slides"
STATE_DIR = ".sigsat"
# reveal.js files the manim-slides template links to; the black and white themes carry their
# fonts inline (the others @import Google Fonts, which would need the network).
REVEAL_FILES = (
    "LICENSE",
    "dist/reveal.css",
    "dist/reveal.js",
    "dist/theme/black.css",
    "dist/theme/white.css",
    "dist/plugin/highlight/zenburn.css",
    "dist/plugin/notes.js",
    "dist/plugin/markdown.js",
)
REVEAL_THEMES = {"dark": "black", "light": "white"}


class SlidesError(RuntimeError):
    """Slides could not be made (a render failed, npm is missing, a conversion failed)."""


@dataclass(frozen=True)
class Deck:
    """What `make_slides` wrote: the decks and, per chapter, where its slides start."""

    folder: Path
    html: Path | None
    pptx: Path | None
    chapters: tuple[tuple[str, str, int, int], ...]  # slug, scene, first slide, slide count
    rendered: tuple[str, ...]  # the chapters rendered this time (the others were current)


def reveal_version() -> str:
    """The reveal.js version manim-slides' template is written for."""
    from manim_slides.convert import RevealJS

    return str(RevealJS.model_fields["reveal_version"].default)


def cache_dir() -> Path:
    """Where downloaded packages are kept between runs (XDG_CACHE_HOME/sigsat)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sigsat"


def reveal_package(version: str | None = None) -> Path:
    """reveal.js's npm tarball, fetched once with `npm pack` into the cache."""
    version = version or reveal_version()
    cache = cache_dir() / "npm"
    tgz = cache / f"reveal.js-{version}.tgz"
    if tgz.is_file():
        return tgz
    npm = shutil.which("npm")
    if npm is None:
        raise SlidesError(
            "the HTML slides need reveal.js from npm, fetched once, and npm is not "
            "installed (Node.js's npm; on Debian: apt-get install npm)"
        )
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "pack", f"reveal.js@{version}", "--pack-destination", str(cache), "--silent"],
        capture_output=True,
        text=True,
        cwd=cache,
    )
    if done.returncode != 0 or not tgz.is_file():
        raise SlidesError(f"npm pack reveal.js@{version} failed: {done.stderr.strip()}")
    return tgz


def install_reveal(folder: Path, version: str | None = None) -> Path:
    """reveal.js's files that the slides use, copied into `folder/reveal.js/`."""
    target = folder / "reveal.js"
    with tarfile.open(reveal_package(version)) as tar:
        for name in REVEAL_FILES:
            member = tar.getmember(f"package/{name}")
            source = tar.extractfile(member)
            if source is None:
                raise SlidesError(f"reveal.js package has no file {name}")
            dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(source.read())
    return target


def scene_file(slug: str) -> Path:
    """The chapter's source file, scenes/<slug>.py."""
    import scenes

    return Path(list(scenes.__path__)[0]) / f"{slug}.py"


def _key(chapter: ChapterOut, size: str, fps: str, reversed_: bool) -> str:
    """What the slides of a chapter depend on: the clip's cache key (code, parameters, quality,
    theme, manim), its size and rate, manim-slides' version, scenes/base.py, reversing."""
    import scenes

    base = (Path(list(scenes.__path__)[0]) / "base.py").read_bytes()
    parts = [
        chapter.cache_key or chapter.sha256 or "",
        size,
        fps,
        str(reversed_),
        importlib.metadata.version("manim-slides"),
        hashlib.sha256(base).hexdigest(),
        json.dumps(chapter.params, sort_keys=True),
        scene_file(chapter.slug).read_text(encoding="utf-8") if not chapter.cache_key else "",
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def slides_of(folder: Path, scene: str) -> list[object]:
    """The slides manim-slides recorded for a scene (its own config model, read back)."""
    from manim_slides.config import PresentationConfig

    return list(PresentationConfig.from_file(folder / f"{scene}.json").slides)


def render_chapter_slides(lecture: Lecture, chapter: ChapterOut, reversed_: bool = False, force: bool = False) -> bool:
    """Render one chapter as slides into OUT/<quality>/slides/; False when already current."""
    folder = lecture.root / SLIDES_DIR
    state = folder / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    size, fps = f"{lecture.size[0]},{lecture.size[1]}", f"{lecture.fps:g}"
    key = _key(chapter, size, fps, reversed_)
    key_file = state / f"{chapter.scene}.key"
    config_file = folder / f"{chapter.scene}.json"
    if (
        not force
        and key_file.is_file()
        and key_file.read_text() == key
        and config_file.is_file()
        and len(slides_of(folder, chapter.scene)) == len(chapter.sections)
    ):
        return False
    shutil.rmtree(folder / "files" / chapter.scene, ignore_errors=True)
    config_file.unlink(missing_ok=True)
    work = state / chapter.scene
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    m = lecture.manifest
    job = Job(
        module=f"scenes.{chapter.slug}", scene=chapter.scene, slug=chapter.slug, title=chapter.title,
        quality=QualitySpec(name=m.quality, width=m.width, height=m.height, fps=m.fps),
        format="mp4", transparent=False, params=m.params, work=str(work.resolve()),
        # A LaTeX cache per chapter that outlives the run; per chapter, because two manims
        # writing the same formula at once trip each other.
        tex_dir=str((state / "tex" / chapter.scene).resolve()),
        speech_dir=str((state / "speech").resolve()), entry_final=str((work / "unused").resolve()),
        key=chapter.cache_key, parts={}, voice=m.voice, slides=True,
        slides_dir=str(folder.resolve()), slides_reversed=reversed_)
    job.write(work / "job.json")
    done = subprocess.run([sys.executable, "-m", "sigsat.worker", str(work / "job.json")],
                          capture_output=True, text=True)
    if done.returncode != 0 or not config_file.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-25:])
        raise SlidesError(f"rendering {chapter.slug} as slides failed:\n{tail}")
    sidecar = Sidecar.read(work / "entry" / "sidecar.json")
    names = [s.name for s in sidecar.sections]
    if names != [s.name for s in chapter.sections]:
        raise SlidesError(
            f"{chapter.slug}: the slides' sections {names} differ from the rendered "
            f"clip's {[s.name for s in chapter.sections]}: render the lecture again"
        )
    count = len(slides_of(folder, chapter.scene))
    if count != len(names):
        raise SlidesError(
            f"{chapter.slug}: {count} slides for {len(names)} sections (a section with no animation makes no slide)"
        )
    shutil.rmtree(work / "media", ignore_errors=True)
    key_file.write_text(key)
    return True


def convert(folder: Path, scenes: list[str], dest: Path, fmt: str, options: dict[str, str]) -> None:
    """`manim-slides convert` of these scenes, in order, into `dest`."""
    cmd = [sys.executable, "-m", "manim_slides", "convert", "--to", fmt, "--folder", str(folder)]
    for k, v in options.items():
        cmd += ["-c", f"{k}={v}"]
    cmd += [*scenes, str(dest)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not dest.is_file():
        raise SlidesError(f"manim-slides convert --to {fmt} failed:\n{(done.stderr or done.stdout).strip()}")


def make_slides(
    lecture: Lecture,
    chapters: Iterable[str] = (),
    name: str = "lecture",
    html: bool = True,
    pptx: bool = True,
    jobs: int | None = None,
    reversed_: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> Deck:
    """Render the chosen chapters (all by default) as slides, then the HTML and PPTX decks."""
    wanted = set(chapters)
    unknown = wanted - {c.slug for c in lecture.chapters}
    if unknown:
        raise SlidesError(
            f"no rendered chapter {', '.join(sorted(unknown))}; rendered: {', '.join(c.slug for c in lecture.chapters)}"
        )
    chosen = [c for c in lecture.chapters if not wanted or c.slug in wanted]
    if not chosen:
        raise SlidesError("no chapters to make slides of")
    folder = lecture.root / SLIDES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)

    def one(chapter: ChapterOut) -> tuple[str, bool]:
        fresh = render_chapter_slides(lecture, chapter, reversed_, force)
        progress(f"{chapter.stem}: {'rendered' if fresh else 'current'}")
        return chapter.slug, fresh

    with ThreadPoolExecutor(max_workers=min(jobs, len(chosen))) as pool:
        results = list(pool.map(one, chosen))
    rendered = tuple(slug for slug, fresh in results if fresh)

    scenes_ = [c.scene for c in chosen]
    first, table = 0, []
    for c in chosen:
        table.append((c.slug, c.scene, first, len(c.sections)))
        first += len(c.sections)
    info = probe(lecture.opaque(chosen[0])[0])
    theme = lecture.theme
    html_file = pptx_file = None
    if html:
        html_file = folder / f"{name}.html"
        # manim-slides copies a clip only when no file of that name is there yet, and the
        # names repeat between renders: start from an empty assets folder.
        shutil.rmtree(folder / f"{name}_assets", ignore_errors=True)
        install_reveal(folder)
        background = json.loads((folder / f"{scenes_[0]}.json").read_text())["background_color"]
        convert(
            folder,
            scenes_,
            html_file,
            "html",
            {
                "cdn_url": "reveal.js",
                "reveal_version": reveal_version(),
                "reveal_theme": REVEAL_THEMES.get(theme, "black"),
                "background_color": background,
                "title": f"{lecture.title}: slides",
                "controls": "true",
                "progress": "true",
                "slide_number": "c/t",
                "hash": "true",
                "assets_dir": f"{name}_assets",
            },
        )
        _check_offline(html_file)
        progress(f"wrote {html_file}")
    if pptx:
        pptx_file = folder / f"{name}.pptx"
        # PowerPoint's own 16:9 page (13.33 x 7.5 in); the clips keep their full resolution.
        convert(
            folder,
            scenes_,
            pptx_file,
            "pptx",
            {"width": "1280", "height": str(round(1280 * info.height / info.width))},
        )
        progress(f"wrote {pptx_file}")
    deck = Deck(folder, html_file, pptx_file, tuple(table), rendered)
    deck_file = folder / f"{name}.deck.json"
    deck_file.write_text(
        json.dumps(
            {
                "html": html_file.name if html_file else None,
                "pptx": pptx_file.name if pptx_file else None,
                "chapters": [{"slug": s, "scene": sc, "first_slide": f, "slides": n} for s, sc, f, n in table],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    register(lecture, **{SLIDES_HTML: html_file, SLIDES_PPTX: pptx_file, DECK: deck_file})
    return deck


def _check_offline(html_file: Path) -> None:
    """Every script, stylesheet and video the page loads is a file beside it, none remote."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    missing = []
    for tag, attr in (("script", "src"), ("link", "href"), ("section", "data-background-video")):
        for el in soup.find_all(tag):
            ref = el.get(attr)
            if not ref:
                continue
            if "://" in str(ref) or str(ref).startswith("//") or not (html_file.parent / str(ref)).is_file():
                missing.append(str(ref))
    if missing:
        raise SlidesError(f"{html_file} refers to files that are not beside it: {missing[:5]}")
