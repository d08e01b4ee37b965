"""A lecturer's own recordings: DIR/<chapter>/<beat>.wav|flac|mp3, found, checked and decoded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import av
import numpy as np
from av.audio.resampler import AudioResampler

from .audio import RATE, RESAMPLER_OPTIONS, Samples, joined

SUFFIXES = (".wav", ".flac", ".mp3")


class RecordingError(Exception):
    """A recording that cannot be used; the message is one line naming the file and why."""


def find(folder: Path, chapter: str, beat: str) -> Path | None:
    """The recording of one beat, if there is one; two for the same beat is an error."""
    found = [path for suffix in SUFFIXES if (path := folder / chapter / f"{beat}{suffix}").is_file()]
    if len(found) > 1:
        raise RecordingError(f"{found[0]}: more than one recording of this beat "
                             f"({', '.join(p.name for p in found)}); keep one")
    return found[0] if found else None


def _one_line(error: BaseException) -> str:
    # PyAV's messages carry the file name again, quoted, after a colon: the caller names it.
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return " ".join(str(text).split())


def decode(path: Path, rate: int = RATE) -> Samples:
    """The recording as float32 mono at `rate` (channels mixed down), via PyAV."""
    if not path.is_file():
        raise RecordingError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise RecordingError(f"{path}: empty file")
    frames: list[av.AudioFrame] = []
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise RecordingError(f"{path}: no audio stream")
            stream = container.streams.audio[0]
            resampler = AudioResampler(format="flt", layout="mono", rate=rate, options=RESAMPLER_OPTIONS)
            for frame in container.decode(stream):
                frames += resampler.resample(frame)
            frames += resampler.resample(None)
    except RecordingError:
        raise
    except (av.FFmpegError, ValueError, OSError) as error:
        raise RecordingError(f"{path}: cannot decode ({_one_line(error)})") from None
    samples = joined(frames)
    if len(samples) == 0:
        raise RecordingError(f"{path}: no audio in it")
    if not np.all(np.isfinite(samples)):
        raise RecordingError(f"{path}: decodes to samples that are not numbers")
    return samples


def listing(folder: Path, chapters: Sequence[str]) -> dict[tuple[str, str], Path]:
    """The recordings of these chapters, by (chapter, beat); two of one beat is an error."""
    # Hidden files and files of other kinds are not recordings; a recording's suffix in another
    # case (`intro.WAV`) would be passed over by `find`, so it is refused rather than ignored.
    if not folder.is_dir():
        raise RecordingError(f"{folder}: no such folder")
    found: dict[tuple[str, str], Path] = {}
    for chapter in chapters:
        paths = sorted(p for p in (folder / chapter).glob("*") if p.is_file() and not p.name.startswith("."))
        for path in paths:
            if path.suffix.lower() not in SUFFIXES:
                continue
            if path.suffix not in SUFFIXES:
                raise RecordingError(f"{path}: write the suffix in lower case ({path.stem}{path.suffix.lower()})")
            key = (chapter, path.stem)
            if key in found:
                raise RecordingError(f"{path}: a second recording of beat {path.stem!r} (also {found[key].name}); "
                                     "keep one")
            found[key] = path
    return found


def survey(folder: Path, chapters: Sequence[str]) -> dict[tuple[str, str], Path]:
    """Every recording of these chapters, each decoded once up front to check it."""
    # Run before rendering, so that a bad file stops nothing halfway.
    found = listing(folder, chapters)
    for path in found.values():
        decode(path)
    return found


def unmatched(recorded: Mapping[tuple[str, str], Path], beats: Mapping[str, Sequence[str]]) -> list[Path]:
    """The recordings that are no beat's: a typo in a beat's name, or a beat the lecture dropped."""
    return [path for (chapter, beat), path in recorded.items() if beat not in beats.get(chapter, ())]
