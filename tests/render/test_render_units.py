"""The renderer's parts without rendering: captions, chapter marks, cache keys and entries,
staged writes."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigsat.assemble import AAC_FRAME, ChapterMedia, Mark, chapter_starts, ffmetadata, marks, packet_plan
from sigsat.cache import Cache, chapter_key, why_changed
from sigsat.chapters import ChapterError, Loaded, load, registry, select
from sigsat.outputs import Version, recover, versions_dir
from sigsat_core.captions import shifted, srt, vtt
from sigsat_core.contract import VERSION, ContractError, Cue, Entry
from sigsat_core.qualities import QUALITIES
from sigsat_math.params import DEFAULTS, Spec, specs
from sigsat_math.params import load as load_params

SRT_TIME = r"(\d{2}):(\d{2}):(\d{2}),(\d{3})"
VTT_TIME = r"(\d{2}):(\d{2}):(\d{2})\.(\d{3})"


def _ms(groups: tuple[str, ...]) -> int:
    h, m, s, ms = (int(g) for g in groups)
    assert m < 60 and s < 60
    return ((h * 60 + m) * 60 + s) * 1000 + ms


def parse_srt(text: str) -> list[tuple[int, int, str]]:
    """A strict SubRip reader: numbered blocks from 1, a timing line, text, a blank line."""
    blocks = text.split("\n\n")
    assert blocks[-1] == "", "the file ends with a blank line"
    cues = []
    for i, block in enumerate(blocks[:-1], start=1):
        lines = block.split("\n")
        assert lines[0] == str(i)
        m = re.fullmatch(f"{SRT_TIME} --> {SRT_TIME}", lines[1])
        assert m, lines[1]
        assert len(lines) > 2 and all(line.strip() for line in lines[2:])
        cues.append((_ms(m.groups()[:4]), _ms(m.groups()[4:]), "\n".join(lines[2:])))
    return cues


def parse_vtt(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """A strict WebVTT reader for what we write: header, then id, timing, text blocks."""
    blocks = text.split("\n\n")
    assert blocks[0].startswith("WEBVTT") and "\n" not in blocks[0]
    assert blocks[-1] == ""
    cues = []
    for i, block in enumerate(blocks[1:-1], start=1):
        lines = block.split("\n")
        assert lines[0] == str(i)
        m = re.fullmatch(f"{VTT_TIME} --> {VTT_TIME}", lines[1])
        assert m, lines[1]
        body = "\n".join(lines[2:])
        assert body and "-->" not in body and "<" not in body
        cues.append((_ms(m.groups()[:4]), _ms(m.groups()[4:]), body))
    return blocks[0], cues


def _cue(start: float, end: float, text: str, section: str = "") -> Cue:
    return Cue(start=start, end=end, text=text, section=section)


def test_shifted_cues_move_by_the_offset_and_a_cue_of_no_length_is_left_out_of_srt():
    cues = shifted([_cue(0, 3, "a", "one"), _cue(3, 4, "b", "one"), _cue(4, 4, "gone", "two")], 100.0)
    assert [(c.start, c.end, c.text, c.section) for c in cues] == [
        (100, 103, "a", "one"), (103, 104, "b", "one"), (104, 104, "gone", "two")]
    assert "gone" not in srt(cues) and "a" in srt(cues)


def test_srt_and_vtt_formats():
    cues = [_cue(0, 1.5, "a < b & c"), _cue(61.25, 3725.5, "two\nlines"), _cue(0.005, 0.005, "empty")]
    assert parse_srt(srt(cues)) == [(0, 1500, "a < b & c"), (61_250, 3_725_500, "two\nlines")]
    header, parsed = parse_vtt(vtt(cues, "Sigmoid Saturation"))
    assert header == "WEBVTT - Sigmoid Saturation"
    assert parsed == [(0, 1500, "a &lt; b &amp; c"), (61_250, 3_725_500, "two\nlines")]
    assert "01:02:05,500" in srt(cues) and "01:02:05.500" in vtt(cues)
    assert parse_srt(srt([_cue(0, 0.9, "blank\n\nline inside")]))[0][2] == "blank\nline inside"


def test_chapter_marks_are_exact_running_sums():
    parts = [ChapterMedia(Path("a"), "A", 220, Fraction(5), "x", Path("a.flac"), "x"),
             ChapterMedia(Path("b"), "B = b; #1", 7, Fraction(3), "y", Path("b.flac"), "y"),
             ChapterMedia(Path("c"), "C", 1, Fraction(30), "z", Path("c.flac"), "z")]
    assert marks(parts) == [Mark("A", 0, 44000), Mark("B = b; #1", 44000, 46333),
                            Mark("C", 46333, 46367)]
    meta = ffmetadata("Title\nwith = sign", marks(parts))
    assert meta.startswith(";FFMETADATA1\ntitle=Title\\\nwith \\= sign\n")
    assert "title=B \\= b\\; \\#1" in meta
    assert meta.count("[CHAPTER]") == 3 and meta.count("TIMEBASE=1/1000") == 3


@settings(deadline=None)  # a chapter of 3000 frames at 5 fps is 14000 packets to check
@given(fps=st.sampled_from([5, 15, 30]), frames=st.lists(st.integers(30, 3000), min_size=1, max_size=12),
       extra=st.lists(st.integers(0, 2), min_size=12, max_size=12))
def test_the_lectures_audio_packets_put_every_chapter_within_half_a_frame_of_its_picture(fps, frames, extra):
    # Chapters of a second or more (a chapter's closing pause alone is longer).
    rate = 48000
    parts = [ChapterMedia(Path(f"{i}"), "", n, Fraction(fps), "", Path(""), "") for i, n in enumerate(frames)]
    starts = chapter_starts(parts, rate)
    lengths = [b - a for a, b in zip(starts[:-1], starts[1:], strict=True)]
    assert starts[0] == 0 and lengths == [n * rate // fps for n in frames]
    # What the encoder makes of a chapter of N samples: a delay frame, then frames until every
    # sample is in one (and, depending on where the input ends, one or two more).
    counts = [-(-(n + AAC_FRAME) // AAC_FRAME) + e for n, e in zip(lengths, extra[:len(frames)], strict=True)]
    spans = packet_plan(starts, counts)
    # Simulate the decoder: the lecture's packet q gives its samples q*1024 onwards; chapter
    # k's packet j holds the chapter's samples (j - 1)*1024 onwards.
    stream = [(k, j) for k, span in enumerate(spans) for j in range(span.first, span.stop)]
    assert all(0 <= span.first < span.stop <= count for span, count in zip(spans, counts, strict=True))
    where = {packet: q for q, packet in enumerate(stream)}
    # To the lecture's end (the last chapter's audio may end half a frame early).
    assert abs(len(stream) * AAC_FRAME - starts[-1]) < AAC_FRAME
    for k in range(len(frames)):
        q = where[(k, 1)]
        assert abs(q * AAC_FRAME - starts[k]) <= AAC_FRAME // 2
        # From there on, the chapter's packets follow one another, and only its last 2048
        # samples (its closing pause) may give way to the next chapter's delay frame.
        own = [j for c, j in stream if c == k]
        assert own == list(range(own[0], own[-1] + 1))
        assert own[-1] * AAC_FRAME >= starts[k + 1] - starts[k] - 2 * AAC_FRAME


def test_gif_rates_divide_100():
    assert {q: QUALITIES[q].gif_fps for q in QUALITIES} == {"preview": 10, "hd": 20, "4k": 20,
                                                           "tiny": 5}


def test_select_chapters_by_slug_number_or_scene():
    chapters = registry()
    by_slug = {c.slug: c for c in chapters}
    assert select([]) == list(chapters)
    second = chapters[1]
    assert select(["problem1_sigma_prime,2"]) == [second, by_slug["problem1_sigma_prime"]]
    assert select(["SigmoidCurves"]) == [by_slug["sigmoid_curves"]]
    with pytest.raises(ChapterError, match="unknown chapter '42'"):
        select(["42"])


def _another(value: object, spec: Spec) -> object:
    """A valid value other than `value`."""
    if spec.type is bool:
        return not value
    if spec.choices:
        return next(c for c in spec.choices if c != value)
    if spec.type is str:
        return f"{value} (changed)"
    step = 1 if spec.type is int else 0.5
    up, down = value + step, value - step  # type: ignore[operator]
    if spec.hi is None or up < spec.hi:
        return up
    if spec.lo is None or down > spec.lo:
        return down
    return (value + spec.hi) / 2  # a range narrower than the step, such as (0, 1) around 0.5


def test_a_parameter_changes_exactly_the_keys_of_the_chapters_that_read_it():
    loaded = [c for c in (load(r) for r in registry()) if isinstance(c, Loaded)]
    assert len(loaded) >= 2
    quality = QUALITIES["tiny"]

    def keys(params):
        return {c.ref.slug: chapter_key(c.ref, c.reads, params, quality, "mp4", False).digest
                for c in loaded}

    base = keys(DEFAULTS)
    for key, spec in specs().items():
        changed = load_params(None, [f"{key}={json.dumps(_another(DEFAULTS.get(key), spec))}"])
        assert changed.get(key) != DEFAULTS.get(key)
        now = keys(changed)
        readers = {c.ref.slug for c in loaded if key in c.reads}
        assert {s for s in base if base[s] != now[s]} == readers, key
    for c in loaded:  # theme is read by every chapter
        assert "theme" in c.reads


def test_quality_format_and_transparency_are_in_the_key():
    c = next(c for c in (load(r) for r in registry()) if isinstance(c, Loaded))
    digests = {chapter_key(c.ref, c.reads, DEFAULTS, QUALITIES[q], f, t).digest
               for q in ("tiny", "hd") for f in ("mp4", "webm") for t in (False, True)}
    assert len(digests) == 8
    a = chapter_key(c.ref, c.reads, DEFAULTS, QUALITIES["tiny"], "mp4", False)
    b = chapter_key(c.ref, c.reads, load_params(None, ["theme=light"]), QUALITIES["hd"], "mp4", False)
    assert why_changed(a.inputs, b.inputs) == ("theme 'dark' -> 'light', "
                                               "quality tiny:192x108@5 -> hd:1920x1080@30")
    assert {"code", "shared", "math", "renderer", "tools"} <= set(a.inputs)
    assert {"manim", "av", "numpy", "ffmpeg", "renderer"} <= set(a.inputs["tools"])


def _entry_record(**changes: object) -> dict[str, object]:
    files = {role: {"name": name, "size": 3, "sha256": "0" * 64}
             for role, name in (("master", "master.mp4"), ("audio", "audio.flac"),
                                ("poster", "poster.png"), ("sidecar", "sidecar.json"))}
    data: dict[str, object] = {"version": VERSION, "key": "k", "inputs": {}, "slug": "a", "scene": "A",
                               "files": files, "duration": 4.4, "frames": 22, "width": 192,
                               "height": 108, "fps": "5", "poster_time": 1.0, "render_seconds": 2.0}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "message"), [
    ({"frames": 0}, "entry field 'frames': Input should be greater than 0"),
    ({"files": {}}, "entry field 'files': Value error, missing master, audio, poster, sidecar"),
    ({"files": []}, "entry field 'files': Input should be a valid dictionary"),
    ({"fps": "0"}, "entry field 'fps': Value error, '0' is not a frame rate"),
    ({"version": 1}, "an entry of version 1, and this sigsat reads version"),
    ({"extra": 1}, "entry field 'extra': Extra inputs are not permitted"),
])
def test_an_entry_record_is_checked_against_its_schema(changes, message):
    assert Entry.parse(_entry_record()).frames == 22
    with pytest.raises(ContractError, match=re.escape(message)):
        Entry.parse(_entry_record(**changes))


def test_an_entry_names_plain_files_only():
    for name in ("../x.png", "/etc/passwd", ".hidden", "", "a/b"):
        record = _entry_record()
        record["files"]["poster"]["name"] = name  # type: ignore[index]
        with pytest.raises(ContractError, match="files.poster.name"):
            Entry.parse(record)


def test_a_missing_or_foreign_entry_is_not_used(tmp_path):
    cache = Cache(tmp_path)
    assert cache.get("k1") == (None, "")
    cache.folder("k1").parent.mkdir(parents=True)
    cache.folder("k1").write_text("a file where the entry's folder belongs")
    assert cache.get("k1") == (None, "k1 is not a folder")
    cache.discard("k1")
    assert not cache.folder("k1").exists() and list(cache.entries.iterdir()) == []
    cache.folder("k1").mkdir()
    assert cache.get("k1") == (None, "entry.json missing")
    (cache.folder("k1") / "entry.json").write_text(json.dumps(_entry_record(key="k2")))
    assert cache.get("k1") == (None, "entry.json is the entry of key k2")


def test_a_version_appears_in_one_step_and_never_changes_the_old_one(tmp_path):
    folder = tmp_path / "out" / "tiny"
    first = Version(folder).begin()
    first.text("old clip", first.root / "clips" / "01_a.mp4")
    first.text("{}", first.root / "manifest.json")
    assert not folder.exists()
    first.commit()
    assert folder.is_symlink() and (folder / "clips" / "01_a.mp4").read_text() == "old clip"
    old_inside = folder.resolve()
    second = Version(folder).begin()
    clip = second.root / "clips" / "01_a.mp4"
    assert clip.samefile(old_inside / "clips" / "01_a.mp4")  # carried over as a link
    second.text("new clip", clip)
    second.text("{}", second.root / "manifest.json")
    assert second.unchanged == [second.root / "manifest.json"]
    assert (folder / "clips" / "01_a.mp4").read_text() == "old clip"  # not yet, and not in place
    second.commit()
    assert (folder / "clips" / "01_a.mp4").read_text() == "new clip"
    assert (old_inside / "clips" / "01_a.mp4").read_text() == "old clip"  # kept for its readers
    Version(folder).begin().commit()
    assert not old_inside.exists()  # the one before the previous goes
    assert len(list(versions_dir(folder).iterdir())) == 2


def test_an_aborted_or_killed_version_leaves_no_trace(tmp_path):
    folder = tmp_path / "tiny"
    done = Version(folder).begin()
    done.text("old", done.root / "lecture.mp4")
    done.commit()
    aborted = Version(folder).begin()
    aborted.text("new", aborted.root / "lecture.mp4")
    aborted.abort()
    killed = Version(folder).begin()
    killed.text("half", killed.root / "lecture.mp4")  # as if killed before the commit
    assert (folder / "lecture.mp4").read_text() == "old"
    assert recover(folder) == [killed.root]
    assert [p.name for p in versions_dir(folder).iterdir()] == [folder.resolve().name]


def test_a_plain_folder_from_before_versions_is_replaced_in_one_step(tmp_path):
    folder = tmp_path / "tiny"
    (folder / "slides").mkdir(parents=True)
    (folder / "slides" / "deck.html").write_text("the lecturer's deck")
    (folder / ".lock").write_text("")
    version = Version(folder).begin()
    version.text("new", version.root / "lecture.mp4")
    version.commit()
    assert folder.is_symlink()
    assert (folder / "slides" / "deck.html").read_text() == "the lecturer's deck"  # carried over
    assert not (folder / ".lock").exists()
    folder.unlink()  # as if killed between the two renames of a system without renameat2
    recover(folder)
    assert (folder / "lecture.mp4").read_text() == "new"


def test_a_chapter_process_that_dies_out_of_memory_is_the_machines_fault(tmp_path):
    # OpenBLAS exits at once when it cannot allocate, before the worker can report: its last
    # words say so, and the render says it in one line (exit 2), not "exited with status 1".
    from sigsat.executors import ended
    from sigsat_core.contract import Failure

    tail = ["manim drew Alpha", "OpenBLAS error: Memory allocation still failed after 10 retries, giving up."]
    outcome = ended(1, None, tmp_path, False, tail)
    assert isinstance(outcome, Failure) and outcome.kind == "environment"
    assert outcome.error.startswith("out of memory (ENOMEM)")
    plain = ended(1, None, tmp_path, False, ["Traceback (most recent call last):", "ValueError: x"])
    assert isinstance(plain, Failure) and plain.kind == "chapter"
