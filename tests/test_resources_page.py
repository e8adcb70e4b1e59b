"""The 资源共享 (Resources) page, run headless with Streamlit's AppTest at district and street scope."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from apptest_support import every_section, metrics, open_app, tables
from streamlit.testing.v1 import AppTest

from data_access import geography, resources
from data_access.scope import Scope, period_options

ROOT = Path(__file__).resolve().parent.parent
BUJI = "440307014"
PAGE = "pages/resources_page.py"
SECTIONS = ["gap", "catalogue", "partners", "venues", "fund", "flows"]


def run_page(**params) -> AppTest:
    return open_app("pages/resources_page.py", timeout=180, **params)


def frame_with(at, column: str):
    frames = [frame for frame in tables(at) if column in frame.columns]
    assert frames, column
    return frames[0]


def whole_scope(db, **kw) -> Scope:
    return Scope(period_options(*geography.data_range(db))[0], **kw)


def test_district_page_shows_the_articles_figures_and_the_gap_list(sqlite_db):
    at = every_section(PAGE, SECTIONS)
    assert at.title[0].value == "资源共享"
    shown = metrics(at)
    assert shown["资源清单"] == "42"
    assert shown["服务清单"] == "38"
    assert shown["参与单位和社会组织"] == "992"
    assert shown["爱心商家"] == "981"
    assert shown["承接公共服务"] == "373"
    assert shown["共享场地"] == "380"
    assert shown["社区服务基金筹集"] == "533.0万元"
    # the gap list names exactly the communities the documented rule flags, in its order
    expected = resources.demand_gap_ranking(sqlite_db, whole_scope(sqlite_db))
    gap_list = frame_with(at, "缺口分")
    assert list(gap_list["社区"]) == list(expected.loc[expected["flagged"], "community_name"])
    assert list(gap_list["排名"]) == list(range(1, len(gap_list) + 1))
    assert any("缺口分 = 需求百分位 − 供给百分位" in m.value and "全区" in m.value for m in at.markdown)
    # catalogue tables: 42 resources and 38 services
    lists = [frame for frame in tables(at) if "最近使用" in frame.columns]
    assert [len(f) for f in lists] == [42, 38]
    # every table has its CSV download
    assert len(at.elements("download_button")) >= len(tables(at))
    assert len(at.elements("plotly_chart")) >= 8


def test_street_page_follows_the_scope(sqlite_db):
    district = metrics(run_page())
    st.cache_data.clear()
    at = every_section(PAGE, SECTIONS, street=BUJI)
    street = metrics(at)
    assert street["资源清单"] == "42" and street["服务清单"] == "38"  # district-wide lists
    for label in ("参与单位和社会组织", "共享场地", "社区服务基金筹集", "清单使用次数"):
        assert street[label] != district[label], label
    scope = whole_scope(sqlite_db, street=BUJI)
    assert street["共享场地"] == f"{len(resources.venue_list(sqlite_db, scope)):,}"
    assert "布吉街道" in at.caption[0].value
    assert any("本街道" in m.value for m in at.markdown)
    venues = frame_with(at, "开放时间")
    assert set(frame_with(at, "产权/管理单位")["街道"]) == {"布吉街道"}
    assert venues["场地数"].sum() == len(resources.venue_list(sqlite_db, scope))
    expected = resources.demand_gap_ranking(sqlite_db, scope)
    flagged = list(expected.loc[expected["flagged"], "community_name"])
    if flagged:
        assert list(frame_with(at, "缺口分")["社区"]) == flagged


def test_the_district_detail_per_community_and_kind_opens_on_request(sqlite_db):
    """Thousands of rows for a city's district: the table is read only when the toggle asks for it; a street's
    own is shown at once."""
    def details(at):
        return [frame for frame in tables(at) if {"社区", "资源类别"} <= set(frame.columns)]

    at = run_page()
    assert not details(at)
    at.toggle(key="resources_detail_district").set_value(True).run()
    kinds = resources.load_demand_map().resource_kinds
    assert [len(d) for d in details(at)] == [len(geography.communities(sqlite_db)) * len(kinds)]
    street = geography.communities(sqlite_db, whole_scope(sqlite_db, street=BUJI))
    assert [len(d) for d in details(run_page(street=BUJI))] == [len(street) * len(kinds)]


def test_english_page():
    at = run_page(lang="en")
    assert at.title[0].value == "Resource sharing"
    shown = metrics(at)
    assert shown["Resource list"] == "42"
    assert shown["Community fund raised"] == "¥5.33M"


def test_community_page_ranks_the_community_among_its_street(sqlite_db):
    community = geography.communities(sqlite_db, Scope(whole_scope(sqlite_db).period, street=BUJI))["code"].iloc[2]
    at = run_page(street=BUJI, community=community)
    expected = resources.demand_gap_ranking(sqlite_db, whole_scope(sqlite_db, street=BUJI, community=community))
    position = int(expected.index[expected["selected"]][0]) + 1
    chosen = [frame for frame in tables(at) if "缺口分" in frame.columns and frame["社区"].str.startswith("● ").any()]
    assert chosen and int(chosen[0]["排名"].iloc[0]) == position
    assert "本街道" in " ".join(m.value for m in at.markdown)


def test_a_long_gap_list_shows_its_worst_rows_and_the_whole_list_on_request(sqlite_db, monkeypatch):
    """A city flags a hundred communities or more: the worst ones at once, the whole worklist (and its
    download) in an expander drawn when opened."""
    from components import tables as screen_tables

    expected = resources.demand_gap_ranking(sqlite_db, whole_scope(sqlite_db))
    flagged = list(expected.loc[expected["flagged"], "community_name"])
    assert len(flagged) > 3
    monkeypatch.setattr(screen_tables, "SMALL_ROWS", 3)
    at = run_page()
    assert list(frame_with(at, "缺口分")["社区"]) == flagged[:3]
    assert any(f"全部 {len(flagged)} 个" in c.value for c in at.caption)
    assert "download-resources_gap_list" not in [b.key for b in at.get("download_button")]
    at.session_state["resources-gap-list-all"] = True
    at.run()
    whole = [frame for frame in tables(at) if "缺口分" in frame.columns and len(frame) == len(flagged)]
    assert whole and list(whole[0]["社区"]) == flagged
    assert "download-resources_gap_list" in [b.key for b in at.get("download_button")]
