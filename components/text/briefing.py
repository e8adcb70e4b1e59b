"""Text of the printable briefing (one HTML file of the current scope, for A4)."""

TEXT = {
    "briefing.button": {"zh": "生成简报 (打印版)", "en": "Briefing (printable)"},
    "briefing.button.help": {
        "zh": "下载当前范围和时段的简报（单个 HTML 文件，无需联网），用浏览器打开后按 Ctrl+P 打印为 A4。",
        "en": "Download a briefing of the current scope and period (one HTML file, works offline); "
              "open it in a browser and print to A4 with Ctrl+P.",
    },
    "briefing.title": {"zh": "龙岗区基层社会治理简报", "en": "Longgang grassroots governance briefing"},
    "briefing.running": {
        "zh": "范围：{place}\u3000时段：{period}\u3000数据截至：{date}",
        "en": "Scope: {place} · Period: {period} · Data as of {date}",
    },
    "briefing.generated": {"zh": "生成时间：{time}", "en": "Generated {time}"},
    "briefing.print_hint": {
        "zh": "打印：浏览器中按 Ctrl+P（Mac 为 ⌘P），纸张选 A4，勾选“背景图形”。",
        "en": "To print: Ctrl+P (⌘P on a Mac), paper A4, with background graphics.",
    },
    "briefing.contents": {"zh": "目录", "en": "Contents"},
    "briefing.headline": {"zh": "核心指标", "en": "Headline figures"},
    "briefing.previous": {"zh": "上期 {value}", "en": "previous {value}"},
    "briefing.charts": {"zh": "关键图表", "en": "Key charts"},
    "briefing.backlog.by_status": {"zh": "按状态", "en": "By status"},
    "briefing.gap": {"zh": "资源供需缺口", "en": "Resource gaps"},
    "briefing.scorecard": {"zh": "考核评价", "en": "Evaluation scorecard"},
    "briefing.scorecard.unit": {"zh": "{unit}：综合得分 {score}", "en": "{unit}: composite {score}"},
    "briefing.counted": {"zh": "{title}（{n}）", "en": "{title} ({n})"},
    "briefing.bulletin": {"zh": "月度通报", "en": "Monthly bulletin"},
    "briefing.bulletin.none": {"zh": "该时段没有可生成通报的月份。", "en": "No month of this period to report on."},
    "briefing.labelled": {"zh": "{label}：{value}", "en": "{label}: {value}"},
}
