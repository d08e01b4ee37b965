"""The chapter cache: what a chapter's render depends on (its key) and the stored results.

A key hashes everything that changes a chapter's pixels: its own file, the shared scene code
(every file in scenes/ that is not a chapter), sigsat_math, the parameters it reads, quality,
theme, format, and the versions of the tools that draw and encode (manim, PyAV, numpy,
ffmpeg, this renderer). An entry is a folder `CACHE/entries/<key>/` holding the chapter's
master MP4, its clip in the asked-for format, a poster and the scene's sidecar, described by
`entry.json` (an Entry record: each file's size and sha256, the frames, rate and duration);
an entry whose record, files or master do not agree is not used, and is rendered again.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from sigsat_core.contract import ContractError, Entry, EntryFile, Sidecar, VoiceSpec
from sigsat_core.files import NotRegular, link_or_copy, read_regular, sha256_file
from sigsat_core.media import ClipInfo, probe
from sigsat_core.qualities import Quality
from sigsat_math.params import Params

from .chapters import ChapterRef, chapter_files, scene_package_dir

# Bump when the renderer changes what it makes from the same inputs in a way the hashed
# renderer files (worker.py, encode.py) do not show, e.g. a new ffmpeg option default.
RENDERER_VERSION = "1"
ENTRY = "entry.json"
TMP, TRASH = ".tmp", ".trash"  # entries being published, being removed
STALE_SECONDS = 600.0
# What shapes a chapter's bytes besides the scenes and the math: the child process that draws
# it, and the whole core floor (records, encoding, qualities, the voice).
RENDERER_FILE = "worker.py"



def _tree_hash(files: Iterable[Path], root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(sha256_file(path).encode() + b"\n")
    return h.hexdigest()


def _source_files(folder: Path) -> list[Path]:
    # Hidden files and editor leftovers (.swp, backup~) are not code.
    return [p for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".swp")
            and not p.name.startswith(".") and not p.name.endswith("~")]


@functools.cache
def shared_scene_hash() -> str:
    """Every file in scenes/ that is not a chapter: base, widgets, theme, layout, context..."""
    folder = scene_package_dir()
    chapters = chapter_files()
    return _tree_hash((p for p in _source_files(folder) if p not in chapters), folder)


@functools.cache
def math_hash() -> str:
    """All of sigsat_math."""
    import sigsat_math

    folder = Path(list(sigsat_math.__path__)[0])
    return _tree_hash(_source_files(folder), folder)


@functools.cache
def renderer_hash() -> str:
    """The renderer's own files that shape a chapter's bytes."""
    import sigsat_core

    core = Path(list(sigsat_core.__path__)[0])
    here = Path(__file__).resolve().parent
    return _tree_hash([*_source_files(core), here / RENDERER_FILE], core.parent)


@functools.cache
def ffmpeg_version() -> str:
    """ffmpeg's first version line (it encodes the non-mp4 formats, posters and masters)."""
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise RuntimeError("ffmpeg not found: run ./render.sh once, or apt-get install ffmpeg")
    out = subprocess.run([exe, "-version"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0] if out else "unknown"


@functools.cache
def tool_versions() -> dict[str, str]:
    """The versions of what draws and encodes."""
    versions = {name: importlib.metadata.version(name) for name in ("manim", "av", "numpy")}
    versions["ffmpeg"] = ffmpeg_version()
    versions["renderer"] = RENDERER_VERSION
    return versions


SILENT = VoiceSpec(kind="none")


def voice_key(voice: VoiceSpec) -> dict[str, str]:
    """What the chapter's speech depends on: the voice's id (engine, model, settings, lexicon)."""
    from sigsat_core.speech.factory import voice_key as key

    return key(voice)


def recordings_hash(folder: Path | None, slug: str) -> str:
    """The hash of a chapter's own recordings (`DIR/<slug>/*`), '' without any."""
    if folder is None or not (folder / slug).is_dir():
        return ""
    return _tree_hash((p for p in (folder / slug).iterdir() if p.is_file()), folder)


@dataclass(frozen=True)
class Key:
    """A chapter's cache key and the inputs it was hashed from (to say why a chapter re-renders)."""

    digest: str
    inputs: dict[str, Any]


def source_of(chapter_file: Path) -> dict[str, Any]:
    """The inputs of a chapter's key that say which code renders it (a Dask worker compares its own)."""
    return {"code": sha256_file(chapter_file), "shared": shared_scene_hash(), "math": math_hash(),
            "renderer": renderer_hash(), "tools": tool_versions()}


def chapter_key(ref: ChapterRef, reads: Iterable[str], params: Params, quality: Quality,
                fmt: str, transparent: bool, voice: VoiceSpec = SILENT,
                recordings: Path | None = None) -> Key:
    """The key of one chapter's render."""
    inputs: dict[str, Any] = {
        "chapter": f"{ref.slug}:{ref.scene}",
        **source_of(ref.file),
        "params": params.subset(reads),
        "quality": f"{quality.name}:{quality.width}x{quality.height}@{quality.fps}",
        "format": fmt,
        "transparent": transparent,
        "voice": voice_key(voice),
        "recordings": recordings_hash(recordings, ref.slug),
    }
    blob = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Key(hashlib.sha256(blob.encode()).hexdigest()[:32], inputs)


def part_key(chapter: Key, name: str, reads: Iterable[str], params: Params) -> Key:
    """The key of a chapter's part (`name`: its sections): the chapter's key with only the
    parameters read up to the part's end, since its frames follow from what ran up to there
    (the sections before it are replayed to reach it)."""
    inputs = {**chapter.inputs, "params": params.subset(set(reads)), "part": name}
    blob = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Key(hashlib.sha256(blob.encode()).hexdigest()[:32], inputs)


# The inputs of a chapter's key that say which code renders it, and how a change of each is said.
CODE_INPUTS = {"code": "the chapter's code", "shared": "the shared scene code", "math": "sigsat_math",
              "renderer": "the renderer", "tools": "tool versions (manim, PyAV, numpy, ffmpeg)"}


def source_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of a chapter's key that say which code renders it."""
    return {name: inputs.get(name) for name in CODE_INPUTS}


def source_hash(inputs: Mapping[str, Any]) -> str:
    """The hash of the code that renders a chapter, from its key's inputs."""
    blob = json.dumps(source_inputs(inputs), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def changed_code(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The code that differs between two keys' inputs, in words."""
    return [name for item, name in CODE_INPUTS.items() if old.get(item) != new.get(item)]


def why_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """What differs between two keys' inputs, in a few words (`params problem1.z 5.0 -> 4.0`)."""
    out: list[str] = []
    for part in sorted(set(old) | set(new)):
        a, b = old.get(part), new.get(part)
        if a == b:
            continue
        if part == "params" and isinstance(a, dict) and isinstance(b, dict):
            out.extend(f"{k} {a.get(k)!r} -> {b.get(k)!r}"
                       for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
        elif part in CODE_INPUTS:
            out.append(CODE_INPUTS[part])
        else:
            out.append(f"{part} {a} -> {b}")
    return ", ".join(out)


class Damaged(Exception):
    """A cache entry that cannot be used, and why (one line)."""


@dataclass(frozen=True)
class Stored:
    """A stored chapter render, checked: its record, its sidecar, and its master as probed."""

    folder: Path
    entry: Entry
    sidecar: Sidecar
    info: ClipInfo  # frames, rate and duration from the master itself, not from entry.json

    def path(self, role: str) -> Path:
        """One of its files: master, audio, clip (the master itself for mp4), poster, sidecar."""
        return self.folder / self.entry.file(role).name

    def sha256(self, role: str) -> str:
        """A file's sha256 (checked)."""
        return self.entry.file(role).sha256


def damaged_file(folder: Path, files: Mapping[str, EntryFile]) -> str:
    """What is wrong with the first of these files (role -> record) in `folder` that is missing
    or differs from its record ('' when every one is as recorded)."""
    for role, record in files.items():
        path = folder / record.name
        if not path.is_file():
            return f"{role} file {record.name} missing"
        if path.stat().st_size != record.size or sha256_file(path) != record.sha256:
            return f"{role} file {record.name} damaged (sha256 differs)"
    return ""


def verify(folder: Path, key: str) -> Stored:
    """The entry in `folder` if it is sound: entry.json of its schema and key, every file it
    names there with its size and sha256, a sidecar of its schema, and a master whose frames,
    rate and size are the ones recorded; else Damaged, saying what is wrong."""
    if not folder.is_dir():
        raise Damaged(f"{folder.name} is not a folder")
    try:
        raw = json.loads(read_regular(folder / ENTRY).decode("utf-8"))
    except FileNotFoundError:
        raise Damaged(f"{ENTRY} missing") from None
    except NotRegular as e:
        raise Damaged(f"{ENTRY} is not a file ({e.strerror})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise Damaged(f"{ENTRY} unreadable ({e})") from None
    try:
        entry = Entry.parse(raw, ENTRY)
    except ContractError as e:
        raise Damaged(str(e)) from None
    if entry.key != key:
        raise Damaged(f"{ENTRY} is the entry of key {entry.key}")
    problem = damaged_file(folder, entry.files)
    if problem:
        raise Damaged(problem)
    try:
        sidecar = Sidecar.read(folder / entry.file("sidecar").name)
    except ContractError as e:
        raise Damaged(str(e).replace(str(folder) + "/", "")) from None
    master = entry.file("master").name
    try:
        info = probe(folder / master)
    except Exception as e:  # PyAV's errors: a file that is no video
        raise Damaged(f"{master} unreadable ({e})") from None
    fps = Fraction(entry.fps)
    one_frame = 1 / info.fps if info.fps else 1.0
    checks = [
        ("frames", entry.frames, info.frames, entry.frames == info.frames),
        ("fps", entry.fps, str(info.fps), fps == info.fps),
        ("size", f"{entry.width}x{entry.height}", f"{info.width}x{info.height}",
         (entry.width, entry.height) == (info.width, info.height)),
        ("duration", entry.duration, info.duration, abs(entry.duration - info.duration) < one_frame / 2),
    ]
    for name, said, found, ok in checks:
        if not ok:
            raise Damaged(f"{ENTRY} says {name} {said}, {master} has {found}")
    if abs(sidecar.duration - info.duration) > 1.5 * one_frame:
        raise Damaged(f"the sidecar's duration {sidecar.duration:g} s is not {master}'s {info.duration:g} s")
    return Stored(folder, entry, sidecar, info)



def remove(path: Path) -> None:
    """Remove a file, a link or a folder tree, whichever `path` is (nothing if it is gone)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class Cache:
    """`CACHE/entries/<key>/` (renders), `CACHE/tex/` (LaTeX SVGs), `CACHE/speech/` (synthesised
    speech per beat), `CACHE/work/` and `CACHE/runs/` (each live render's own; see sigsat.runs),
    `CACHE/logs/` (each chapter's last log).

    Renders share a cache safely: an entry is published whole (its files linked into a folder
    of a unique name, then renamed to the key) and removed by renaming it away first; a render
    pins the entries it uses by hard-linking their files into its own folder and checks the
    pinned copy, so nothing another render does to the cache meanwhile reaches it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries = root / "entries"
        self.speech = root / "speech"
        self.work = root / "work"
        self.runs = root / "runs"
        self.tex = root / "tex"
        self.logs = root / "logs"
        self.parts = root / "parts"  # parts of chapters (sigsat.parts), published as entries are
        self.plans = root / "plans"  # each chapter's last plan: a hint for the next render
        self.stills = root / "stills"  # resting pictures in another theme, for handouts (sigsat.stills)

    def folders(self) -> tuple[Path, ...]:
        """The cache's own folders (a file or a FIFO in the place of one is a fault to mend)."""
        return (self.entries, self.speech, self.work, self.runs, self.tex, self.logs, self.parts, self.plans,
                self.stills)

    def drop_strange(self) -> list[Path]:
        """Remove what is neither a file nor a folder among the speech and the plan hints (a FIFO
        there would hang the reader that opens it, a link would be read from outside the cache).
        Returns what went."""
        gone = []
        for folder in (self.speech, self.plans):
            if not folder.is_dir() or folder.is_symlink():
                continue
            for path in folder.iterdir():
                mode = path.lstat().st_mode
                if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                    path.unlink(missing_ok=True)
                    gone.append(path)
        return gone

    def parts_store(self) -> Cache:
        """The store of parts (CACHE/parts/), as a Cache whose entries are parts (published,
        pinned and removed as entries are)."""
        store = Cache(self.root)
        store.entries = self.parts
        return store

    def folder(self, key: str) -> Path:
        """Where the entry of a key lives."""
        return self.entries / key

    def get(self, key: str) -> tuple[Stored | None, str]:
        """The entry of a key if it is sound (see `verify`), else None and why not ('' when
        there is none at all)."""
        folder = self.folder(key)
        if not folder.exists() and not folder.is_symlink():
            return None, ""
        try:
            return verify(folder, key), ""
        except Damaged as e:
            return None, str(e)

    def pin(self, key: str, into: Path) -> tuple[Stored | None, str]:
        """The entry of a key, its files hard-linked into `into` (a render's own folder) and
        checked there; else None and why not ('' when there is none, or it went meanwhile)."""
        folder = self.folder(key)
        if not folder.exists() and not folder.is_symlink():
            return None, ""
        if not folder.is_dir() or folder.is_symlink():
            return None, f"{key} is not a folder"
        if not self.link_in(key, into):
            return None, ""
        try:
            return verify(into, key), ""
        except Damaged as e:
            remove(into)
            return None, str(e)

    def link_in(self, key: str, into: Path) -> bool:
        """The files of key's entry hard-linked into `into` (a new folder of a render's own);
        False, and `into` gone, when the entry was removed by another render as they were linked."""
        into.mkdir(parents=True)
        try:
            for path in self.folder(key).iterdir():
                if path.is_file() and not path.is_symlink():
                    link_or_copy(path, into / path.name)
        except FileNotFoundError:
            remove(into)
            return False
        return True

    def publish(self, entry: Path, key: str) -> None:
        """Make the finished entry in `entry` the cache's entry of `key`, whole or not at all;
        `entry` stays (the render that made it uses it). An entry another render published
        first is kept if it is sound: the bytes are a function of the key."""
        self.entries.mkdir(parents=True, exist_ok=True)
        for _attempt in range(2):
            tmp = self.entries / f".{key}.{uuid.uuid4().hex}{TMP}"
            tmp.mkdir()
            try:
                for path in entry.iterdir():
                    link_or_copy(path, tmp / path.name)
                os.rename(tmp, self.folder(key))
                return
            except OSError as e:
                remove(tmp)
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
            stored, damage = self.get(key)
            if stored is not None:
                return
            if damage:  # a damaged one in the way: replaced, once
                self.discard(key)

    def discard(self, key: str) -> None:
        """Remove an entry (a folder, or whatever took its place) so it can be rendered again:
        renamed out of the way first, so nobody finds half of it."""
        folder = self.folder(key)
        if not folder.exists() and not folder.is_symlink():
            return
        trash = self.entries / f".{key}.{uuid.uuid4().hex}{TRASH}"
        try:
            os.rename(folder, trash)
        except FileNotFoundError:  # discarded by another render at the same moment
            return
        remove(trash)

    def stale(self, older_than: float = STALE_SECONDS) -> list[Path]:
        """Half-published and half-discarded entries left by killed renders (a publish or a
        discard takes milliseconds; these are older than `older_than` seconds)."""
        now = time.time()
        found = []
        for folder in {self.entries, self.parts, self.stills}:
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.name.startswith(".") and path.name.endswith((TMP, TRASH)):
                    try:
                        if now - path.lstat().st_mtime > older_than:
                            found.append(path)
                    except FileNotFoundError:
                        continue
        return sorted(found)
