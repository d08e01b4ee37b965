"""Slides, PPTX, handout, clips for decks and the index page, made from the whole lecture
rendered tiny, with its voice.

The decks are read back with the tools that read them in real life: manim-slides' own config
model, python-pptx, pypdf, LibreOffice; the pages are opened in a real headless Chromium from
`file://`, as a lecturer opens them from disk.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from sigsat.present import load_lecture, present_group
from sigsat_core.contract import Deck, Embeds, Handout
from sigsat_core.media import frames_at, is_faststart, probe

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def own_copy(tiny_out: Path, presented: dict[str, str], tmp_path: Path) -> Path:
    """A copy of the presented lecture for a test that changes it (the others read the shared
    one, maybe at the same time in another worker)."""
    dest = tmp_path / "out" / tiny_out.name
    shutil.copytree(tiny_out, dest)  # keeps the files' times: the slides stay current
    return dest


def steps_of(out: Path) -> list[tuple[Any, Any]]:
    """(chapter, section) of every step of the lecture, in order."""
    return [(c, s) for c in load_lecture(out).chapters for s in c.sections]


def deck(out: Path, name: str = "lecture") -> Deck:
    return Deck.read(out / "slides" / f"{name}.deck.json")


def has_voice(path: Path) -> float:
    """The loudest sample of a file's audio (0 when it has none)."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return 0.0
        peak = 0.0
        for frame in container.decode(audio=0):
            peak = max(peak, float(np.abs(frame.to_ndarray()).max()))
        return peak


def blankness(image: Image.Image, background: np.ndarray) -> float:
    """The share of pixels that differ clearly from the background."""
    a = np.asarray(image.convert("RGB"), dtype=np.int16)
    return float((np.abs(a - background).max(axis=2) > 40).mean())


def test_the_deck_has_every_chapter_and_a_slide_per_step(tiny_out, presented):
    from manim_slides.config import PresentationConfig

    lecture = load_lecture(tiny_out)
    assert len(lecture.chapters) == 9
    d = deck(tiny_out)
    assert [c.slug for c in d.chapters] == [c.slug for c in lecture.chapters]
    first = 0
    for chapter, row in zip(lecture.chapters, d.chapters, strict=True):
        config = PresentationConfig.from_file(tiny_out / "slides" / f"{chapter.scene}.json")
        assert len(config.slides) == len(chapter.sections) == len(row.steps), chapter.slug
        assert row.first_slide == first
        first += len(row.steps)
        fps = probe(chapter.clip).fps
        # The steps tile the chapter: each starts where the previous one rested.
        assert row.steps[0].start == 0.0
        for a, b in zip(row.steps, row.steps[1:], strict=False):
            assert b.start == pytest.approx(a.end)
        for slide, section, step in zip(config.slides, chapter.sections, row.steps, strict=True):
            assert slide.file.is_file()
            # The whole narration of the step, every beat and every `say`, in the notes.
            assert slide.notes == "\n\n".join(section.lines)
            assert probe(slide.file).frames == round((step.end - step.start) * fps)
            assert step.start <= section.start + 1e-6 and step.still <= section.end + 1e-6
    assert "9 chapters" in presented["slides"]


def test_every_step_comes_to_rest_on_its_content(tiny_out, presented):
    """The last frame of every step's video is not blank, and it is the handout's still."""
    handout = Handout.read(tiny_out / "handout" / "handout.json")
    pages = {(p.slug, p.section): p for p in handout.pages}
    lecture = load_lecture(tiny_out)
    sections = {(c.slug, s.name): s for c in lecture.chapters for s in c.sections}
    recorded = 0
    for row in deck(tiny_out).chapters:
        for step in row.steps:
            # The frame the scene recorded as the step's last animation's end (fades and
            # waits aside), not a frame judged by its ink.
            section = sections[(row.slug, step.section)]
            if section.rest is not None:
                recorded += 1
                frame = 1 / lecture.manifest.fps
                assert section.start <= section.rest <= section.end + 1e-6
                assert step.still == pytest.approx(max(section.rest - frame, section.start), abs=1e-3), step.file
            clip = tiny_out / step.file
            first, last = frames_at(clip, [0, -1])
            background = np.asarray(first.convert("RGB")).reshape(-1, 3)
            colours, counts = np.unique(background, axis=0, return_counts=True)
            bg = colours[counts.argmax()].astype(np.int16)
            assert blankness(last, bg) > 0.003, f"{step.file} rests on an empty frame"
            page = pages[(row.slug, step.section)]
            assert page.time == pytest.approx(step.still)
            still = np.asarray(Image.open(tiny_out / page.frame).convert("RGB"), dtype=np.int16)
            assert np.abs(np.asarray(last.convert("RGB"), dtype=np.int16) - still).mean() < 6, step.file
    assert recorded >= len(sections) - 3  # nearly every step animates something of its own


def test_every_slide_speaks_its_stretch_of_the_narration(tiny_out, presented):
    lecture = load_lecture(tiny_out)
    for chapter, row in zip(lecture.chapters, deck(tiny_out).chapters, strict=True):
        spoken = {b.section for b in chapter_beats(tiny_out, chapter.slug) if b.speech > 0.3}
        for step in row.steps:
            clip = tiny_out / step.file
            with av.open(str(clip)) as c:
                assert [s.codec_context.name for s in c.streams.audio] == ["aac"], step.file
            assert is_faststart(clip)
            if step.section in spoken:
                assert has_voice(clip) > 0.05, f"{step.file}: the step's narration is missing"


def chapter_beats(out: Path, slug: str) -> list[Any]:
    return next(c.beats for c in load_lecture(out).manifest.chapters if c.slug == slug)


def test_pptx_embeds_one_clip_per_step_with_notes(tiny_out, presented, tmp_path):
    import pptx
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    path = tiny_out / "slides" / "lecture.pptx"
    steps = steps_of(tiny_out)
    with zipfile.ZipFile(path) as z:  # the clips are inside the file, not linked
        clips = [n for n in z.namelist() if n.endswith(".mp4")]
        assert len(clips) == len(steps)
        for name in clips:  # each with its narration
            clip = Path(z.extract(name, tmp_path))
            with av.open(str(clip)) as c:
                assert [s.codec_context.name for s in c.streams.audio] == ["aac"], name
    presentation = pptx.Presentation(str(path))
    slides = list(presentation.slides)
    assert len(slides) == len(steps)
    assert presentation.slide_width * 9 == presentation.slide_height * 16  # 16:9, PowerPoint's own size
    for slide, (_, section) in zip(slides, steps, strict=True):
        movies = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        assert slide.notes_slide.notes_text_frame.text == "\n\n".join(section.lines)
    # Each slide's poster (thumbnails, print, PDF export) is the frame its step rests on, as the
    # handout shows it, not the clip's first frame (the step before, or an empty stage).
    from sigsat.present.steps import lecture_steps

    lecture = load_lecture(tiny_out)
    rests = [s for c in lecture.chapters for s in lecture_steps(lecture)[c.slug]]
    first_frames_differ = 0
    for i, (slide, step) in enumerate(zip(slides, rests, strict=True)):
        (blip,) = slide.shapes._spTree.xpath(".//p:pic//a:blip")
        poster = np.asarray(Image.open(io.BytesIO(slide.part.related_part(blip.rEmbed).blob)).convert("RGB"))
        rest, first = (np.asarray(f.convert("RGB")) for f in frames_at(step.source, [step.still, step.first]))
        assert np.array_equal(poster, rest), f"slide {i + 1}"
        first_frames_differ += not np.array_equal(rest, first)
    assert first_frames_differ > len(rests) // 2  # the test can tell a first frame from a resting one


def test_html_deck_is_offline_with_notes_as_text(tiny_out, presented):
    from bs4 import BeautifulSoup

    page = tiny_out / "slides" / "lecture.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    sections = [s for s in soup.find_all("section") if s.get("data-background-video")]
    steps = steps_of(tiny_out)
    assert len(sections) == len(steps)
    refs = (
        [s["data-background-video"] for s in sections]
        + [s["src"] for s in soup.find_all("script") if s.get("src")]
        + [link["href"] for link in soup.find_all("link") if link.get("href")]
    )
    for ref in refs:
        assert "://" not in ref and (page.parent / ref).is_file(), ref
    assert "reveal.js/dist/reveal.js" in refs
    for section, (chapter, step) in zip(sections, steps, strict=True):
        notes = section.find("aside", class_="notes")
        assert [p.get_text() for p in notes.find_all("p")] == list(step.lines)
        assert section["aria-label"] == f"{chapter.title}: {step.heading}"
    # Each clip the page plays is the step's cut itself (a hard link), not a second copy of it.
    cuts = {p.stat().st_ino: p for p in (tiny_out / "slides" / "files").rglob("*.mp4")}
    for section in sections:
        assert (page.parent / section["data-background-video"]).stat().st_ino in cuts


def test_slides_again_are_current_and_keep_the_formats_not_written_this_time(own_copy):
    before = deck(own_copy)
    assert before.html and before.pptx and before.one_file
    result = CliRunner().invoke(present_group, ["slides", "--out", str(own_copy), "--no-pptx"])
    assert result.exit_code == 0, result.output
    chapters = len(load_lecture(own_copy).chapters)
    assert "cut" not in result.output and result.output.count(": current") == chapters
    # The PPTX and the one-file deck of the first run are still the deck's, and linked.
    after = deck(own_copy)
    assert (after.html, after.pptx, after.one_file) == (before.html, before.pptx, before.one_file)
    index = (own_copy / "index.html").read_text()
    assert f'href="{after.pptx}"' in index and f'href="{after.one_file}"' in index


def test_a_named_deck_of_some_chapters_is_linked_from_the_index(own_copy):
    args = ["slides", "--out", str(own_copy), "--name", "two", "--chapter", "problem1_sigma_prime",
            "--chapter", "sigmoid_curves", "--no-pptx"]
    result = CliRunner().invoke(present_group, args)
    assert result.exit_code == 0, result.output
    two = deck(own_copy, "two")
    assert [c.slug for c in two.chapters] == ["sigmoid_curves", "problem1_sigma_prime"]
    page = (own_copy / "index.html").read_text()
    assert 'href="slides/two.html"' in page and 'href="slides/lecture.html"' in page
    # The steps link into the whole lecture's deck.
    assert 'href="slides/lecture.html#/' in page


def test_handout_pages_bookmarks_and_headings(tiny_out, presented):
    from pypdf import PdfReader

    reader = PdfReader(str(tiny_out / "handout" / "handout.pdf"))
    steps = steps_of(tiny_out)
    assert len(reader.pages) == len(steps)
    for page, (chapter, section) in zip(reader.pages, steps, strict=True):
        text = " ".join(page.extract_text().split())
        assert chapter.title in text
        assert section.heading in text and "_" not in section.heading
        assert " ".join(section.lines[0].split()[:6]) in text
        assert "the picture, and every number on it, as at" in text  # its moment
    outline = reader.outline
    chapters = [o for o in outline if not isinstance(o, list)]
    assert [o.title for o in chapters] == [f"{c.number}. {c.title}" for c in load_lecture(tiny_out).chapters]
    kids = [o for group in outline if isinstance(group, list) for o in group]
    assert len(kids) == len(steps)
    frames = sorted((tiny_out / "handout" / "frames").glob("*.png"))
    assert len(frames) == len(steps)
    assert Image.open(frames[0]).size == (192, 108)


def _edges(png: Path) -> np.ndarray:
    """A picture's edge strength, pixel by pixel: the same in any theme where the shapes are."""
    a = np.asarray(Image.open(png).convert("L"), dtype=float)
    return np.hypot(np.abs(np.diff(a, axis=1))[:-1], np.abs(np.diff(a, axis=0))[:, :-1]).ravel()


def test_handout_in_the_light_theme_for_print(own_copy, monkeypatch):
    dark = own_copy / "handout" / "handout.pdf"
    dark_bytes = dark.read_bytes()
    result = CliRunner().invoke(present_group, ["handout", "--out", str(own_copy), "--theme", "light"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    # Beside the rendered handout, never over it.
    record = Handout.read(own_copy / "handout" / "handout-light.json")
    dark_record = Handout.read(own_copy / "handout" / "handout.json")
    assert dark.read_bytes() == dark_bytes and dark_record.theme == "dark"
    assert record.theme == "light" and len(record.pages) == len(steps_of(own_copy))
    for page in record.pages:
        pixels = np.asarray(Image.open(own_copy / page.frame).convert("L"))
        assert np.median(pixels) > 200, page.frame  # a light background: little toner
    # Each light picture is its step at rest: the shapes of the dark handout's frame of the same
    # step (taken from the clip where the step rests), in other colours; not a frame of the
    # step's animation half-way, nor a neighbour's picture.
    light = np.array([_edges(own_copy / p.frame) for p in record.pages])
    shown = np.array([_edges(own_copy / p.frame) for p in dark_record.pages])
    agree = np.corrcoef(light, shown)[:len(light), len(light):]
    for k, page in enumerate(record.pages):
        assert agree[k, k] >= 0.85 and agree[k, k] >= agree[k].max() - 0.02, (page.frame, agree[k, k])
    # The videos are not changed, and the index links both handouts.
    assert load_lecture(own_copy).theme == "dark"
    index = (own_copy / "index.html").read_text()
    assert 'href="handout/handout-light.pdf"' in index and 'href="handout/handout.pdf"' in index
    # Kept in the render cache (OUT/.cache, as `render` uses), one entry per chapter, and
    # `clean` keeps what a handout shows; a second light handout replays nothing.
    store = own_copy.parent / ".cache" / "stills"
    assert sorted(record.stills) == sorted(p.name for p in store.iterdir())
    assert len(record.stills) == len(load_lecture(own_copy).chapters)
    assert not (own_copy / "handout" / ".light").exists()
    from sigsat import stills
    from sigsat.cli import main

    cleaned = CliRunner().invoke(main, ["clean", "--out", str(own_copy.parent)])
    assert cleaned.exit_code == 0, cleaned.output
    assert sorted(record.stills) == sorted(p.name for p in store.iterdir())

    def no_replay(*args: object) -> None:
        raise AssertionError("replayed a chapter whose pictures are in the cache")

    monkeypatch.setattr(stills, "_replay", no_replay)
    again = CliRunner().invoke(present_group, ["handout", "--out", str(own_copy), "--theme", "light"])
    assert again.exit_code == 0, again.output + repr(again.exception)
    assert Handout.read(own_copy / "handout" / "handout-light.json").pages == record.pages
    cleaned = CliRunner().invoke(main, ["clean", "--all", "--out", str(own_copy.parent)])
    assert cleaned.exit_code == 0 and not list(store.iterdir()), cleaned.output


def test_a_render_that_changes_a_chapter_says_which_decks_and_handouts_are_stale(own_copy, tiny_out):
    from tests.conftest import DRAFT_VOICE
    from tests.render.conftest import sigsat

    # Problem 2 alone reads the key: one chapter renders, from the session lecture's cache.
    done = sigsat("render", "-q", "tiny", "--set", "problem2.gradient=0.25", *DRAFT_VOICE,
                  "--out", str(own_copy.parent), "--cache", str(tiny_out.parent / ".cache"))
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "earlier render" in line]
    assert len(said) == 1, done.stderr
    assert "slides 'lecture'" in said[0] and "handout 'handout'" in said[0] and "clips for decks" in said[0]
    index = (own_copy / "index.html").read_text()
    assert "Made from an earlier render" in index
    assert 'href="slides/lecture.html"' not in index and 'href="handout/handout.pdf"' not in index
    # Made again, the handout shows this render and is linked again; the deck is still stale.
    result = CliRunner().invoke(present_group, ["handout", "--out", str(own_copy)])
    assert result.exit_code == 0, result.output
    index = (own_copy / "index.html").read_text()
    assert 'href="handout/handout.pdf"' in index and 'href="slides/lecture.html"' not in index


def test_clips_for_decks_keep_the_voice_and_loops_are_silent(tiny_out, presented):
    embed = tiny_out / "embed"
    record = Embeds.read(embed / "embed.json")
    assert [e.slug for e in record.chapters] == [c.slug for c in load_lecture(tiny_out).chapters]
    for chapter, row in zip(load_lecture(tiny_out).chapters, record.chapters, strict=True):
        mp4 = tiny_out / row.mp4
        info = probe(mp4)
        assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
        assert is_faststart(mp4)
        assert info.frames == probe(chapter.clip).frames
        assert has_voice(mp4) > 0.05, row.mp4
    gif = Image.open(embed / "loop-sigma-prime-sweep.gif")
    assert gif.info.get("loop") == 0  # forever
    assert gif.n_frames > 20 and gif.size[0] == 192
    loop = embed / "loop-sigma-prime-sweep.mp4"
    assert is_faststart(loop) and has_voice(loop) == 0.0
    # As long as the chapter's loop says (there and back for a sweep).
    (sweep,) = [lp for c in load_lecture(tiny_out).chapters for lp in c.loops if lp.name == "sigma-prime-sweep"]
    assert probe(loop).duration == pytest.approx(sweep.length * (2 if sweep.pingpong else 1), abs=0.3)
    # The GIF plays in real time: its delays (whole hundredths of a second) alternate 60 and 70 ms
    # so that 15 frames last one second, not 70 ms each (14.3 fps, 5 % slow).
    delays = []
    for k in range(gif.n_frames):
        gif.seek(k)
        delays.append(gif.info["duration"])
    assert set(delays) <= {60, 70} and sum(delays) / 1000 == pytest.approx(len(delays) / 15, abs=0.02)
    assert sum(delays) / 1000 == pytest.approx(probe(loop).duration, abs=0.1)


def browser(width: int = 1280, height: int = 1800):
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        pytest.skip("needs Debian's chromium and chromium-driver (./render.sh test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="sigsat-chromium-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        # No network at all: whatever the page needs must be on disk.
        "--proxy-server=http://0.0.0.0:9",
        "--proxy-bypass-list=<-loopback>",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # Headless windows are at least 500 px wide: the viewport is set as a phone's would be.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver, profile


VIDEOS_JS = """
const done = arguments[arguments.length - 1];
const videos = Array.from(document.querySelectorAll('video'));
const settle = v => new Promise(ok => {
  const t = v.textTracks[0];
  const ready = () => v.readyState >= 1 && (!t || (t.cues && t.cues.length > 0));
  const poll = () => (ready() || v.error) ? ok() : setTimeout(poll, 100);
  setTimeout(ok, 20000); poll();
});
Promise.all(videos.map(settle)).then(() => done(videos.map(v => ({
  id: v.id, src: v.currentSrc, ready: v.readyState, error: v.error ? v.error.code : null,
  duration: v.duration, tracks: v.textTracks.length,
  mode: v.textTracks.length ? v.textTracks[0].mode : null,
  cues: v.textTracks.length && v.textTracks[0].cues ? v.textTracks[0].cues.length : 0}))));
"""

LAYOUT_JS = """
const page = document.documentElement;
const cells = Array.from(document.querySelectorAll('.grid > div, header, main, section'));
return {scroll: page.scrollWidth, width: window.innerWidth,
        spill: cells.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className || e.tagName)};
"""


def test_index_page_in_headless_chromium(tiny_out, presented, tmp_path):
    driver, profile = browser()
    try:
        driver.get((tiny_out / "index.html").as_uri())
        videos = driver.execute_async_script(VIDEOS_JS)
        lecture = load_lecture(tiny_out)
        assert len(videos) == len(lecture.chapters) + 1  # each chapter and the whole lecture
        for v in videos:
            assert v["error"] is None and v["ready"] >= 1, v
            assert v["src"].startswith("file://") and v["duration"] > 0 and v["tracks"] == 1, v
            # Captions load from disk, and are on.
            assert v["cues"] > 0 and v["mode"] == "showing", v
        shown = driver.execute_script(
            "return Array.from(document.querySelectorAll('section.chapter')).map(s => [s.dataset"
            ".chapter, s.querySelector('h2').innerText, s.getBoundingClientRect().height])"
        )
        assert [s[0] for s in shown] == [c.slug for c in lecture.chapters]
        text = driver.find_element("tag name", "body").text
        for chapter in lecture.chapters:
            for row in chapter.ledger:
                assert row.text in text
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert all(r.startswith(("file://", "data:")) for r in resources), resources
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_index_page_fits_and_names_everything(tiny_out, presented, tmp_path, width):
    driver, profile = browser(width, 900)
    try:
        driver.get((tiny_out / "index.html").as_uri())
        layout = driver.execute_script(LAYOUT_JS)
        driver.save_screenshot(str(tmp_path / f"index-{width}.png"))
        assert layout["width"] == width
        assert layout["scroll"] <= layout["width"], layout
        assert layout["spill"] == [], layout
        # An axe-style check: every video, button and link has an accessible name, and the
        # time buttons say what they play.
        names: dict[str, list[str]] = {}
        for tag in ("video", "button", "a"):
            for element in driver.find_elements("tag name", tag):
                names.setdefault(tag, []).append(element.accessible_name.strip())
        for tag, found in names.items():
            assert all(found), f"a {tag} without an accessible name"
        buttons = names["button"]
        assert len(set(buttons)) == len(buttons)
        assert all(re.search(r"play .* from \d+:\d\d", b) for b in buttons), buttons[:3]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


DECK_JS = """
const done = arguments[arguments.length - 1];
const wait = (test, then) => { const t0 = Date.now(); const go = () =>
  (test() || Date.now() - t0 > 20000) ? then() : setTimeout(go, 100); go(); };
const video = () => { const s = Reveal.getCurrentSlide().slideBackgroundContentElement;
  return s ? s.querySelector('video') : null; };
wait(() => window.Reveal && Reveal.isReady() && video() && video().readyState >= 2, () => {
  const v = video();
  done({total: Reveal.getTotalSlides(), index: Reveal.getIndices().h,
        ready: v ? v.readyState : -1, src: v ? v.currentSrc.slice(0, 30) : null,
        scripts: document.querySelectorAll('script[src], link[href]').length});
});
"""


HEARD_JS = """
const done = arguments[arguments.length - 1];
const v = Reveal.getCurrentSlide().slideBackgroundContentElement.querySelector('video');
const t0 = Date.now();
const go = () => (v.webkitAudioDecodedByteCount > 0 || Date.now() - t0 > 20000)
  ? done([v.muted, v.webkitAudioDecodedByteCount]) : setTimeout(go, 100);
v.play(); go();"""


def test_html_deck_in_headless_chromium_and_its_keys(tiny_out, presented):
    from selenium.webdriver.common.keys import Keys

    driver, profile = browser(1280, 720)
    try:
        # manim-slides' template mutes the first slide's clip, so that the browser lets it
        # start before any key is pressed; the first key press unmutes it (the README says so).
        driver.get((tiny_out / "slides" / "lecture.html").as_uri())
        state = driver.execute_async_script(DECK_JS)
        first_muted = "return Reveal.getCurrentSlide().slideBackgroundContentElement.querySelector('video').muted"
        assert state["index"] == 0 and driver.execute_script(first_muted) is True
        body = driver.find_element("tag name", "body")
        body.send_keys(Keys.ARROW_RIGHT)
        time.sleep(0.5)
        body.send_keys(Keys.ARROW_LEFT)
        state = driver.execute_async_script(DECK_JS)
        assert state["index"] == 0 and driver.execute_script(first_muted) is False
        heard_first = driver.execute_async_script(HEARD_JS)
        assert heard_first[0] is False and heard_first[1] > 0, heard_first
        driver.execute_script("Reveal.slide(1)")
        state = driver.execute_async_script(DECK_JS)
        assert state["total"] == len(steps_of(tiny_out)) and state["index"] == 1, state
        assert state["ready"] >= 2, state
        # The step is heard: its clip is not muted and its sound is decoded as it plays.
        heard = driver.execute_async_script(HEARD_JS)
        assert heard[0] is False and heard[1] > 0, heard
        body = driver.find_element("tag name", "body")
        # Space plays and pauses the step's clip (it stays on the slide); the right arrow goes on.
        paused = driver.execute_script("return Reveal.getCurrentSlide().slideBackgroundContentElement"
                                       ".querySelector('video').paused")
        body.send_keys(Keys.SPACE)
        time.sleep(0.5)
        after = driver.execute_script("return [Reveal.getIndices().h, Reveal.getCurrentSlide()"
                                      ".slideBackgroundContentElement.querySelector('video').paused]")
        assert after == [1, not paused]
        body.send_keys(Keys.ARROW_RIGHT)
        time.sleep(0.5)
        assert driver.execute_script("return Reveal.getIndices().h") == 2
        body.send_keys(Keys.ARROW_LEFT)
        time.sleep(0.5)
        assert driver.execute_script("return Reveal.getIndices().h") == 1
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_one_file_deck_opens_offline(tiny_out, presented, tmp_path):
    from bs4 import BeautifulSoup

    source = tiny_out / "slides" / "lecture.one-file.html"
    alone = tmp_path / "sent-by-email.html"  # nothing beside it
    shutil.copy(source, alone)
    soup = BeautifulSoup(alone.read_text(), "html.parser")
    assert not soup.find_all("script", src=True) and not soup.find_all("link", href=True)
    videos = [s["data-background-video"] for s in soup.find_all("section") if s.get("data-background-video")]
    assert len(videos) == len(steps_of(tiny_out)) and all(v.startswith("data:video/mp4;base64,") for v in videos)
    driver, profile = browser(1280, 720)
    try:
        driver.get(alone.as_uri() + "#/3")
        state = driver.execute_async_script(DECK_JS)
        assert state["total"] == len(videos) and state["index"] == 3, state
        assert state["ready"] >= 2 and state["src"].startswith("data:video/mp4"), state
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_pptx_opens_in_libreoffice_with_every_poster(tiny_out, presented, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("needs LibreOffice Impress (./render.sh test installs libreoffice-impress)")
    from pypdf import PdfReader

    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(tiny_out / "slides" / "lecture.pptx")],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    reader = PdfReader(str(tmp_path / "lecture.pdf"))
    steps = [tiny_out / s.file for row in deck(tiny_out).chapters for s in row.steps]
    assert len(reader.pages) == len(steps)
    for page, clip in zip(reader.pages, steps, strict=True):
        # The images the page draws (its resources may list every image of the deck).
        drawn = re.findall(rb"/([^\s/]+)\s+Do", page.get_contents().get_data())
        assert len(drawn) == 1, clip  # the clip's poster frame, drawn
        poster = page.images[f"/{drawn[0].decode()}"].image.convert("RGB").resize((192, 108))
        # The poster is the frame the step rests on: its slide clip ends there.
        (rest,) = frames_at(clip, [-1])
        difference = np.abs(np.asarray(poster, dtype=np.int16) - np.asarray(rest.convert("RGB"), dtype=np.int16))
        assert difference.mean() < 8, clip


def test_every_link_on_the_index_page_resolves(tiny_out, presented):
    page = (tiny_out / "index.html").read_text()
    refs = re.findall(r'(?:href|src)="([^"#]+)', page)
    assert refs
    for ref in refs:
        if ref.startswith("data:"):
            continue
        assert "://" not in ref and (tiny_out / ref).is_file(), ref
    extras = json.loads((tiny_out / "extras.json").read_text())["files"]
    assert {"slides:lecture", "handout:handout", "embed"} <= set(extras)


def test_readme_beamer_recipe_compiles(tiny_out, presented, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("needs pdflatex (render.sh installs texlive-latex-base)")
    from pypdf import PdfReader

    readme = (Path(__file__).resolve().parents[2] / "docs" / "presenting.md").read_text()
    recipe = readme.split("**Beamer.**", 1)[1].split("```latex", 1)[1].split("```", 1)[0]
    (tiny_out / "beamer-recipe.tex").write_text(recipe)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp_path}",
         "beamer-recipe.tex"],
        cwd=tiny_out, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert len(PdfReader(str(tmp_path / "beamer-recipe.pdf")).pages) == 3
