"""Slides, PPTX, handout, clips for decks and the index page, made from a tiny rendered lecture.

The decks are read back with the tools that read them in real life: manim-slides' own config
model, python-pptx, pypdf; the pages are opened in a real headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from sigsat.media import is_faststart, probe
from sigsat.present import load_lecture, present_group

pytestmark = pytest.mark.slow

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def presented(tiny_out: Path) -> dict[str, str]:
    """slides, handout and embed run on the tiny lecture (once), with what each printed."""
    runner = CliRunner()
    printed = {}
    for command in ("slides", "handout", "embed"):
        result = runner.invoke(present_group, [command, "--out", str(tiny_out.parent)])
        assert result.exit_code == 0, result.output + repr(result.exception)
        printed[command] = result.output
    return printed


def total_sections(out: Path) -> int:
    return sum(len(c.sections) for c in load_lecture(out).chapters)


def test_manim_slides_config_has_one_slide_per_section(tiny_out, presented):
    from manim_slides.config import PresentationConfig

    for chapter in load_lecture(tiny_out).chapters:
        config = PresentationConfig.from_file(tiny_out / "slides" / f"{chapter.scene}.json")
        assert len(config.slides) == len(chapter.sections), chapter.slug
        for slide, section in zip(config.slides, chapter.sections, strict=True):
            assert slide.file.is_file()
            assert slide.notes == "\n\n".join(section.lines)
        # Slide clips add up to the chapter: each slide is exactly its section.
        durations = [probe(s.file).frames for s in config.slides]
        fps = probe(chapter.clip).fps
        assert durations == [round((s.end - s.start) * fps) for s in chapter.sections]


def test_pptx_embeds_one_clip_per_section(tiny_out, presented):
    import pptx
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    path = tiny_out / "slides" / "lecture.pptx"
    with zipfile.ZipFile(path) as z:  # the clips are inside the file, not linked
        assert len([n for n in z.namelist() if n.endswith(".mp4")]) == total_sections(tiny_out)
    deck = pptx.Presentation(str(path))
    slides = list(deck.slides)
    assert len(slides) == total_sections(tiny_out)
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9, PowerPoint's own size
    notes = [s.notes_slide.notes_text_frame.text for s in slides]
    sections = [s for c in load_lecture(tiny_out).chapters for s in c.sections]
    for slide, section, note in zip(slides, sections, notes, strict=True):
        movies = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(movies) == 1
        assert note == "\n\n".join(section.lines)


def test_html_deck_is_offline_and_has_one_slide_per_section(tiny_out, presented):
    from bs4 import BeautifulSoup

    page = tiny_out / "slides" / "lecture.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    videos = [s["data-background-video"] for s in soup.find_all("section") if s.get("data-background-video")]
    assert len(videos) == total_sections(tiny_out)
    refs = (
        videos
        + [s["src"] for s in soup.find_all("script") if s.get("src")]
        + [link["href"] for link in soup.find_all("link") if link.get("href")]
    )
    for ref in refs:
        assert "://" not in ref and (page.parent / ref).is_file(), ref
    assert "reveal.js/dist/reveal.js" in refs


def test_slides_again_are_current(tiny_out, presented):
    result = CliRunner().invoke(present_group, ["slides", "--out", str(tiny_out), "--no-pptx"])
    assert result.exit_code == 0, result.output
    assert "rendered" not in result.output and result.output.count(": current") == 2


def test_handout_has_a_page_per_section_with_title_and_narration(tiny_out, presented):
    from pypdf import PdfReader

    reader = PdfReader(str(tiny_out / "handout" / "handout.pdf"))
    sections = [(c, s) for c in load_lecture(tiny_out).chapters for s in c.sections]
    assert len(reader.pages) == len(sections) == total_sections(tiny_out)
    for page, (chapter, section) in zip(reader.pages, sections, strict=True):
        text = " ".join(page.extract_text().split())
        assert chapter.title in text
        assert section.name[1:] in text  # the title capitalises the first letter
        assert " ".join(section.lines[0].split()[:6]) in text
    frames = sorted((tiny_out / "handout" / "frames").glob("*.png"))
    assert len(frames) == len(sections)
    assert Image.open(frames[0]).size == (192, 108)


def test_clips_for_decks(tiny_out, presented):
    embed = tiny_out / "embed"
    for chapter in load_lecture(tiny_out).chapters:
        mp4 = embed / f"{chapter.stem}.mp4"
        info = probe(mp4)
        assert (info.codec, info.pix_fmt) == ("h264", "yuv420p")
        assert is_faststart(mp4)
        assert info.frames == probe(chapter.clip).frames
    gif = Image.open(embed / "loop-sigma-prime-sweep.gif")
    assert gif.info.get("loop") == 0  # forever
    assert gif.n_frames > 20 and gif.size[0] == 192
    loop = probe(embed / "loop-sigma-prime-sweep.mp4")
    assert is_faststart(embed / "loop-sigma-prime-sweep.mp4")
    assert loop.duration == pytest.approx(18.0, abs=0.3)  # 9 s there and 9 s back


def browser():
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
        f"--user-data-dir={profile}",
        "--window-size=1280,1800",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver, profile


VIDEOS_JS = """
const done = arguments[arguments.length - 1];
const videos = Array.from(document.querySelectorAll('video'));
const settle = v => new Promise(ok => {
  if (v.readyState >= 1 || v.error) return ok();
  v.addEventListener('loadedmetadata', ok); v.addEventListener('error', ok, true);
  setTimeout(ok, 10000);
});
Promise.all(videos.map(settle)).then(() => done(videos.map(v => ({
  id: v.id, src: v.currentSrc, ready: v.readyState, error: v.error ? v.error.code : null,
  duration: v.duration, tracks: v.textTracks.length}))));
"""


def test_index_page_in_headless_chromium(tiny_out, presented, tmp_path):
    driver, profile = browser()
    try:
        driver.set_script_timeout(30)
        driver.get((tiny_out / "index.html").as_uri())
        videos = driver.execute_async_script(VIDEOS_JS)
        lecture = load_lecture(tiny_out)
        assert len(videos) == len(lecture.chapters) + 1  # each chapter and the whole lecture
        for v in videos:
            assert v["error"] is None and v["ready"] >= 1, v
            assert v["src"].startswith("file://") and v["duration"] > 0 and v["tracks"] == 1, v
        shown = driver.execute_script(
            "return Array.from(document.querySelectorAll('section.chapter')).map(s => [s.dataset"
            ".chapter, s.querySelector('h2').innerText, s.getBoundingClientRect().height])"
        )
        assert [s[0] for s in shown] == [c.slug for c in lecture.chapters]
        for (_, heading, height), chapter in zip(shown, lecture.chapters, strict=True):
            assert chapter.title in heading and height > 100
        text = driver.find_element("tag name", "body").text
        for chapter in lecture.chapters:
            for row in chapter.ledger:
                assert row["text"] in text
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert all(r.startswith("file://") for r in resources), resources
        driver.save_screenshot(str(tmp_path / "index.png"))

        # The slides deck, from disk: reveal.js runs and has every section.
        driver.get((tiny_out / "slides" / "lecture.html").as_uri())
        total = driver.execute_script("return (window.Reveal && Reveal.isReady()) ? Reveal.getTotalSlides() : -1")
        assert total == total_sections(tiny_out)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_every_link_on_the_index_page_resolves(tiny_out, presented):
    page = (tiny_out / "index.html").read_text()
    refs = re.findall(r'(?:href|src)="([^"#]+)', page)
    assert refs
    for ref in refs:
        assert "://" not in ref and (tiny_out / ref).is_file(), ref
    assert json.loads((tiny_out / "slides" / "lecture.deck.json").read_text())["html"] == "lecture.html"


def test_readme_beamer_recipe_compiles(tiny_out, presented, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("needs pdflatex (render.sh installs texlive-latex-base)")
    import subprocess

    from pypdf import PdfReader

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    recipe = readme.split("**Beamer.**", 1)[1].split("```latex", 1)[1].split("```", 1)[0]
    (tiny_out / "beamer-recipe.tex").write_text(recipe)
    done = subprocess.run(
        [
            "pdflatex",
            "-interaction=nonstopmode",
            "-halt-on-error",
            f"-output-directory={tmp_path}",
            "beamer-recipe.tex",
        ],
        cwd=tiny_out,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert len(PdfReader(str(tmp_path / "beamer-recipe.pdf")).pages) == 3
