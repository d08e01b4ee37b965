"""The speech cache: each beat's speech kept by text, voice and recording, safe across processes."""

# An entry is `<key>.wav` (float32 mono, exactly the samples) and `<key>.json` (text, rate,
# anchors, bookmarks, timing, and the wav's sha256), both written under a temporary name and
# moved into place with os.replace, json last: a reader sees a whole entry or none, and an
# entry whose wav does not match its json is made again.

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..files import read_regular, sha256_file
from .audio import RATE, Samples
from .engine import Speech, Voice, estimate
from .recordings import decode

# Bump when what an entry holds, or how a recording becomes Speech, changes.
STORE_VERSION = "1"
_IEEE_FLOAT = 3


def speech_key(text: str, voice_id: str, recording_sha256: str | None = None) -> str:
    """The key of a beat's speech: its text as written, the voice's id, the recording's hash."""
    payload = {"store": STORE_VERSION, "text": text, "voice": voice_id, "recording": recording_sha256}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def wav_bytes(samples: Samples, rate: int) -> bytes:
    """A mono 32-bit float WAV: exact samples, and it plays in any player."""
    data = np.ascontiguousarray(samples, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHHH", _IEEE_FLOAT, 1, rate, rate * 4, 4, 32, 0)
    # Non-PCM WAV carries a 'fact' chunk with the sample count.
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"fact" + struct.pack("<II", 4, len(data) // 4)
            + b"data" + struct.pack("<I", len(data)) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def read_wav(blob: bytes) -> tuple[Samples, int]:
    """Samples and rate of a mono float WAV as wav_bytes writes it."""
    if blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    position, rate, data = 12, 0, None
    while position + 8 <= len(blob):
        name, size = blob[position:position + 4], struct.unpack("<I", blob[position + 4:position + 8])[0]
        chunk = blob[position + 8:position + 8 + size]
        if name == b"fmt ":
            tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", chunk[:16])
            if (tag, channels, bits) != (_IEEE_FLOAT, 1, 32):
                raise ValueError("not mono 32-bit float")
        elif name == b"data":
            data = chunk
        position += 8 + size + (size & 1)
    if not rate or data is None or len(data) % 4:
        raise ValueError("no fmt or data chunk")
    return np.frombuffer(data, dtype="<f4").astype(np.float32), rate


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def from_recording(text: str, recording: Path, rate: int = RATE) -> Speech:
    """A recording as Speech; its times are the estimate's, stretched to the recording's length."""
    samples = decode(recording, rate)
    guess = estimate(text)
    stretch = len(samples) / rate / guess.duration if guess.duration > 0 else 0.0
    return Speech(guess.text, samples, rate, [(offset, t * stretch) for offset, t in guess.anchors],
                  {name: t * stretch for name, t in guess.bookmarks.items()}, "estimated")


class SpeechStore:
    """Speech per beat in one folder, made once for each text, voice and recording."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def key(self, text: str, voice: Voice, recording: Path | None = None) -> str:
        """The entry's key (a recording is hashed by content: re-recorded, it is a new entry)."""
        return speech_key(text, voice.id, sha256_file(recording) if recording is not None else None)

    def paths(self, key: str) -> tuple[Path, Path]:
        """The entry's wav and json."""
        return self.root / f"{key}.wav", self.root / f"{key}.json"

    def get(self, key: str) -> Speech | None:
        """The stored speech, or None when there is none or it is incomplete or changed."""
        wav, meta = self.paths(key)
        try:
            # Never through a link, never waiting on a FIFO planted in the cache.
            info: dict[str, Any] = json.loads(read_regular(meta).decode("utf-8"))
            blob = read_regular(wav)
        except (OSError, ValueError):  # missing, not a plain file, or not JSON: not stored
            return None
        if info.get("store") != STORE_VERSION or info.get("sha256") != hashlib.sha256(blob).hexdigest():
            return None
        try:
            samples, rate = read_wav(blob)
        except (ValueError, struct.error):
            return None
        return Speech(info["text"], samples, rate, [(int(o), float(t)) for o, t in info["anchors"]],
                      {str(k): float(v) for k, v in info["bookmarks"].items()}, info["timing"])

    def put(self, key: str, speech: Speech, voice_id: str = "", recording: Path | None = None) -> None:
        """Store the speech under the key: wav first, then the json that vouches for it."""
        self.root.mkdir(parents=True, exist_ok=True)
        wav, meta = self.paths(key)
        blob = wav_bytes(speech.samples, speech.rate)
        _write_atomically(wav, blob)
        info = {"store": STORE_VERSION, "key": key, "text": speech.text, "voice": voice_id,
                "recording": str(recording) if recording is not None else None,
                "rate": speech.rate, "samples": len(speech.samples), "duration": speech.duration,
                "sha256": hashlib.sha256(blob).hexdigest(), "timing": speech.timing,
                "anchors": speech.anchors, "bookmarks": speech.bookmarks}
        _write_atomically(meta, (json.dumps(info, indent=1, ensure_ascii=False) + "\n").encode())

    def export(self, keys: Iterable[str], into: Path) -> None:
        """Copy these entries into another folder (a Dask worker's speech, sent to its client)."""
        into.mkdir(parents=True, exist_ok=True)
        for key in keys:
            for path in self.paths(key):
                shutil.copyfile(path, into / path.name)

    def adopt(self, folder: Path) -> None:
        """Take in the entries another store exported to `folder` (wav first, then its json)."""
        if not folder.is_dir():
            return
        for meta in sorted(folder.glob("*.json")):
            wav = meta.with_suffix(".wav")
            mine_wav, mine_meta = self.paths(meta.stem)
            self.root.mkdir(parents=True, exist_ok=True)
            _write_atomically(mine_wav, wav.read_bytes())
            _write_atomically(mine_meta, meta.read_bytes())

    def get_or_make(self, text: str, voice: Voice, recording: Path | None = None) -> Speech:
        """The beat's speech: from the store, else spoken (or the recording decoded) and stored."""
        key = self.key(text, voice, recording)
        found = self.get(key)
        if found is not None:
            return found
        speech = from_recording(text, recording) if recording is not None else voice.speak(text)
        # Two processes may make the same entry at once: both write the same content, and
        # each file lands whole, so either one's is fine.
        self.put(key, speech, voice.id, recording)
        return speech
