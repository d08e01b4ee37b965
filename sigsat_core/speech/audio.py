"""A chapter's soundtrack at 48 kHz: speech placed on the timeline, mastered, written and muxed."""

from __future__ import annotations

import math
import os
import re
import subprocess
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.audio.resampler import AudioResampler

from sigsat_core.encode import ffmpeg_exe
from sigsat_core.media import probe

Samples = npt.NDArray[np.float32]

RATE = 48000
# Spoken-word loudness for the web and podcasts: -16 LUFS as the delivered file measures. The
# file carries the voice on two identical channels (dual mono: every player puts it in the
# middle), which measures 3 dB louder than the one channel, so the mono track is mastered to
# -19 (AES TD1004's figure for mono). The voice 'joe' peaks ~22 dB over its loudness: mastered
# mono at -16 under -2 dBTP, the limiter would take >3 dB off 13 % of speech samples (at most
# 10.6 dB); at -19, 0.7 % (at most 5.2).
DELIVERED_LUFS = -16.0
TARGET_LUFS = DELIVERED_LUFS - 10 * math.log10(2)
# The promise is -1.5 dBTP in the delivered file; AAC's reconstruction overshoots peaks a
# little, so the master aims half a dB lower.
TRUE_PEAK_CEILING = -1.5
TRUE_PEAK_TARGET = -2.0
# Raised-cosine ramp at each placement's edges: short enough to keep the first consonant,
# long enough that a cut mid-wave makes no click.
FADE_SECONDS = 0.008
# libswresample with a long, sharp filter: PyAV's build has no soxr. Measured on 22050 ->
# 48000: a 10.5 kHz tone (near the old Nyquist) keeps full level and ~90 dB of SNR, where
# the default filter (16 taps a side) loses 2 dB and lets aliases through at -11 dB.
RESAMPLER_OPTIONS = {"filter_size": "128", "phase_shift": "12"}
# Without perceptual noise substitution: its noise comes from the decoder's own random state,
# so the same packets would decode a little differently in a chapter's clip and in the lecture
# (which copies them); at 160 kb/s the voice does not need it.
AAC = ("-c:a", "aac", "-b:a", "160k", "-aac_pns", "0", "-ar", str(RATE), "-ac", "2")
DUAL_MONO = "pan=stereo|c0=c0|c1=c0"
# Same inputs, same bytes: no encoder version strings, no dates, no global metadata.
BITEXACT = ("-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1")


@dataclass(frozen=True)
class Loudness:
    """EBU R128 figures of a track, as ffmpeg's ebur128 filter reports them (0.1 dB steps)."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float


def joined(frames: Iterable[av.AudioFrame]) -> Samples:
    """The samples of mono float frames, end to end."""
    pieces = [np.asarray(f.to_ndarray(), dtype=np.float32).reshape(-1) for f in frames]
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


def _resampled(samples: Samples, rate_in: int, rate_out: int, options: dict[str, str] | None) -> Samples:
    frame = av.AudioFrame.from_ndarray(samples[np.newaxis], format="flt", layout="mono")
    frame.sample_rate = rate_in
    resampler = AudioResampler(format="flt", layout="mono", rate=rate_out, options=options)
    return joined([*resampler.resample(frame), *resampler.resample(None)])


def resample(samples: Samples, rate_in: int, rate_out: int = RATE) -> Samples:
    """Mono float32 samples at another rate, delay-compensated, same duration."""
    samples = np.ascontiguousarray(samples, dtype=np.float32).reshape(-1)
    if rate_in == rate_out or len(samples) == 0:
        return samples.copy()
    return _resampled(samples, rate_in, rate_out, RESAMPLER_OPTIONS)


def _ramp(n: int) -> npt.NDArray[np.float64]:
    """Raised cosine from 0 towards 1 over n samples (0 and 1 themselves excluded)."""
    return 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)


def mix(placements: Sequence[tuple[float, Samples]], rate_in: int | Sequence[int], duration: float,
        rate: int = RATE) -> Samples:
    """Each speech from its start time (s) on silence of exactly round(duration * rate) samples."""
    # `rate_in` is every placement's rate, or one per placement. Placements are resampled,
    # their edges faded (also where the timeline's ends cut one), overlaps added, overflow cut.
    rates = [rate_in] * len(placements) if isinstance(rate_in, int) else list(rate_in)
    if len(rates) != len(placements):
        raise ValueError(f"{len(placements)} placements but {len(rates)} rates")
    total = max(round(duration * rate), 0)
    track = np.zeros(total, dtype=np.float64)
    fade = max(round(FADE_SECONDS * rate), 1)
    for (start, samples), r in zip(placements, rates, strict=True):
        y = resample(samples, r, rate).astype(np.float64)
        begin = round(start * rate)
        if begin < 0:
            y, begin = y[-begin:], 0
        y = y[:max(total - begin, 0)]
        if len(y) == 0:
            continue
        n = min(fade, len(y) // 2)
        if n:
            y[:n] *= _ramp(n)
            y[len(y) - n:] *= _ramp(n)[::-1]
        track[begin:begin + len(y)] += y
    return track.astype(np.float32)


# -- loudness --------------------------------------------------------------------------------

_SUMMARY = re.compile(r"Integrated loudness:\s*I:\s*(?P<i>\S+) LUFS.*?Loudness range:\s*LRA:\s*(?P<lra>\S+) LU"
                      r"(?:.*?True peak:\s*Peak:\s*(?P<tp>\S+) dBFS)?", re.S)


def measure(source: Path | Samples, rate: int = RATE) -> Loudness:
    """Integrated loudness, true peak and loudness range by ffmpeg's ebur128 (first audio stream)."""
    return _ebur128(source, rate, peak=True)


def _ebur128(source: Path | Samples, rate: int, peak: bool) -> Loudness:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostats", "-loglevel", "info"]
    data: bytes | None = None
    if isinstance(source, Path):
        cmd += ["-nostdin", "-i", str(source), "-map", "0:a:0"]
    else:
        cmd += ["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]
        data = np.ascontiguousarray(source, dtype="<f4").tobytes()
    # framelog=verbose: the per-frame lines go below the log level, only the summary shows.
    # True peak (4x oversampling) is most of the cost: mastering's inner loop goes without.
    cmd += ["-af", f"ebur128=peak={'true' if peak else 'none'}:framelog=verbose", "-f", "null", "-"]
    done = subprocess.run(cmd, input=data, capture_output=True)
    stderr = done.stderr.decode(errors="replace")
    # The last summary is the whole track's.
    found = ([None, *_SUMMARY.finditer(stderr)])[-1]
    if done.returncode != 0 or found is None:
        last = stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise RuntimeError(f"ffmpeg ebur128 failed on {source if isinstance(source, Path) else 'samples'}: {last[0]}")
    return Loudness(float(found["i"]), float(found["tp"]) if found["tp"] else -math.inf, float(found["lra"]))


def _db(gain: float) -> float:
    return float(10 ** (gain / 20))


def true_peak_envelope(track: Samples, rate: int = RATE) -> npt.NDArray[np.float64]:
    """Per sample, the largest magnitude of the 4x oversampled signal around it (BS.1770 true peak)."""
    samples = np.ascontiguousarray(track, dtype=np.float32).reshape(-1)
    if len(samples) == 0:
        return np.zeros(0)
    # swr's default filter is plenty to find where peaks between samples lie, at a fifth of
    # the cost of RESAMPLER_OPTIONS at 192 kHz.
    over = np.abs(_resampled(samples, rate, rate * 4, None).astype(np.float64))
    over = np.pad(over, (0, max(4 * len(samples) - len(over), 0)))[:4 * len(samples)]
    peaks: npt.NDArray[np.float64] = np.maximum(over.reshape(-1, 4).max(axis=1), np.abs(samples).astype(np.float64))
    return peaks


def limit(track: Samples, ceiling_dbtp: float = TRUE_PEAK_TARGET, rate: int = RATE,
          envelope: npt.NDArray[np.float64] | None = None, attack_db_per_ms: float = 1.0,
          release_db_per_ms: float = 0.1) -> Samples:
    """A look-ahead true-peak limiter: gain falls before each peak, recovers after it, in dB ramps."""
    # Each sample needs max(0, true peak - ceiling) dB of reduction. Reduction then holds
    # after a peak and fades at `release_db_per_ms` (slow, so the gain does not follow the
    # waveform and distort it), and sets in before one at `attack_db_per_ms` (the whole track
    # is at hand, so the look-ahead is as long as a ramp needs). Both ramps only ever add
    # reduction, so no sample ends above the ceiling; below it nothing changes. `envelope` is
    # the track's true_peak_envelope, when the caller has it.
    x = np.asarray(track, dtype=np.float32).reshape(-1)
    if len(x) == 0:
        return x.copy()
    if envelope is None:
        envelope = true_peak_envelope(x, rate)
    need = np.maximum(20 * np.log10(np.maximum(envelope, 1e-12)) - ceiling_dbtp, 0.0)
    if not np.any(need):
        return x.copy()
    n = np.arange(len(x), dtype=np.float64)
    # reduction[i] = max over j <= i of need[j] - release * (i - j): a running maximum.
    release = release_db_per_ms * 1000 / rate
    reduction = np.maximum.accumulate(need + release * n) - release * n
    # The same backwards for the attack: max over j >= i of reduction[j] - attack * (j - i).
    attack = attack_db_per_ms * 1000 / rate
    reduction = (np.maximum.accumulate((reduction - attack * n)[::-1]))[::-1] + attack * n
    return (x.astype(np.float64) * 10 ** (-reduction / 20)).astype(np.float32)


def rotate_phase(track: Samples) -> Samples:
    """The track with every frequency's phase turned by the one angle that lowers its peak most."""
    # Voiced speech is lopsided (its glottal pulses point one way), so its peaks stand ~20 dB
    # above its loudness, and -16 LUFS under -2 dBTP needs heavy limiting. Turning all phases
    # alike (x cos a - H{x} sin a, H the Hilbert transform) keeps the spectrum, so the sound
    # and the loudness, and evens the waveform out: on the voice 'joe' the best of eight
    # angles lowers the peak by ~1.6 dB, that much less for the limiter to do.
    x = np.asarray(track, dtype=np.float64).reshape(-1)
    if len(x) < 2:
        return x.astype(np.float32)
    # Padded by a second at least: the transform is circular, the pad keeps the ends apart.
    size = 1 << (len(x) + RATE - 1).bit_length()
    hilbert = np.fft.irfft(-1j * np.fft.rfft(x, size), size)[:len(x)]
    angles = np.pi * np.arange(8) / 8
    peaks = [np.abs(x * np.cos(a) - hilbert * np.sin(a)).max() for a in angles]
    best = float(angles[int(np.argmin(peaks))])
    return np.asarray(x * np.cos(best) - hilbert * np.sin(best), dtype=np.float32)


def master(track: Samples, rate: int = RATE, target_lufs: float = TARGET_LUFS,
           peak_dbtp: float = TRUE_PEAK_TARGET) -> Samples:
    """The track at `target_lufs` integrated, true peak at most `peak_dbtp`; silence stays silent."""
    # Phase rotation first (rotate_phase), then gain, and the limiter for the peaks the gain
    # pushes over the ceiling; as the limiter takes some loudness too, the gain is found by
    # iteration until ebur128 reads the target (it reports 0.1 LU steps).
    x = np.asarray(track, dtype=np.float32).reshape(-1)
    if len(x) == 0 or not np.any(x):
        return x.copy()
    loudness = _ebur128(x, rate, peak=False).integrated_lufs
    if not math.isfinite(loudness) or loudness <= -70.0:
        # Below the absolute gate: nothing loud enough to measure, so nothing to level.
        return x.copy()
    x = rotate_phase(x)
    envelope = true_peak_envelope(x, rate)
    gain_db, slope = target_lufs - loudness, 1.0
    tried: list[tuple[float, float]] = []
    y = x
    for _ in range(8):
        gain = _db(gain_db)
        y = limit((x.astype(np.float64) * gain).astype(np.float32), peak_dbtp, rate, envelope * gain)
        error = target_lufs - _ebur128(y, rate, peak=False).integrated_lufs
        if abs(error) < 0.05:
            break
        if tried and gain_db != tried[-1][0]:
            # Loudness gained per dB of gain falls as the limiter works harder: the secant.
            slope = min(max((tried[-1][1] - error) / (gain_db - tried[-1][0]), 0.2), 1.0)
        tried.append((gain_db, error))
        gain_db += error / slope
    return y


# -- files -----------------------------------------------------------------------------------

def _temp(dest: Path) -> Path:
    return dest.with_name(f".{dest.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp{dest.suffix}")


def _ffmpeg(args: Sequence[str], data: bytes | None = None) -> None:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    if data is None:
        cmd.insert(1, "-nostdin")
    done = subprocess.run(cmd, input=data, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {' '.join(cmd)}\n{done.stderr.decode(errors='replace').strip()}")


def _raw_input(track: Samples, rate: int) -> tuple[list[str], bytes]:
    data = np.ascontiguousarray(np.clip(track, -1.0, 1.0), dtype="<f4").tobytes()
    return ["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"], data


def write_flac(track: Samples, path: Path, rate: int = RATE) -> None:
    """The track as 24-bit mono FLAC, written atomically, same bytes for the same samples."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp(path)
    try:
        args, data = _raw_input(track, rate)
        _ffmpeg([*args, "-c:a", "flac", "-sample_fmt", "s32", "-bits_per_raw_sample", "24", *BITEXACT,
                 str(tmp)], data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def mux(video: Path, track: Samples | Path, dest: Path, rate: int = RATE,
        ceiling_dbtp: float | None = TRUE_PEAK_CEILING) -> None:
    """The video's stream copied, with the track (samples at `rate`, or a file) as AAC-LC dual mono of equal length."""
    # The audio is padded or cut to frames * rate / fps samples; moov first (faststart);
    # deterministic bytes. The encoded audio's true peak is measured: where AAC's overshoot
    # crossed `ceiling_dbtp`, the audio is encoded again that much (and 0.1 dB) quieter.
    info = probe(video)
    samples = round(info.frames * rate / info.fps)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp(dest)
    data: bytes | None = None
    if isinstance(track, Path):
        audio_in = ["-i", str(track)]
    else:
        audio_in, data = _raw_input(track, rate)
    gain_db = 0.0
    try:
        for _ in range(3):
            volume = f"volume={gain_db:.2f}dB," if gain_db else ""
            fit = f"aresample={rate},apad=whole_len={samples},atrim=end_sample={samples}"
            _ffmpeg(["-i", str(video), *audio_in, "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
                     "-af", f"{volume}{fit},{DUAL_MONO}",
                     *AAC, "-movflags", "+faststart", *BITEXACT, str(tmp)], data)
            if ceiling_dbtp is None:
                break
            peak = measure(tmp).true_peak_dbtp
            if peak <= ceiling_dbtp:
                break
            gain_db -= peak - ceiling_dbtp + 0.1
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
