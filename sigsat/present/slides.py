"""Step-through slides with manim-slides: every step of every chapter is one slide.

Each slide is cut from the chapter's clip (`steps.chapter_steps`: from the end of one step's
still to the next still), so it is exactly the clip's frames with the clip's narration, and it
comes to rest on the step's complete picture, never on a closing fade. No second render: the
clip already is what manim drew. The cuts go into manim-slides' own folder,
`OUT/<quality>/slides/` (`<Scene>.json`, written with manim-slides' `PresentationConfig`, and
`files/<Scene>/`), which `manim-slides present` reads as it is; `manim-slides convert` then
writes the reveal.js deck (with reveal.js copied beside it from its npm package, so the page
needs no network), optionally one self-contained HTML file, and the PPTX. Speaker notes are
each step's whole narration, from the manifest's beats.
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
from pathlib import Path

import numpy as np

from sigsat_core.contract import DECK, ContractError, Deck, DeckChapter, DeckStep, Layout, named
from sigsat_core.encode import run_ffmpeg
from sigsat_core.files import link_or_copy, replace_atomically, sha256_file
from sigsat_core.media import frames_at, probe

from ..outputs import staged, tmp_name
from .lecture import ChapterOut, Lecture, made_from, register
from .steps import Step, lecture_steps

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
# A slide's encoding: H.264 as the clips (crf a notch lower, as each cut is a second
# generation), AAC as the clips' narration; faststart for PowerPoint and browsers.
VIDEO = ("-c:v", "libx264", "-crf", "20", "-preset", "fast", "-pix_fmt", "yuv420p")
AUDIO = ("-c:a", "aac", "-b:a", "128k")
CUT_VERSION = "cut-1"  # part of every slide's key: change it when the cutting changes


class SlidesError(RuntimeError):
    """Slides could not be made (a cut failed, npm is missing, a conversion failed)."""


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


def reveal_files(version: str | None = None) -> dict[str, bytes]:
    """reveal.js's files that the slides use, by their path in the package."""
    files = {}
    with tarfile.open(reveal_package(version)) as tar:
        for name in REVEAL_FILES:
            source = tar.extractfile(tar.getmember(f"package/{name}"))
            if source is None:
                raise SlidesError(f"reveal.js package has no file {name}")
            files[name] = source.read()
    return files


def install_reveal(folder: Path, version: str | None = None) -> Path:
    """reveal.js's files that the slides use, copied into `folder/reveal.js/`."""
    target = folder / "reveal.js"
    for name, data in reveal_files(version).items():
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return target


def notes(step: Step) -> str:
    """A slide's speaker notes: the step's whole narration, one paragraph per spoken part."""
    return "\n\n".join(step.section.lines)


def _slide_name(step: Step) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in step.section.name).strip("-")
    return f"{step.section.index + 1:02d}_{safe or 'step'}"


def cut(step: Step, dest: Path) -> None:
    """The step's frames of its source (its still held while the voice finishes), with the
    narration under them, as a faststart MP4."""
    fps = step.fps
    # Input seeking while transcoding is exact: frames before the point are decoded and
    # dropped. A millisecond before the first frame's time, so rounding never drops it.
    start = max(float(step.first / fps) - 0.001, 0.0)
    video = f"setpts=PTS-STARTPTS,trim=end_frame={step.end - step.first}"
    if step.hold:
        video += f",tpad=stop_mode=clone:stop={step.hold}"
    run_ffmpeg(
        "-ss", f"{start:.6f}", "-i", str(step.source),
        "-map", "0:v:0", "-map", "0:a:0?",
        "-vf", video, "-af", "asetpts=PTS-STARTPTS",
        "-frames:v", str(step.frames), "-t", f"{float(step.frames / fps):.6f}",
        *VIDEO, *AUDIO, "-movflags", "+faststart", str(dest),
    )


def _key(chapter: ChapterOut, steps: list[Step], reversed_: bool) -> str:
    """What a chapter's slides depend on: its source, the cuts, the notes, reversing, tools."""
    source = steps[0].source if steps else chapter.clip
    parts = [
        CUT_VERSION,
        source.name,
        str(source.stat().st_size),
        str(source.stat().st_mtime_ns),
        chapter.sha256,
        str(reversed_),
        importlib.metadata.version("manim-slides"),
        json.dumps([(s.section.name, s.first, s.end, s.stop, notes(s)) for s in steps]),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def background(step: Step) -> str:
    """The theme's background colour: the commonest colour of the step's first frame."""
    (image,) = frames_at(step.source, [step.first])
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    r, g, b = (int(v) for v in colours[counts.argmax()])
    return f"#{r:02x}{g:02x}{b:02x}"


def write_chapter_slides(lecture: Lecture, chapter: ChapterOut, steps: list[Step], reversed_: bool, force: bool,
                         jobs: int) -> bool:
    """The chapter's slide clips and its manim-slides config; False when already current."""
    folder = lecture.root / Layout.SLIDES
    state = folder / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    key = _key(chapter, steps, reversed_)
    key_file = state / f"{chapter.scene}.key"
    config_file = folder / f"{chapter.scene}.json"
    if not force and key_file.is_file() and key_file.read_text() == key and config_file.is_file():
        return False
    key_file.unlink(missing_ok=True)
    files = folder / "files" / chapter.scene
    clips = [files / f"{_slide_name(s)}.mp4" for s in steps]
    reversed_clips = [c.with_name(f"{c.stem}_reversed.mp4") for c in clips] if reversed_ else clips
    # Cut beside the chapter's folder and put in its place whole: a full disk or a kill
    # leaves the previous cuts, never some of each.
    with staged(files) as staging:
        cuts = [staging / c.name for c in clips]
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(cut, steps, cuts))
        if reversed_:
            from manim_slides.utils import reverse_video_file

            for clip, rev in zip(cuts, reversed_clips, strict=True):
                reverse_video_file(clip, staging / rev.name)
    # Paths relative to the slides folder's parent, as manim-slides writes them, so the
    # folder can move.
    base = folder.parent
    config = {
        "slides": [
            {"file": c.relative_to(base).as_posix(), "rev_file": r.relative_to(base).as_posix(), "notes": notes(s)}
            for s, c, r in zip(steps, clips, reversed_clips, strict=True)
        ],
        "resolution": list(lecture.size),
        "background_color": background(steps[0]),
    }
    replace_atomically(config_file, json.dumps(config, indent=2, ensure_ascii=False).encode())
    from manim_slides.config import PresentationConfig

    PresentationConfig.from_file(config_file)  # manim-slides reads it back, or we fail here
    key_file.write_text(key)
    return True


def share_assets(assets: Path, sources: Iterable[Path]) -> int:
    """Replace each of the deck's copied clips by a hard link to the cut it copies (manim-slides
    copies every clip beside the page): one file on the disk, two names. Returns how many."""
    by_content = {(p.stat().st_size, sha256_file(p)): p for folder in sources for p in folder.glob("*.mp4")}
    shared = 0
    for asset in sorted(assets.glob("*.mp4")):
        source = by_content.get((asset.stat().st_size, sha256_file(asset)))
        if source is None or source.stat().st_ino == asset.stat().st_ino:
            continue
        link = tmp_name(asset)
        link.unlink(missing_ok=True)
        link_or_copy(source, link)
        os.replace(link, asset)
        shared += 1
    return shared


def convert(folder: Path, scenes: list[str], dest: Path, fmt: str, options: dict[str, str]) -> None:
    """`manim-slides convert` of these scenes, in order, into `dest`."""
    cmd = [sys.executable, "-m", "manim_slides", "convert", "--to", fmt, "--folder", str(folder)]
    for k, v in options.items():
        cmd += ["-c", f"{k}={v}"]
    cmd += [*scenes, str(dest)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0 or not dest.is_file():
        raise SlidesError(f"manim-slides convert --to {fmt} failed:\n{(done.stderr or done.stdout).strip()}")


# manim-slides' template mutes the first step's clip so that a browser lets it start before anyone
# has pressed a key (browsers block sound until then). The lecturer's first key press or click
# unmutes every clip, the first step's included, so every step is heard from then on.
UNMUTE_ON_FIRST_KEY = """
(function () {
  function unmute() {
    document.querySelectorAll('[data-background-video-muted]').forEach(function (s) {
      s.removeAttribute('data-background-video-muted');
    });
    document.querySelectorAll('video').forEach(function (v) { v.muted = false; });
  }
  window.addEventListener('keydown', unmute, {once: true, capture: true});
  window.addEventListener('pointerdown', unmute, {once: true, capture: true});
})();
"""


def _finish_html(page: Path, title: str, steps: list[tuple[ChapterOut, Step]],
                 inline: dict[str, bytes] | None = None) -> None:
    """The converted deck, finished: the title and the notes as plain text (the template pastes
    both into the page unescaped, the notes as Markdown, where `<` or `*` would break them), the
    page's language, the first step unmuted by the first key press, and, for the one-file deck,
    reveal.js inlined."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    if soup.html is not None:
        soup.html["lang"] = "en"
    for old in soup.find_all("title"):
        old.decompose()
    if soup.head is not None:
        tag = soup.new_tag("title")
        tag.string = title
        soup.head.insert(0, tag)
    sections = [s for s in soup.find_all("section") if s.get("data-background-video")]
    if len(sections) != len(steps):
        raise SlidesError(f"{page}: {len(sections)} slides for {len(steps)} steps")
    for section, (chapter, step) in zip(sections, steps, strict=True):
        aside = section.find("aside")
        if aside is not None:
            aside.decompose()
        section["aria-label"] = f"{chapter.title}: {step.section.heading}"
        if step.section.lines:
            aside = soup.new_tag("aside", attrs={"class": "notes"})
            for line in step.section.lines:
                p = soup.new_tag("p")
                p.string = line
                aside.append(p)
            section.append(aside)
    if soup.body is not None:
        unmute = soup.new_tag("script")
        unmute.string = UNMUTE_ON_FIRST_KEY
        soup.body.append(unmute)
    if inline is not None:
        for tag in soup.find_all(["link", "script"]):
            ref = str(tag.get("href") or tag.get("src") or "")
            name = ref.split("reveal.js/", 1)[1] if ref.startswith("reveal.js/") else None
            if name is None:
                continue
            if name not in inline:
                raise SlidesError(f"{page}: cannot inline {ref}")
            new = soup.new_tag("style" if tag.name == "link" else "script")
            new.string = inline[name].decode("utf-8")
            tag.replace_with(new)
    page.write_text(str(soup), encoding="utf-8")


def make_slides(
    lecture: Lecture,
    chapters: Iterable[str] = (),
    name: str = "lecture",
    html: bool = True,
    pptx: bool = True,
    one_file: bool = False,
    jobs: int | None = None,
    reversed_: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Deck, Path, tuple[str, ...]]:
    """Cut the chosen chapters (all by default) into slides, then write the decks; returns the
    deck's record, where it is, and the chapters whose slides were cut this time."""
    wanted = list(dict.fromkeys(chapters))
    known = {c.slug for c in lecture.chapters}
    unknown = [slug for slug in wanted if slug not in known]
    if unknown:
        raise SlidesError(
            f"no rendered chapter {', '.join(unknown)}; rendered: {', '.join(c.slug for c in lecture.chapters)}"
        )
    chosen = tuple(c for c in lecture.chapters if not wanted or c.slug in wanted)
    if not chosen:
        raise SlidesError("no chapters to make slides of")
    folder = lecture.root / Layout.SLIDES
    folder.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    all_steps = lecture_steps(lecture, chosen)
    rendered = []
    for chapter in chosen:
        if write_chapter_slides(lecture, chapter, all_steps[chapter.slug], reversed_, force, jobs):
            rendered.append(chapter.slug)
            progress(f"{chapter.stem}: {len(all_steps[chapter.slug])} slides cut")
        else:
            progress(f"{chapter.stem}: current")

    scenes_ = [c.scene for c in chosen]
    ordered = [(c, s) for c in chosen for s in all_steps[c.slug]]
    table, first = [], 0
    for c in chosen:
        steps = all_steps[c.slug]
        clips = [folder / "files" / c.scene / f"{_slide_name(s)}.mp4" for s in steps]
        table.append(DeckChapter(slug=c.slug, scene=c.scene, first_slide=first, steps=[
            DeckStep(section=s.section.name, heading=s.section.heading, file=lecture.rel(f),
                     start=s.start_time, end=s.end_time, still=s.still_time)
            for s, f in zip(steps, clips, strict=True)]))
        first += len(steps)
    theme = lecture.theme
    title = f"{lecture.title}: slides"
    html_file = pptx_file = one_file_path = None
    reveal = {
        "cdn_url": "reveal.js",
        "reveal_version": reveal_version(),
        "reveal_theme": REVEAL_THEMES.get(theme, "black"),
        "background_color": json.loads((folder / f"{scenes_[0]}.json").read_text())["background_color"],
        # The user's title goes in afterwards, escaped (`_finish_html`): manim-slides pastes it
        # into the page as it is, and a `=` in it breaks its `-c key=value` option.
        "title": "slides",
        "controls": "true",
        "progress": "true",
        "slide_number": "c/t",
        "hash": "true",
    }
    if html:
        html_file = folder / f"{name}.html"
        # manim-slides copies a clip only when no file of that name is there yet, and the
        # names repeat between renders: start from an empty assets folder.
        shutil.rmtree(folder / f"{name}_assets", ignore_errors=True)
        install_reveal(folder)
        convert(folder, scenes_, html_file, "html", {**reveal, "assets_dir": f"{name}_assets"})
        share_assets(folder / f"{name}_assets", [folder / "files" / c.scene for c in chosen])
        _finish_html(html_file, title, ordered)
        _check_offline(html_file)
        progress(f"wrote {html_file}")
    if one_file:
        one_file_path = folder / f"{name}.one-file.html"
        convert(folder, scenes_, one_file_path, "html", {**reveal, "one_file": "true"})
        _finish_html(one_file_path, title, ordered, inline=reveal_files())
        _check_offline(one_file_path)
        progress(f"wrote {one_file_path}")
    if pptx:
        pptx_file = folder / f"{name}.pptx"
        info = probe(ordered[0][1].source)
        # PowerPoint's own 16:9 page (13.33 x 7.5 in); the clips keep their full resolution.
        convert(folder, scenes_, pptx_file, "pptx",
                {"width": "1280", "height": str(round(1280 * info.height / info.width))})
        _rest_posters(pptx_file, [s for _, s in ordered])
        progress(f"wrote {pptx_file}")
    deck_file = folder / f"{name}.deck.json"
    # A format not written this time stays in the record while its file is there and was made
    # from these very slides (no chapter cut again, the same steps): `slides --no-pptx` after
    # `slides` keeps the PPTX.
    earlier = _earlier_deck(deck_file) if not rendered else None
    same = earlier is not None and earlier.chapters == table

    def kept(written: Path | None, before: str | None) -> str | None:
        if written is not None:
            return lecture.rel(written)
        return before if same and before and (lecture.root / before).is_file() else None

    deck = Deck(name=name, html=kept(html_file, earlier.html if earlier else None),
                pptx=kept(pptx_file, earlier.pptx if earlier else None),
                one_file=kept(one_file_path, earlier.one_file if earlier else None), chapters=table,
                made_from=made_from(chosen))
    deck.write(deck_file)
    register(lecture, **{named(DECK, name): deck_file})
    return deck, deck_file, tuple(rendered)


def _rest_posters(pptx_file: Path, steps: list[Step]) -> None:
    """Each PPTX slide's poster (what thumbnails, print and PDF export show) becomes the frame
    its step comes to rest on: manim-slides takes the clip's first frame, which is the previous
    step's picture, or an empty stage where a chapter opens."""
    import io

    from pptx import Presentation

    prs = Presentation(str(pptx_file))
    if len(prs.slides) != len(steps):
        raise SlidesError(f"{pptx_file}: {len(prs.slides)} slides for {len(steps)} steps")
    by_source: dict[Path, list[int]] = {}
    for i, step in enumerate(steps):
        by_source.setdefault(step.source, []).append(i)
    stills: dict[int, bytes] = {}
    for source, indices in by_source.items():
        for i, image in zip(indices, frames_at(source, [steps[i].still for i in indices]), strict=True):
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            stills[i] = buffer.getvalue()
    for i, slide in enumerate(prs.slides):
        blips = slide.shapes._spTree.xpath(".//p:pic//a:blip")
        if len(blips) != 1:
            raise SlidesError(f"{pptx_file}: slide {i + 1} has {len(blips)} pictures, not one clip")
        first_frame = blips[0].rEmbed
        _, r_id = slide.part.get_or_add_image_part(io.BytesIO(stills[i]))
        blips[0].rEmbed = r_id
        slide.part.drop_rel(first_frame)  # the first frame's image goes with its last reference
    prs.save(str(pptx_file))


def _earlier_deck(path: Path) -> Deck | None:
    """The deck record an earlier `slides` run wrote at `path`, if it can be read."""
    try:
        return Deck.read(path) if path.is_file() else None
    except ContractError:
        return None


def _check_offline(html_file: Path) -> None:
    """Every script, stylesheet and video the page loads is inline or a file beside it, none remote."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    missing = []
    for tag, attr in (("script", "src"), ("link", "href"), ("section", "data-background-video")):
        for el in soup.find_all(tag):
            ref = str(el.get(attr) or "")
            if not ref or ref.startswith("data:"):
                continue
            if "://" in ref or ref.startswith("//") or not (html_file.parent / ref).is_file():
                missing.append(ref)
    if missing:
        raise SlidesError(f"{html_file} refers to files that are not beside it: {missing[:5]}")

