"""The command line's side of the voice: `--voice` and `--recordings`, checked before anything
renders, the beats a recording did not cover, and `sigsat script` (the narration as Markdown and
CSV, for a lecturer who records their own voice)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from sigsat_core.contract import Layout, Manifest, VoiceSpec
from sigsat_core.speech.recordings import RecordingError, listing, survey, unmatched

from .commons import UsageProblem
from .logger import logger

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_VOICE = "kokoro"
# The bundled Piper voice's old name is still understood.
_PIPER = ("piper", "joe")


def voice_options(func: F) -> F:
    """--voice kokoro[:NAME]|piper|none|PATH.onnx and --recordings DIR."""
    func = click.option(
        "--recordings", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="A folder of your own recordings, DIR/<chapter>/<beat>.wav|flac|mp3 (see `sigsat "
             "script` for the beats); they replace the synthetic voice beat by beat.")(func)
    func = click.option(
        "--voice", default=DEFAULT_VOICE, show_default=True, metavar="kokoro[:NAME]|piper|none|PATH.onnx",
        help="Who narrates: 'kokoro' (Kokoro-82M, voice af_heart; 'kokoro:am_puck' for the other "
             "shipped voice), 'piper' (the fast draft voice en_US-joe-medium), another Piper voice "
             "file (its .onnx.json beside it), or 'none' for a silent draft timed as Kokoro would "
             "speak.")(func)
    return func


def voice_spec(voice: str) -> VoiceSpec:
    """The VoiceSpec of a --voice value; a bad one is a UsageProblem naming what is allowed."""
    from sigsat_core.speech.kokoro import voices

    kind, _, name = voice.partition(":")
    if kind == "kokoro":
        if name and name not in voices():
            raise UsageProblem(f"--voice {voice!r}: no Kokoro voice {name!r} (there are: "
                               f"{', '.join(voices())})")
        return VoiceSpec(kind="kokoro", name=name or None)
    if voice in _PIPER:
        return VoiceSpec(kind="piper")
    if voice == "none":
        return VoiceSpec(kind="none")
    path = Path(voice)
    if path.suffix != ".onnx":
        raise UsageProblem(f"--voice {voice!r}: use 'kokoro[:NAME]', 'piper', 'none' or a Piper voice "
                           "file PATH.onnx")
    if not path.is_file():
        raise UsageProblem(f"--voice {voice!r}: no such file")
    if not Path(f"{path}.json").is_file():
        raise UsageProblem(f"--voice {voice!r}: its config {path.name}.json must lie beside it")
    return VoiceSpec(kind="piper", model=str(path.resolve()))


def check_recordings(folder: Path, chapters: Sequence[str]) -> None:
    """Decode every recording of these chapters up front: one that cannot be used stops the run
    before anything is written (one line naming the file)."""
    if not folder.is_dir():
        raise UsageProblem(f"--recordings {str(folder)!r}: no such folder")
    try:
        survey(folder, chapters)
    except RecordingError as e:
        raise UsageProblem(str(e)) from None


def report_recordings(manifest: Manifest, folder: Path) -> None:
    """Which beats kept the synthetic voice, and which recordings matched no beat."""
    spoken = [f"{c.slug}/{b.id}" for c in manifest.chapters for b in c.beats
              if b.source != "recording" and b.text]
    if spoken:
        logger.info("%d beats have no recording and keep the synthetic voice: %s", len(spoken),
                    ", ".join(spoken))
    beats = {c.slug: [b.id for b in c.beats] for c in manifest.chapters}
    for path in unmatched(listing(folder, list(beats)), beats):
        logger.warning("%s matches no beat of %s (see `sigsat script`)", path, path.parent.name)


def script_rows(manifest: Manifest) -> list[dict[str, str]]:
    """The narration, beat by beat: chapter, beat id, section, seconds, text as spoken, as written."""
    return [{"chapter": c.slug, "beat": b.id, "section": b.section, "start": f"{c.start + b.start:.2f}",
             "seconds": f"{b.speech:.2f}", "source": b.source, "spoken": b.spoken, "written": b.text}
            for c in manifest.chapters for b in c.beats if b.text]


def script_csv(manifest: Manifest) -> str:
    """The narration script as CSV."""
    rows = script_rows(manifest)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["chapter"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def script_markdown(manifest: Manifest) -> str:
    """The narration script as Markdown: per chapter, per beat its id, duration and words."""
    out = [f"# {manifest.title}: narration script", "",
           "Record a beat as `<recordings>/<chapter>/<beat>.wav` (or .flac, .mp3) and render with "
           "`--recordings <recordings>`; beats without a recording keep the synthetic voice.", ""]
    for c in manifest.chapters:
        out += [f"## {c.number}. {c.title} (`{c.slug}`)", ""]
        for b in c.beats:
            if b.text:
                out += [f"**`{b.id}`** · {b.speech:.1f} s · {b.source}", "", b.spoken, ""]
    return "\n".join(out)


def write_script(root: Path, manifest: Manifest) -> tuple[Path, Path]:
    """OUT/<quality>/script.md and script.csv."""
    from .outputs import write_if_changed

    md, table = root / Layout.SCRIPT_MD, root / Layout.SCRIPT_CSV
    write_if_changed(md, script_markdown(manifest))
    write_if_changed(table, script_csv(manifest))
    return md, table
