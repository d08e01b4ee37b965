"""The records that cross a boundary, in one place: the job a worker gets, the sidecar a scene
writes, the manifest the renderer writes and the presentation reads, and the output layout.

Each record has one writer and one reader, and a `version`: a file written by another version
is refused with one line that says so, never half-read. The models are frozen pydantic models
(as manim-slides' `PresentationConfig` is) that forbid unknown keys, so a typo in a writer fails
where it is made, not in a reader three steps later.

Nothing in this module imports manim: the scenes, the renderer and the presentation all use it.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .files import NotRegular, read_regular, replace_atomically

VERSION = 3

M = TypeVar("M", bound="Record")


class ContractError(RuntimeError):
    """A record file that is missing, unreadable, of another version, or not of its schema."""


class Record(BaseModel):
    """A frozen, strict record with a version; read and written as JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = VERSION

    @classmethod
    def read(cls: type[M], path: Path) -> M:
        """The record in `path`; ContractError (one line) when it cannot be used."""
        kind = cls.__name__.lower()
        try:
            raw = json.loads(read_regular(path).decode("utf-8"))
        except FileNotFoundError:
            raise ContractError(f"{path}: no such {kind} file") from None
        except NotRegular as e:
            raise ContractError(f"{e.strerror}: not a readable {kind}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
            raise ContractError(f"{path}: not a readable {kind} ({str(e)[:200]})") from None
        return cls.parse(raw, str(path))

    @classmethod
    def parse(cls: type[M], raw: Any, where: str = "") -> M:
        """The record from decoded JSON, checking its version first."""
        kind = cls.__name__.lower()
        where = where or kind
        version = raw.get("version") if isinstance(raw, dict) else None
        if version != VERSION:
            article = "an" if kind[0] in "aeiou" else "a"
            raise ContractError(
                f"{where}: {article} {kind} of version {version!r}, and this sigsat reads version "
                f"{VERSION}: render again with this sigsat")
        try:
            return cls.model_validate(raw)
        except ValidationError as e:
            first = e.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise ContractError(f"{where}: {kind} field {loc!r}: {first['msg']}") from None

    def dumps(self) -> str:
        """The JSON text (UTF-8, indented, newline-terminated)."""
        return self.model_dump_json(indent=2) + "\n"

    def write(self, path: Path) -> None:
        """Write the record atomically (a temporary name created exclusively, then a rename: never
        through a link planted at either name)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(path, self.dumps().encode("utf-8"))


class Item(BaseModel):
    """A frozen, strict item inside a record (no version of its own)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# What a worker gets.

class Quality(Item):
    """A render size and frame rate (`doc`: what it is for, as `--help` says it)."""

    name: str
    width: int
    height: int
    fps: int
    doc: str = ""

    @property
    def label(self) -> str:
        """`1920x1080 at 30 fps`."""
        return f"{self.width}x{self.height} at {self.fps} fps"

    @property
    def gif_fps(self) -> int:
        """The GIF's frame rate: GIF delays are whole hundredths of a second, so the rate must
        divide 100 (30 fps would play 10 % slow); at most 20 to keep files small."""
        return max(r for r in (1, 2, 4, 5, 10, 20) if r <= min(self.fps, 20))


class VoiceSpec(Item):
    """Who speaks: Kokoro-82M with one of its voices (`name` None is the default narrator),
    Piper with a model file (`model` None is the bundled draft voice 'joe'), or nobody
    (`kind` "none": silent, timed as the default narrator would be)."""

    kind: Literal["kokoro", "piper", "none"] = "kokoro"
    model: str | None = None
    name: str | None = None


class Job(Record):
    """One chapter to render, as the renderer hands it to `python -m sigsat.worker`."""

    module: str
    scene: str
    slug: str
    title: str
    quality: Quality
    format: str
    transparent: bool
    params: dict[str, Any]  # flat `group.key` -> value: every parameter in force
    work: str  # a private folder for this job
    tex_dir: str  # the LaTeX SVGs shared by renders (linked into a private folder, new ones given back)
    speech_dir: str  # synthesised speech cache, shared by all renders
    cache: str | None  # CACHE: where finished parts and entries are published (None: not here, a Dask worker)
    key: str
    inputs: dict[str, Any]  # what its key was hashed from
    source: str = ""  # the hash of the code that renders it (a Dask worker with other code refuses)
    voice: VoiceSpec = VoiceSpec()
    recordings: str | None = None  # a folder of the lecturer's own recordings
    parent_pid: int | None = None  # the render's pid: the worker stops when it dies (None: its parent)
    # "plan": replay the whole chapter unseen, writing its sidecar and Plan (no video);
    # "part": draw sections `first`..`last` (replaying those before) into a part's video;
    # "whole": draw every section, writing the sidecar, the Plan and every part as it closes.
    mode: Literal["plan", "part", "whole"] = "part"
    first: int = 0
    last: int = -1  # -1: to the chapter's end
    keep_lossless: bool = False  # keep manim's lossless movie in the part (tests compare frames)
    only: list[int] | None = None  # draw exactly these sections instead (tests: every other one)
    stills: bool = False  # a plan also saves each section's resting picture, `stills/NN.png`

    @property
    def process(self) -> str:
        """The folder, in `work`, of this job's process: `plan`, `whole` or `part-<first>`
        (the processes of one chapter share its work folder and run at once)."""
        return self.mode if self.mode != "part" else f"part-{self.first}"


class Failure(Record):
    """Why a job failed, as the worker reports it to the renderer: the chapter's own error (and
    where in its file), or a fault of the environment the user can mend (a full disk...)."""

    kind: Literal["chapter", "environment"]
    error: str  # one line
    where: str = ""


# How a worker's stdout carries its Failure: this prefix, then the record as JSON, on one line.
FAILURE_LINE = "sigsat-worker-failure: "


# What a scene writes.

class LedgerRow(Item):
    """One number on screen: its label, the sigsat_math call and its screen forms."""

    label: str
    func: str
    args: list[Any]
    pick: int | None = None
    value: float
    style: dict[str, Any]
    text: str
    tex: str
    spoken: str = ""


class Section(Item):
    """A beat's section of the clip: name, start and end (seconds), and what the layout check
    found wrong in its frames."""

    name: str
    start: float
    end: float = 0.0
    layout: list[str] = []
    # When the section's picture is complete: the end of its last animation that leaves
    # something on screen (not a wait, not a fade or uncreate that removes); None: it has none.
    rest: float | None = None


class Cue(Item):
    """A caption: from `start` to `end` seconds (into the clip, or the lecture), its text
    (at most two lines) and the section it belongs to."""

    start: float
    end: float
    text: str
    section: str = ""


# The section of the beat where a chapter stops for the viewer to try a practice problem
# (ChapterScene.pause_and_try writes it): the beat before it asks the question, the beats after
# it work the answer. The problem sheets of `sigsat variants` read the problems this way.
PAUSE_SECTION = "pause and try"


class Beat(Item):
    """One beat's narration: what is written (captions) and said (voice), where the speech
    starts in the clip and how long it lasts, and where it came from."""

    id: str
    section: str
    text: str
    spoken: str
    start: float  # the beat's start in the clip
    speech: float  # the speech's length in seconds (0 for a beat with nothing to say)
    source: Literal["kokoro", "piper", "recording", "estimate", "none"] = "none"
    timing: Literal["aligned", "estimated", "recording", "none"] = "none"
    audio: str | None = None  # the speech's file name in the speech cache


class Loop(Item):
    """A short loop a chapter offers for other decks: `start` and `length` seconds in its clip,
    played forth and back when `pingpong` (a sweep that returns)."""

    name: str
    start: float
    length: float
    pingpong: bool = False
    what: str


class SceneReport(Item):
    """What a chapter's scene reports about itself: the parameters it read, its sections and
    beats, captions, numbers and loops. The sidecar carries it, and the manifest's chapter row."""

    reads: list[str]
    params: dict[str, Any]
    sections: list[Section]
    beats: list[Beat]
    cues: list[Cue]
    ledger: list[LedgerRow]
    loops: list[Loop]

    def report(self) -> dict[str, Any]:
        """The fields of the report alone (to build another record that carries it)."""
        return {name: getattr(self, name) for name in SceneReport.model_fields}


class Sidecar(Record, SceneReport):
    """What a chapter's scene writes beside its movie: its report, its name and length.

    Every field is required: the scene writes them all, and a sidecar missing one (its cues,
    say) is a damaged one, not a chapter without captions.
    """

    scene: str
    title: str
    duration: float


class PlanSection(Item):
    """A section as the renderer splits a chapter: its name, its frames (end exclusive), and
    every parameter read up to its end (what its frames can depend on; sorted)."""

    name: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    reads: list[str]


class Plan(Record):
    """A chapter's sections for rendering in parts (the scene writes it beside its sidecar)."""

    scene: str
    fps: int = Field(gt=0)  # a plan hint edited to 0 divided by zero on every render
    frames: int = Field(ge=0)
    sections: list[PlanSection]


class PartEntry(Record):
    """A rendered part in the cache (`CACHE/parts/<key>/part.json`): its frames and files."""

    key: str
    slug: str
    first: int
    last: int
    frames: int = Field(gt=0)
    files: dict[str, EntryFile]


PART_FILE = "part.json"  # a part's PartEntry, in its folder


class StillsEntry(Record):
    """A chapter's resting pictures in the cache (`CACHE/stills/<key>/stills.json`), one PNG
    per section in order: what a handout in another theme shows (sigsat.stills)."""

    key: str
    slug: str
    sections: list[str]
    files: list[EntryFile]


STILLS_FILE = "stills.json"  # a chapter's StillsEntry, in its folder
STILLS_DIR = "stills"  # in a plan's folder (Job.stills): each section's resting picture, NN.png
LOSSLESS = "lossless.mov"  # manim's lossless movie of a part, where it is kept


# What the worker stores in the cache.

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
ENTRY_ROLES = ("master", "audio", "poster", "sidecar")  # and "clip", in formats other than mp4


class EntryFile(Item):
    """A file of a cache entry: its plain name in the entry's folder, size and sha256."""

    name: str
    size: int = Field(ge=0)
    sha256: str

    @field_validator("name")
    @classmethod
    def _plain(cls, name: str) -> str:
        if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
            raise ValueError(f"{name!r} is not a plain file name in the entry's folder")
        return name

    @field_validator("sha256")
    @classmethod
    def _hex(cls, digest: str) -> str:
        if not _SHA256.match(digest):
            raise ValueError("not a sha256 in hex")
        return digest

    @classmethod
    def of(cls, path: Path) -> EntryFile:
        """The record of the file at `path` (its size and sha256, read now)."""
        from .files import sha256_file

        return cls(name=path.name, size=path.stat().st_size, sha256=sha256_file(path))


class Entry(Record):
    """A chapter's render in the cache (`CACHE/entries/<key>/entry.json`): the worker writes it,
    the renderer reads it, and checks it against the files it names before using it."""

    key: str
    inputs: dict[str, Any]  # what its key was hashed from
    slug: str
    scene: str
    files: dict[str, EntryFile]
    duration: float = Field(gt=0)
    frames: int = Field(gt=0)
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    fps: str  # a fraction, "30" or "30000/1001"
    poster_time: float | None = None
    render_seconds: float = Field(ge=0)
    part_keys: list[str] = Field(default_factory=list)  # the parts it was joined from (CACHE/parts)

    @field_validator("files")
    @classmethod
    def _roles(cls, files: dict[str, EntryFile]) -> dict[str, EntryFile]:
        missing = [role for role in ENTRY_ROLES if role not in files]
        unknown = sorted(set(files) - {*ENTRY_ROLES, "clip"})
        if missing or unknown:
            raise ValueError(f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}")
        return files

    @field_validator("fps")
    @classmethod
    def _rate(cls, fps: str) -> str:
        try:
            ok = Fraction(fps) > 0
        except (ValueError, ZeroDivisionError):
            ok = False
        if not ok:
            raise ValueError(f"{fps!r} is not a frame rate")
        return fps

    def file(self, role: str) -> EntryFile:
        """One of its files: master, audio, poster, sidecar, or the clip (the master for mp4)."""
        return self.files["master"] if role == "clip" and "clip" not in self.files else self.files[role]


# What the renderer writes.

class ChapterRecord(SceneReport):
    """A rendered chapter in the manifest: its files (relative to the output folder), where it
    starts in the lecture, and what its scene reported (SceneReport's fields)."""

    number: int
    slug: str
    scene: str
    title: str
    file: str
    poster: str
    start: float
    duration: float
    frames: int
    size: int
    sha256: str
    poster_time: float | None
    cache_key: str
    key_inputs: dict[str, Any]  # what its cache key was hashed from
    status: Literal["rendered", "cached"]
    captions: dict[str, str]  # the chapter's own caption files by format (vtt, srt)


class ChapterMark(Item):
    """A chapter mark of lecture.mp4 (seconds)."""

    title: str
    start: float
    end: float


class LectureRecord(Item):
    """lecture.mp4 and its captions."""

    file: str
    srt: str
    vtt: str
    key: str
    duration: float
    size: int
    sha256: str
    chapters: list[ChapterMark]


class RunRecord(Item):
    """What the run that wrote the manifest did."""

    rendered: list[str]
    cached: list[str]
    jobs: int
    seconds: float


class Manifest(Record):
    """An output folder's table of contents: the renderer writes it, `sigsat.present` reads it.
    What the presenting commands add beside it is in `Extras`, which they write."""

    sigsat: str
    title: str
    quality: str
    width: int
    height: int
    fps: int
    format: str
    transparent: bool
    theme: str
    voice: VoiceSpec
    tools: dict[str, str]
    params: dict[str, Any]
    lecture: LectureRecord
    chapters: list[ChapterRecord]
    run: RunRecord


class Extras(Record):
    """What the presenting commands added to an output folder (decks, handouts, embeds), by
    role, relative to the folder (`OUT/<quality>/extras.json`): they register themselves here,
    so the index page links what exists, wherever it is. The presenting commands are its one
    writer; a render carries it into the next version of the folder with the files it names."""

    files: dict[str, str] = {}

    def with_files(self, **files: str | None) -> Extras:
        """A copy that registers (or, with None, forgets) files by role."""
        found = dict(self.files)
        for role, rel in files.items():
            if rel is None:
                found.pop(role, None)
            else:
                found[role] = rel
        return self.model_copy(update={"files": dict(sorted(found.items()))})


# What the presenting commands write (each registers its record in `Extras`).

class DeckStep(Item):
    """One slide: its section, its clip (relative to the output folder), and the stretch of
    the chapter's clip it plays (seconds), resting on `still`."""

    section: str
    heading: str
    file: str
    start: float
    end: float
    still: float


class DeckChapter(Item):
    """A chapter's slides in a deck: the first one's number (0-based) and each step."""

    slug: str
    scene: str
    first_slide: int
    steps: list[DeckStep]


class Deck(Record):
    """A deck `sigsat slides` wrote: its files (relative to the output folder; None when not
    made) and where each chapter's slides are."""

    name: str
    html: str | None
    pptx: str | None
    one_file: str | None
    chapters: list[DeckChapter]
    made_from: dict[str, str] = {}  # slug -> the sha256 of the chapter clip its slides were cut from


class HandoutPage(Item):
    """A handout page: the chapter and step it shows, its frame, and the frame's time in the
    chapter's clip."""

    page: int
    slug: str
    section: str
    heading: str
    frame: str
    time: float


class Handout(Record):
    """A handout `sigsat handout` wrote: the PDF, its stills' theme, and what each page shows."""

    name: str
    pdf: str
    theme: str
    pages: list[HandoutPage]
    made_from: dict[str, str] = {}  # slug -> the sha256 of the chapter clip its pages show
    stills: list[str] = []  # the cache keys of the pictures it shows in another theme (sigsat.stills)


class EmbedChapter(Item):
    """A chapter's files for other decks: the MP4 and its loops (name -> GIF and MP4)."""

    slug: str
    mp4: str
    loops: dict[str, dict[str, str]] = {}


class Embeds(Record):
    """What `sigsat embed` wrote, per chapter."""

    chapters: list[EmbedChapter]
    made_from: dict[str, str] = {}  # slug -> the sha256 of the chapter clip its files were made from


# Roles of the records the presenting commands register in `Extras`: a deck or a
# handout under `<role>:<name>` (several may exist), the embeds under `embed`.
DECK = "slides"
HANDOUT = "handout"
EMBED = "embed"


def named(role: str, name: str) -> str:
    """The extras key of a named deck or handout: `slides:lecture`."""
    return f"{role}:{name}"


# The output folder's layout.

class Layout:
    """Where each output lives in `OUT/<quality>/` (every writer and reader asks here)."""

    MANIFEST = "manifest.json"
    EXTRAS = "extras.json"
    LECTURE = "lecture.mp4"
    SRT = "lecture.srt"
    VTT = "lecture.vtt"
    INDEX = "index.html"
    SCRIPT_MD = "script.md"
    SCRIPT_CSV = "script.csv"
    CLIPS = "clips"
    POSTERS = "posters"
    CAPTIONS = "captions"
    SLIDES = "slides"
    HANDOUT = "handout"
    EMBED = "embed"

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def manifest(self) -> Path:
        """manifest.json."""
        return self.root / self.MANIFEST

    @property
    def lecture(self) -> Path:
        """lecture.mp4."""
        return self.root / self.LECTURE

    def clip(self, stem: str, ext: str) -> Path:
        """clips/NN_slug.ext."""
        return self.root / self.CLIPS / f"{stem}.{ext}"

    def poster(self, stem: str) -> Path:
        """posters/NN_slug.png."""
        return self.root / self.POSTERS / f"{stem}.png"

    def chapter_captions(self, stem: str, ext: str) -> Path:
        """captions/NN_slug.vtt (or .srt)."""
        return self.root / self.CAPTIONS / f"{stem}.{ext}"

    def rel(self, path: Path) -> str:
        """`path` relative to the folder, with forward slashes (for the manifest and links)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()
