"""The 数据管理 (Data) page: shown to the district office, with templates, checks and a report."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import open_app
from streamlit.testing.v1 import AppTest

from data_access.import_specs import SPECS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def open_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("LONGGANG_USERS_FILE", str(tmp_path / "no-users.toml"))  # the open demo: district


def data_page(sqlite_db) -> AppTest:
    return open_app("pages/data_page.py", timeout=120)


def test_district_sees_the_data_page_with_every_area(sqlite_db):
    at = data_page(sqlite_db)
    assert at.title[0].value == "数据管理"
    area = at.selectbox(key="data_area")
    assert area.options == [spec.title_zh for spec in SPECS.values()]
    assert at.checkbox(key="data_dry_run").value is False
    assert at.button(key="data_import")


def test_choosing_an_area_and_importing_without_a_file_asks_for_one(sqlite_db):
    at = data_page(sqlite_db)
    at.selectbox(key="data_area").select("requests").run()
    assert not at.exception
    at.button(key="data_import").click().run()
    assert not at.exception
    assert "请先选择要导入的文件" in at.warning[0].value


def test_english_labels(sqlite_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/data_page.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Data management"
    assert "Practice projects" in at.selectbox(key="data_area").options
