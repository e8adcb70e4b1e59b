"""Text of the 督办事项 shown at the next meeting: the show's panel, the deck's slide and the briefing's
section (the items themselves, their columns and statuses, are in the alerts section)."""

TEXT: dict[str, dict[str, str]] = {
    "show.panel.followups": {"zh": "督办事项", "en": "Follow-up items"},
    "show.err.period_followups": {
        "zh": "督办事项面板不按时段筛选（列出当前未办结的事项）：period 请省略或写 all，而不是「{value}」。",
        "en": "the follow-up panel is not filtered by period (it lists the items not yet finished): "
              "leave period out or write all, not “{value}”.",
    },
    "show.followups.as_at": {"zh": "督办状态截至 {date}", "en": "Follow-up status as at {date}"},
    "show.followups.kpi.active": {"zh": "未办结", "en": "Not finished"},
    "show.followups.kpi.overdue": {"zh": "已逾期", "en": "Overdue"},
    "show.followups.kpi.open": {"zh": "办理中", "en": "In progress"},
    "show.followups.kpi.awaiting": {"zh": "待核实", "en": "Awaiting verification"},
    "show.followups.none": {
        "zh": "该范围没有未办结的督办事项。",
        "en": "No follow-up items left to finish in this scope.",
    },
    "show.followups.more": {
        "zh": "另有 {n} 项未列出，见「预警督办」页的督办清单。",
        "en": "{n} more items are listed on the Alerts page's follow-up tab.",
    },
    "show.followups.rule": {
        "zh": "办理中与待核实的事项，逾期在前；逾期按 {date} 计；最新进展为最近一条进展、情况说明或退回原因。",
        "en": "Items in progress or awaiting verification, overdue first; overdue as at {date}; the latest note "
              "is the last progress note, explanation or reason for sending back.",
    },
    "followup.col.latest_note": {"zh": "最新进展", "en": "Latest note"},
    "followup.overdue_days": {"zh": "逾期 {n} 天", "en": "{n} days overdue"},
    "followup.no_note": {"zh": "—", "en": "—"},
    "deck.def.followups": {
        "zh": "督办事项：区级交办、责任街道或社区办理的事项（预警督办页），列出办理中与待核实的事项；"
              "逾期为已过办结期限而未经核实办结。",
        "en": "Follow-up items: tasks the district gave a street or community (Alerts page), those in progress "
              "or awaiting verification; overdue means past the due date and not yet verified as done.",
    },
    "briefing.followups": {"zh": "督办事项", "en": "Follow-up items"},
    "briefing.followups.table": {
        "zh": "未办结督办事项（{n} 项，其中逾期 {overdue} 项）",
        "en": "Follow-up items not finished ({n}, of which {overdue} overdue)",
    },
}
