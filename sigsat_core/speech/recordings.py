"""A lecturer's own recordings: DIR/<chapter>/<beat>.wav|flac|mp3, found, checked and decoded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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


@dataclass
class Validation:
    """What a recordings folder holds against the beats the lecture has."""

    found: dict[tuple[str, str], Path] = field(default_factory=dict)
    """(chapter, beat) -> recording, for each beat that has one and decodes."""
    durations: dict[tuple[str, str], float] = field(default_factory=dict)
    """(chapter, beat) -> seconds."""
    unmatched: list[str] = field(default_factory=list)
    """One line per file that is no beat's recording: the file and why."""
    errors: list[str] = field(default_factory=list)
    """One line per recording that cannot be used."""

    @property
    def ok(self) -> bool:
        """True when every file is some beat's usable recording."""
        return not self.unmatched and not self.errors


def validate_all(folder: Path, expected: Mapping[str, Sequence[str]], rate: int = RATE) -> Validation:
    """Decode every recording up front; list the files that match no beat and those that fail."""
    # `expected` maps each chapter's slug to its beat ids. Hidden files are skipped. Run
    # before rendering, so that a bad file stops nothing halfway.
    result = Validation()
    if not folder.is_dir():
        result.errors.append(f"{folder}: no such folder")
        return result
    seen: dict[tuple[str, str], Path] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if len(relative.parts) != 2:
            result.unmatched.append(f"{path}: not in a chapter folder (DIR/<chapter>/<beat>.wav)")
            continue
        chapter, beat = relative.parts[0], path.stem
        if path.suffix not in SUFFIXES:
            # find() looks for these suffixes only, lower case: anything else would be ignored.
            result.unmatched.append(f"{path}: not a {'/'.join(s[1:] for s in SUFFIXES)} file (lower-case suffix)")
        elif chapter not in expected:
            result.unmatched.append(f"{path}: no chapter {chapter!r} (chapters: {', '.join(expected)})")
        elif beat not in expected[chapter]:
            result.unmatched.append(f"{path}: chapter {chapter!r} has no beat {beat!r}")
        elif (chapter, beat) in seen:
            result.errors.append(f"{path}: a second recording of beat {beat!r} (also {seen[chapter, beat].name}); "
                                 "keep one")
            result.found.pop((chapter, beat), None)
            result.durations.pop((chapter, beat), None)
        else:
            seen[chapter, beat] = path
            try:
                samples = decode(path, rate)
            except RecordingError as error:
                result.errors.append(str(error))
                continue
            result.found[chapter, beat] = path
            result.durations[chapter, beat] = len(samples) / rate
    return result
