"""One chapter's render, in its own process: `python -m sigsat.worker JOB.json`.

The job (sigsat.contract.Job) says which Scene, at what size and rate, with which parameters
and voice, and where the result goes. The scene gets them as an explicit ChapterContext.
manim renders into a private media folder with its progress bars off; then the master MP4
(faststart), the clip in the asked-for format and the poster are made, and the whole entry is
moved into the cache in one rename, so the cache never holds half an entry. Everything this
process prints goes to the chapter's log (the parent redirects it); on failure it also leaves
error.json, one line.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .contract import Job, Sidecar
from .logger import logger


def _file_record(path: Path) -> dict[str, Any]:
    from .cache import sha256_file

    return {"name": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)}


def _configure(job: Job, media: Path) -> None:
    from manim import config

    config.frame_size = (job.quality.width, job.quality.height)
    config.frame_rate = job.quality.fps
    config.media_dir = str(media)
    config.tex_dir = str(Path(job.tex_dir) / "Tex")
    config.text_dir = str(Path(job.tex_dir) / "texts")
    config.disable_caching = True  # partial movies of one render only; sigsat caches whole chapters
    config.verbosity = "WARNING"
    config.progress_bar = "none"
    config.output_file = job.scene
    config.format = "mov" if job.transparent else "mp4"
    config.transparent = job.transparent


def scene_class(job: Job) -> type[Any]:
    """The chapter's Scene class."""
    cls: type[Any] = getattr(importlib.import_module(job.module), job.scene)
    return cls


def run(job: Job) -> None:
    """Render the job's chapter and store its cache entry."""
    from scenes.context import ChapterContext
    from sigsat_math.params import build

    from .encode import composite, faststart, poster, transcode
    from .media import probe
    from .qualities import FORMATS, Quality

    quality = Quality(job.quality.name, job.quality.width, job.quality.height, job.quality.fps, "")
    work = Path(job.work)
    entry = work / "entry"
    if entry.exists():
        shutil.rmtree(entry)
    entry.mkdir(parents=True)
    sidecar = entry / "sidecar.json"
    params = build(job.params)
    context = ChapterContext(params=params, sidecar=sidecar, voice=job.voice,
                             speech_dir=Path(job.speech_dir),
                             recordings=Path(job.recordings) if job.recordings else None,
                             chapter=job.slug)
    _configure(job, work / "media")
    started = time.monotonic()
    scene = scene_class(job)(context=context)
    scene.render()
    logger.info("manim rendered %s in %.1f s", job.scene, time.monotonic() - started)
    movie = Path(scene.renderer.file_writer.movie_file_path)

    side = Sidecar.read(sidecar)
    video = work / "video.mp4"
    if job.transparent:
        composite(movie, video, context.theme.background, quality)
    else:
        faststart(movie, video)
    master = entry / "master.mp4"
    audio = entry / "audio.flac"
    soundtrack(side, Path(job.speech_dir), video, master, audio)
    files = {"master": master, "audio": audio}
    if job.format != "mp4":
        clip = entry / f"clip.{FORMATS[job.format].ext}"
        transcode(movie if job.transparent else video, clip, job.format, job.transparent, quality,
                  audio=master)
        files["clip"] = clip
    poster_png = entry / "poster.png"
    poster_time = poster(master, side.sections, poster_png)
    files.update(poster=poster_png, sidecar=sidecar)
    info = probe(master)
    data = {
        "key": job.key,
        "parts": job.parts,
        "slug": job.slug,
        "scene": job.scene,
        "files": {role: _file_record(path) for role, path in files.items()},
        "duration": info.duration,
        "frames": info.frames,
        "width": info.width,
        "height": info.height,
        "fps": str(info.fps),
        "poster_time": poster_time,
        "render_seconds": round(time.monotonic() - started, 3),
    }
    (entry / "entry.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    final = Path(job.entry_final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # made meanwhile by another render of the same key: identical
        shutil.rmtree(entry)
    else:
        os.rename(entry, final)
    shutil.rmtree(work / "media")


def soundtrack(side: Sidecar, speech_dir: Path, video: Path, master: Path, flac: Path) -> None:
    """The chapter's voice, each beat's speech where its beat starts, mastered (loudness and
    peak), as FLAC (the lecture is joined from these) and muxed with the video as the master."""
    from .media import probe
    from .speech.audio import master as master_audio
    from .speech.audio import mix, mux, write_flac
    from .speech.store import SpeechStore

    store = SpeechStore(speech_dir)
    placements, rates = [], []
    for beat in side.beats:
        if beat.audio is None:
            continue
        speech = store.get(beat.audio)
        if speech is None:
            raise RuntimeError(f"the speech of beat {beat.id!r} is missing from {speech_dir}")
        placements.append((beat.start, speech.samples))
        rates.append(speech.rate)
    info = probe(video)
    track = mix(placements, rates or 48000, info.duration)
    track = master_audio(track)
    write_flac(track, flac)
    mux(video, track, master)


def _where(e: BaseException, module_file: str | None) -> str:
    """The innermost frame of the traceback in the chapter's file (else the innermost)."""
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return ""
    inside = [f for f in frames if module_file and f.filename == module_file]
    f = (inside or frames)[-1]
    return f"{Path(f.filename).name}:{f.lineno} in {f.name}"


def main(argv: list[str] | None = None) -> int:
    """Run one job; 0 on success, 1 with error.json written on failure."""
    args = sys.argv[1:] if argv is None else argv
    job_file = Path(args[0])
    job = Job.read(job_file)
    try:
        run(job)
    except Exception as e:  # reported to the parent as this chapter's failure
        traceback.print_exc()
        module = sys.modules.get(job.module)
        where = _where(e, getattr(module, "__file__", None))
        message = f"{type(e).__name__}: {e}".strip().splitlines()
        error = {"error": message[0] if message else type(e).__name__, "where": where}
        (job_file.parent / "error.json").write_text(json.dumps(error), encoding="utf-8")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
