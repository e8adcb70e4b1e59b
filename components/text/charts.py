"""Text of the charts' text alternatives (components/chart_text.py): the caption under every chart."""

TEXT: dict[str, dict[str, str]] = {
    "chart.fact.caption": {"zh": "图示要点：{facts}", "en": "Chart summary: {facts}"},
    "chart.fact.join": {"zh": "；", "en": "; "},
    "chart.fact.join_series": {"zh": "，", "en": ", "},
    "chart.fact.series": {"zh": "{name}：{facts}", "en": "{name}: {facts}"},
    "chart.fact.highest": {"zh": "最高 {label} {value}", "en": "highest {label} {value}"},
    "chart.fact.lowest": {"zh": "最低 {label} {value}", "en": "lowest {label} {value}"},
    "chart.fact.highest_total": {"zh": "合计最高 {label} {value}", "en": "highest total {label} {value}"},
    "chart.fact.lowest_total": {"zh": "合计最低 {label} {value}", "en": "lowest total {label} {value}"},
    "chart.fact.latest": {"zh": "最近 {label} {value}", "en": "latest {label} {value}"},
    "chart.fact.peak": {"zh": "峰值 {label} {value}", "en": "peak {label} {value}"},
    "chart.fact.funnel": {"zh": "{first} {first_value}，到{last} {last_value}（{share}）",
                          "en": "{first} {first_value}, to {last} {last_value} ({share})"},
    "chart.fact.cell": {"zh": "最高 {row} · {column} {value}", "en": "highest {row} · {column} {value}"},
    "chart.fact.flow": {"zh": "最大流向 {source} → {target} {value}", "en": "largest flow {source} → {target} {value}"},
    "chart.fact.distribution": {"zh": "共 {n} 个，中位数 {median}（{low}–{high}）",
                                "en": "{n} in all, median {median} ({low}–{high})"},
    "chart.fact.items": {"zh": "图中共 {n} 项，明细见表格", "en": "{n} items shown; the table has the details"},
    "chart.fact.empty": {"zh": "图中没有数据", "en": "The chart has no data"},
}
