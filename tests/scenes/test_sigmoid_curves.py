"""The sigmoid chapter renders, shows sigsat_math's numbers, and keeps its layout clean."""

from __future__ import annotations

import pytest

from sigsat_math import params

pytestmark = pytest.mark.slow


def test_renders_with_clean_layout(render_chapter):
    data = render_chapter("sigmoid_curves", "SigmoidCurves")
    assert [s["name"] for s in data["sections"]][:2] == ["formulas", "curves"]
    for section in data["sections"]:
        assert section["layout"] == [], section["name"]
