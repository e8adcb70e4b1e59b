"""Text of the overview's deck (汇报材料 for a scope: the briefing's content as slides) and of the map
slide's label thinning."""

TEXT: dict[str, dict[str, str]] = {
    "deck.scope.download": {"zh": "导出 PowerPoint（汇报材料）", "en": "Export PowerPoint (briefing deck)"},
    "deck.scope.help": {
        "zh": "本范围和时段的简报内容做成可编辑的 16:9 演示文稿：核心指标、原生图表、矢量地图、各项清单，"
              "备注中附口径和来源。",
        "en": "The briefing of this scope and period as an editable 16:9 deck: headline figures, native charts, "
              "a vector map, the lists, with definitions and sources in the speaker notes.",
    },
    "deck.scope.cover": {"zh": "汇报材料", "en": "Meeting deck"},
    "deck.scope.map": {"zh": "地图：{measure}", "en": "Map: {measure}"},
    "deck.scope.rows": {"zh": "显示前 {shown} 行，共 {total} 行；完整清单见看板或打印版简报。",
                        "en": "First {shown} of {total} rows; the full list is on the dashboard and in the "
                              "printable briefing."},
    "deck.scope.dropped": {"zh": "出于隐私，演示文稿不含诉求人姓名和电话列。",
                           "en": "For privacy the deck leaves out the requester's name and phone columns."},
    "deck.scope.bad_scope": {
        "zh": "范围“{value}”无效：请用 district、街道代码或社区代码",
        "en": "Scope “{value}” is not valid: use district, a street code or a community code",
    },
    "deck.scope.bad_period": {
        "zh": "时段“{value}”无效：请用 all、年份（如 2023）或季度（如 2023-Q3），且在数据范围内",
        "en": "Period “{value}” is not valid: use all, a year (2023) or a quarter (2023-Q3) within the data",
    },
    "deck.scope.month_hint": {"zh": "（{month} 在 {quarter} 内；该月的汇报材料见 --bulletin {month}）",
                              "en": " ({month} is in {quarter}; the month's own deck is --bulletin {month})"},
    "deck.def.channels": {"zh": "诉求渠道：各渠道受理的诉求件数及其中已办结件数。",
                          "en": "Channels: requests received through each channel, and how many were resolved."},
    "deck.def.events": {"zh": "共治参与：时段内各类共治活动的场次。",
                        "en": "Participation: events of each kind held in the period."},
    "deck.def.safety": {"zh": "平安成效：每月警情与纠纷的件数。",
                        "en": "Safety outcomes: alerts and disputes per month."},
    "deck.def.headline": {
        "zh": "核心指标与总览页相同：项目按申报时间、诉求按受理时间计入时段；存量（合作单位等）按时段末计。",
        "en": "The overview's figures: projects by filing date, requests by receipt date; stocks (partner units) "
              "at the period's end.",
    },
    "deck.unlabelled": {"zh": "地图上因空间不足未标注名称：{names}（图形名称为 unit:代码）。",
                        "en": "Left unlabelled on the map for lack of room: {names} (shape names are unit:<code>)."},
}
