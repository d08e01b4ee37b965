"""One voice seam: every `--voice` value becomes one VoiceSpec, one Voice, one cache key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigsat.commons import UsageProblem
from sigsat.narration import DEFAULT_VOICE, voice_spec
from sigsat_core.contract import VoiceSpec
from sigsat_core.speech import kokoro
from sigsat_core.speech.engine import PAUSES, SECONDS_PER_PHONEME, Estimate, Piper
from sigsat_core.speech.factory import credit, make_voice, voice_key
from sigsat_core.speech.kokoro import Kokoro


def test_each_voice_value_names_one_spec(tmp_path: Path) -> None:
    assert voice_spec(DEFAULT_VOICE) == VoiceSpec() == VoiceSpec(kind="kokoro")
    assert voice_spec("kokoro:am_puck") == VoiceSpec(kind="kokoro", name="am_puck")
    assert voice_spec("piper") == voice_spec("joe") == VoiceSpec(kind="piper")
    assert voice_spec("none") == VoiceSpec(kind="none")
    model = tmp_path / "other.onnx"
    model.write_bytes(b"x")
    Path(f"{model}.json").write_text("{}")
    assert voice_spec(str(model)) == VoiceSpec(kind="piper", model=str(model.resolve()))
    for bad in ("kokoro:af_nobody", "espeak", str(tmp_path / "missing.onnx")):
        with pytest.raises(UsageProblem):
            voice_spec(bad)


def test_the_factory_makes_each_voice() -> None:
    narrator = make_voice(VoiceSpec())
    assert isinstance(narrator, Kokoro) and narrator.voice == kokoro.DEFAULT_VOICE == "af_heart"
    assert isinstance(make_voice(VoiceSpec(kind="kokoro", name="am_puck")), Kokoro)
    assert isinstance(make_voice(VoiceSpec(kind="piper")), Piper)


def test_the_silent_draft_is_paced_like_the_default_narrator() -> None:
    draft = make_voice(VoiceSpec(kind="none"))
    assert isinstance(draft, Estimate)
    assert draft.seconds_per_phoneme == kokoro.ESTIMATE.seconds_per_phoneme
    assert draft.pause["between"] == kokoro.SENTENCE_PAUSE
    # Piper's own fit stays for the estimate of a Piper voice (and for recordings' first guess).
    assert (Estimate().seconds_per_phoneme, Estimate().pause) == (SECONDS_PER_PHONEME, dict(PAUSES))
    assert draft.id != Estimate().id


def test_the_cache_key_changes_with_the_voice_and_loads_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kokoro, "_load", lambda: pytest.fail("a cache key loaded the model"))
    keys = [voice_key(spec) for spec in (VoiceSpec(), VoiceSpec(kind="kokoro", name="am_puck"),
                                         VoiceSpec(kind="piper"), VoiceSpec(kind="none"))]
    assert len({repr(k) for k in keys}) == 4
    assert voice_key(VoiceSpec()) == voice_key(VoiceSpec(kind="kokoro", name="af_heart"))


def test_the_narrator_is_credited() -> None:
    assert credit(VoiceSpec()) == ("Kokoro-82M by hexgrad (Apache-2.0), voice af_heart, synthesised offline "
                                   "with kokoro-onnx")
    assert "am_puck" in credit(VoiceSpec(kind="kokoro", name="am_puck"))
    assert credit(VoiceSpec(kind="piper")) == "Piper (piper-tts), voice en_US-joe-medium"
    assert credit(VoiceSpec(kind="none")) == ""
