"""components/alert_tables.py: stored alerts as the 预警 page shows them (no Streamlit)."""

from __future__ import annotations

import pandas as pd

from components.alert_tables import alerts_table, explain_link


def _alerts() -> pd.DataFrame:
    return pd.DataFrame({
        "severity": ["high", "low"], "rule_id": ["overdue_requests", "unknown_rule"],
        "unit_name": ["布吉街道", "南湾社区"], "reason": ["超期 12 件", "满意率 80%"],
        "reason_en": ["12 overdue", "80% satisfied"], "period": ["2023-10", "2023-08"],
        "first_seen": pd.to_datetime(["2023-11-01 08:30:00", "2023-09-02 17:05:00"]), "age_days": [3, 63],
        "status": ["open", "closed"], "measure": ["overdue_requests", "satisfaction_rate"],
        "street_code": ["440307014", "440307003"], "unit_level": ["street", "community"],
        "unit_code": ["440307014", "440307003001"],
    })


def test_alerts_read_in_chinese_with_a_link_each_to_the_page_that_explains_them():
    table = alerts_table(_alerts(), {"overdue_requests": "诉求超期"}, "zh")
    assert table.columns.tolist() == ["级别", "规则", "单位", "说明", "月份", "首次发现", "持续（天）", "状态", "查看"]
    row = table.iloc[0].tolist()
    assert row[1] == "诉求超期" and table.iloc[1, 1] == "unknown_rule"  # a rule no longer in force: its id
    assert row[5] == "2023-11-01 08:30" and row[6] == 3
    assert row[8] == "./requests?street=440307014&period=2023-Q4&section=backlog"
    assert table.iloc[1, 8] == explain_link(_alerts().iloc[1].to_dict())
    assert "community=440307003001" in table.iloc[1, 8]


def test_alerts_in_english_link_to_the_english_pages():
    table = alerts_table(_alerts(), {}, "en")
    assert table.iloc[0, 3] == "12 overdue"
    assert table.iloc[0, 8].endswith("&lang=en")


def test_no_alert_gives_the_columns_and_no_row():
    table = alerts_table(_alerts().iloc[0:0], {}, "zh")
    assert table.empty and len(table.columns) == 9
