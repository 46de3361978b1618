"""Adding a chart family is one entry in analytics/families.py (issue #11): the district page, the
presentation, the deck and the warm-up all take their families from the registry.

The test does what a developer would: it adds a sixth family to the FAMILIES tuple in the module's
own source (a fresh interpreter, so every consumer imports the edited registry) and checks that each
consumer shows it without any other change."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import ROOT, load_tiny

SCRIPT = r'''
import io, json, os, sys, types
from pathlib import Path

sys.path.insert(0, os.environ["APP_ROOT"])
import analytics

# --- the edit: one entry, in the registry's own source ---------------------------------------------
path = Path(os.environ["APP_ROOT"]) / "analytics" / "families.py"
source = path.read_text(encoding="utf-8")
old = "FAMILIES: tuple[Family, ...] = (MIX, PROVINCIAL, ONLINE, LOW, PACE, TARGETS)"
assert source.count(old) == 1, "the registry's tuple moved: update this test"
extra = (
    "EXTRA = Family(key='extra', tag='extra', title='volume_cases', topic='volume_cases',\n"
    "               chart=Chart(queries.provincial_by_period, Lines('cases', 'unit_cases', 'volume_cases'),\n"
    "                           columns=('year', 'month', 'cases')),\n"
    "               numbers=_provincial_numbers)\n"
)
source = source.replace(old, extra + old.replace("TARGETS)", "TARGETS, EXTRA)"))
module = types.ModuleType("analytics.families")
module.__file__, module.__package__ = str(path), "analytics"
sys.modules["analytics.families"] = module
analytics.families = module
exec(compile(source, str(path), "exec"), module.__dict__)

# --- every consumer, unchanged --------------------------------------------------------------------
from analytics import report
from analytics.db import connect_store
from analytics.filters import Filters
from analytics.labels import t
from analytics.store import Store

out = {"topics": list(report.TOPICS)}
f = Filters(year=2019, compare_year=2018, districts=("甲片区",))
story = report.story(connect_store(Store(os.environ["DASHBOARD_DATA_DIR"])), f, "甲片区")
out["frame_rows"] = len(story.frames["extra"])
out["figure_traces"] = len(story.figure("extra").data)
out["numbers"] = story.key_numbers("extra")

report.to_png = lambda fig, *a, **k: bytes.fromhex(  # a 1x1 PNG: the deck's layout, not kaleido, is tested here
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
from pptx import Presentation
deck = Presentation(io.BytesIO(report.build_deck(story)))
out["slide_titles"] = [s.shapes.title.text if s.shapes.title is not None else
                       next((sh.text_frame.text for sh in s.shapes if sh.has_text_frame), "") for s in deck.slides]
out["volume_label"] = t("volume_cases", "zh")

from pages import common
out["warm_up"] = sorted({q.__name__ for q, _, _ in common.first_visit(f, "甲片区")})

from streamlit.testing.v1 import AppTest

PAGE = """
import streamlit as st
from pages import common, district
common.init_from_link()
st.session_state["filters"] = common.sidebar_filters(show_district=False)
district.render("甲片区")
"""
at = AppTest.from_string(PAGE, default_timeout=60)
at.run()
out["exception"] = [e.value for e in at.exception]
out["subheaders"] = [s.value for s in at.subheader]
print("RESULT" + json.dumps(out, ensure_ascii=False))
'''


def test_a_family_added_to_the_registry_appears_everywhere(tmp_path):
    load_tiny(tmp_path)
    env = {**os.environ, "APP_ROOT": str(ROOT), "DASHBOARD_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, done.stderr[-3000:]
    out = json.loads(line[len("RESULT"):])
    label = out["volume_label"]  # 销量(箱): the new family's title and topic
    assert out["topics"][-3:] == ["extra", "districts", "summary"]  # a presentation screen, after 任务进度
    assert out["frame_rows"] > 0 and out["figure_traces"] == 1 and out["numbers"]
    assert label in out["slide_titles"]  # a deck slide of its own
    assert "provincial_by_period" in out["warm_up"]
    assert not out["exception"], out["exception"]
    assert out["subheaders"].count(label) == 1, out["subheaders"]  # the district page draws it
