"""Each step's resting picture in another theme, for a handout: the chapters replayed unseen
(nothing encoded, no voice), drawing only the frames where a section comes to rest.

The pictures of a chapter are kept in the render cache, `CACHE/stills/<key>/` (the key of the
chapter in that theme), with `stills.json` naming each file and its sha256: a second handout
in the same theme replays nothing. `sigsat clean` keeps those a handout of the output uses.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sigsat_core.contract import STILLS_DIR, STILLS_FILE, ContractError, EntryFile, Sidecar, StillsEntry, VoiceSpec
from sigsat_core.files import link_or_copy
from sigsat_core.qualities import Quality

from .cache import TMP, damaged_file, remove
from .chapters import registry, select
from .executors import Done, LocalExecutor, local_cores
from .logger import logger
from .render import Renderer
from .tasks import Options, Task


class StillsError(RuntimeError):
    """The stills of a chapter could not be made (one line: the chapter and why)."""


@dataclass(frozen=True)
class Stills:
    """One chapter's resting pictures: a PNG per section, in order, and the key they were made for."""

    slug: str
    key: str
    pictures: list[Path]


def _read(folder: Path, key: str, sections: list[str]) -> list[Path] | None:
    """The pictures in a stored entry, if it is whole and of these sections."""
    try:
        entry = StillsEntry.read(folder / STILLS_FILE)
    except ContractError:
        return None
    files = {str(k): f for k, f in enumerate(entry.files)}
    if entry.key != key or entry.sections != sections or damaged_file(folder, files):
        return None
    return [folder / f.name for f in entry.files]


def _publish(made: Path, into: Path, entry: StillsEntry) -> None:
    """The made pictures and their record as the entry `into`, whole or not at all (one made
    meanwhile by another handout is as good: the pictures follow from the key)."""
    into.parent.mkdir(parents=True, exist_ok=True)
    tmp = into.parent / f".{into.name}.{uuid.uuid4().hex}{TMP}"
    tmp.mkdir()
    try:
        for f in entry.files:
            link_or_copy(made / f.name, tmp / f.name)
        entry.write(tmp / STILLS_FILE)
        os.rename(tmp, into)
    except OSError as e:
        remove(tmp)
        if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise


def theme_stills(manifest_params: dict[str, object], quality: Quality, sections: dict[str, list[str]],
                 theme: str, cache_dir: Path, jobs: int | None = None) -> dict[str, Stills]:
    """Each chapter's resting pictures in `theme` (same parameters otherwise), by slug: from
    the cache, or replayed; `sections` names the lecture's chapters, in order, and each one's
    sections, which the replay must match."""
    from sigsat_math.params import build

    options = Options(quality=quality, params=build({**manifest_params, "theme": theme}),
                      chapters=tuple(select(list(sections), registry())), fmt="mp4", transparent=False,
                      jobs=jobs or local_cores(), out=cache_dir / "work", voice=VoiceSpec(kind="none"),
                      cache_dir=cache_dir)
    renderer = Renderer(options, LocalExecutor(options.jobs))
    with renderer.workspace:
        tasks = renderer.plan()
        for task in tasks:
            if task.key is None:
                raise StillsError(f"{task.name}: {task.error}")

        def one(task: Task) -> Stills:
            assert task.key is not None
            key, slug = task.key.digest, task.ref.slug
            folder = renderer.cache.stills / key
            pictures = _read(folder, key, sections[slug])
            if pictures is None:
                pictures = _replay(renderer, task, folder, sections[slug])
            return Stills(slug, key, pictures)

        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            return {stills.slug: stills for stills in pool.map(one, tasks)}


def _replay(renderer: Renderer, task: Task, folder: Path, sections: list[str]) -> list[Path]:
    """Replay the chapter unseen, saving its resting pictures, and store them in `folder`."""
    assert task.key is not None
    work = renderer.workspace.folder / task.ref.slug
    work.mkdir(parents=True, exist_ok=True)
    outcome = renderer.executor.run(renderer.job(task, mode="plan", stills=True), deque(maxlen=20))
    if not isinstance(outcome, Done):
        raise StillsError(f"{task.name}: {getattr(outcome, 'error', 'stopped')}")
    made = outcome.folder / STILLS_DIR
    side = Sidecar.read(outcome.folder / "sidecar.json")
    if [s.name for s in side.sections] != sections:
        raise StillsError(f"{task.name}: its steps in this theme differ from the lecture's; render the lecture again")
    pictures = [made / f"{k:02d}.png" for k in range(len(sections))]
    if missing := [p.name for p in pictures if not p.is_file()]:
        raise StillsError(f"{task.name}: no resting picture for sections {', '.join(missing)}")
    entry = StillsEntry(key=task.key.digest, slug=task.ref.slug, sections=sections,
                        files=[EntryFile.of(p) for p in pictures])
    _publish(made, folder, entry)
    logger.info("%s: %d resting pictures replayed", task.name, len(pictures))
    return _read(folder, task.key.digest, sections) or pictures
