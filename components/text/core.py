"""Text of the app shell, the scope sidebar, shared labels and the overview page."""

TEXT: dict[str, dict[str, str]] = {
    # app shell
    "app.title": {"zh": "龙岗区基层社会治理看板", "en": "Longgang Grassroots Governance Dashboard"},
    "app.subtitle": {"zh": "“龙岭模式”共建共治共享", "en": "The Longling model: co-building, co-governance, sharing"},
    "nav.overview": {"zh": "总览", "en": "Overview"},
    "sidebar.scope": {"zh": "查看范围", "en": "Scope"},
    "sidebar.street": {"zh": "街道", "en": "Street"},
    "sidebar.community": {"zh": "社区", "en": "Community"},
    "sidebar.period": {"zh": "时段", "en": "Period"},
    "sidebar.language": {"zh": "语言", "en": "Language"},
    "sidebar.all_streets": {"zh": "全部街道", "en": "All streets"},
    "sidebar.all_communities": {"zh": "全部社区", "en": "All communities"},
    "sidebar.alerts": {"zh": "预警 {n}", "en": "Alerts {n}"},
    "sidebar.as_of": {"zh": "数据截至 {date}", "en": "Data as of {date}"},
    "sidebar.refreshed": {"zh": "数据更新于 {time}", "en": "Data refreshed {time}"},
    "sidebar.sync_stale": {
        "zh": "数据同步已超过 {hours:g} 小时未成功（最近成功：{time}），数据可能不是最新的。",
        "en": "No successful data sync for over {hours:g} hours (last success: {time}); the data may be out of date.",
    },
    "sidebar.sync_never": {
        "zh": "数据同步尚未成功过，数据可能不是最新的。",
        "en": "The data sync has not succeeded yet; the data may be out of date.",
    },
    "sidebar.sample_note": {
        "zh": "演示数据：按公开报道数字校准的合成数据，社区区划为示意。",
        "en": "Demo data: synthetic, calibrated to published figures; community shapes are schematic.",
    },
    "period.all": {"zh": "全部（{start} 至 {end}）", "en": "All ({start} to {end})"},
    "period.year": {"zh": "{year}年", "en": "{year}"},
    "period.year_partial": {"zh": "{year}年（截至{end}）", "en": "{year} (to {end})"},
    "period.quarter": {"zh": "{year}年第{q}季度", "en": "{year} Q{q}"},
    "district": {"zh": "龙岗区", "en": "Longgang District"},
    "notice.bad_params": {
        "zh": "链接中的参数无效，已忽略：{params}",
        "en": "Ignored invalid link parameters: {params}",
    },
    "error.database": {
        "zh": "暂时无法连接数据库，请稍后重试。（{detail}）",
        "en": "The database cannot be reached right now. Please try again. ({detail})",
    },
    "error.retry": {"zh": "重试", "en": "Retry"},
    # scope caption
    "caption.scope": {
        "zh": "范围：{place}　时段：{period}　数据截至：{date}",
        "en": "Scope: {place} · Period: {period} · Data as of {date}",
    },
    "caption.delta": {
        "zh": "变化对比上一同期：{prev}",
        "en": "Changes compare with the same span before: {prev}",
    },
    "caption.no_delta": {
        "zh": "该时段没有可对比的上一同期数据。",
        "en": "No earlier like-for-like period to compare with.",
    },
    # overview
    "overview.title": {"zh": "总览", "en": "Overview"},
    "overview.kpi.projects": {"zh": "实践项目", "en": "Practice projects"},
    "overview.kpi.projects.help": {
        "zh": "该时段内申报的社会治理实践项目数（状态为截至数据日期）。",
        "en": "Practice projects applied for in the period (status as of the data date).",
    },
    "overview.kpi.completed": {"zh": "已完成项目", "en": "Projects completed"},
    "overview.kpi.difficulties": {"zh": "解决实际困难", "en": "Difficulties solved"},
    "overview.kpi.received": {"zh": "诉求受理", "en": "Requests received"},
    "overview.kpi.resolved": {"zh": "诉求办结", "en": "Requests resolved"},
    "overview.kpi.platform_resolved": {"zh": "其中平安码上办办结", "en": "Resolved via Ping'an platform"},
    "overview.kpi.platform_resolved.help": {
        "zh": "通过“平安码上办”线上平台提交并已办结的诉求。",
        "en": "Requests submitted through the Ping'an online platform and resolved.",
    },
    "overview.kpi.wishes_posted": {"zh": "微心愿征集", "en": "Micro wishes posted"},
    "overview.row.projects": {"zh": "项目、参与和资源", "en": "Projects, participation and resources"},
    "overview.row.requests": {"zh": "居民诉求和微心愿", "en": "Resident requests and micro wishes"},
    "overview.kpi.rate": {"zh": "办结率", "en": "Resolution rate"},
    "overview.kpi.median_days": {"zh": "办结用时中位数", "en": "Median time to resolve"},
    "overview.kpi.median_days.help": {
        "zh": "从提交到办结的天数中位数，越短越好。",
        "en": "Median days from submission to resolution; lower is better.",
    },
    "overview.kpi.wishes": {"zh": "微心愿实现", "en": "Micro wishes fulfilled"},
    "overview.kpi.volunteers": {"zh": "新增志愿者", "en": "New volunteers"},
    "overview.kpi.partners": {"zh": "参与单位和社会组织", "en": "Partner units"},
    "overview.kpi.partners.help": {
        "zh": "截至时段末参与基层治理的企事业单位、社区社会组织和物业服务企业（爱心商家另计）。",
        "en": "Enterprises, institutions, social organisations and property firms taking part by the period's end "
        "(caring merchants counted apart).",
    },
    "overview.kpi.resource_uses": {"zh": "资源服务使用", "en": "Resource uses"},
    "overview.kpi.fund": {"zh": "社区服务基金筹集", "en": "Community fund raised"},
    "overview.channels": {"zh": "诉求渠道", "en": "Request channels"},
    "overview.channels.caption": {
        "zh": "各渠道该时段受理的诉求及其中已办结的数量。",
        "en": "Requests received per channel in the period and how many of them are resolved.",
    },
    "overview.trend": {"zh": "诉求月度趋势", "en": "Requests by month"},
    "overview.stages": {"zh": "项目阶段", "en": "Projects by stage"},
    "overview.safety": {"zh": "平安成效", "en": "Safety outcomes"},
    "overview.safety.decline": {"zh": "{measure}年均下降", "en": "{measure}: average yearly decline"},
    "overview.safety.decline.help": {
        "zh": "年均下降 = 1 −（{last}年{months}合计 ÷ {first}年同期合计）^(1 ÷ {years})；"
        "{first}年 {t_first}，{last}年 {t_last}。",
        "en": "Average yearly decline = 1 − ({last} total for {months} ÷ same months of {first})^(1 ÷ {years}); "
        "{first}: {t_first}, {last}: {t_last}.",
    },
    "overview.safety.no_decline": {
        "zh": "该时段不足以计算年均降幅。",
        "en": "The period is too short for an average yearly decline.",
    },
    "overview.ranking": {"zh": "社区综合评价（{year}年）", "en": "Community composite score ({year})"},
    "overview.ranking.caption": {
        "zh": "综合得分按十个维度“实际÷目标”（越低越好者取倒数）封顶{cap}%后加权平均，100 表示恰好达标。",
        "en": "Composite: each of the ten dimensions as actual ÷ target (inverted where lower is better), "
        "capped at {cap}%, weighted; 100 means on target.",
    },
    "overview.ranking.top": {"zh": "前五名", "en": "Top 5"},
    "overview.ranking.bottom": {"zh": "后五名", "en": "Bottom 5"},
    "overview.participation": {"zh": "共治参与", "en": "Participation"},
    # empty states
    "empty.projects": {"zh": "该范围和时段内没有实践项目。", "en": "No practice projects in this scope and period."},
    "empty.requests": {"zh": "该范围和时段内没有居民诉求。", "en": "No resident requests in this scope and period."},
    "empty.safety": {"zh": "该范围和时段内没有平安数据。", "en": "No safety figures in this scope and period."},
    "empty.ranking": {"zh": "该时段没有考核评价数据。", "en": "No evaluation scores for this period."},
    "download.csv": {"zh": "下载 CSV", "en": "Download CSV"},
    # chart labels
    "label.month": {"zh": "月份", "en": "Month"},
    "label.received": {"zh": "受理", "en": "Received"},
    "label.resolved": {"zh": "办结", "en": "Resolved"},
    "label.projects": {"zh": "项目数", "en": "Projects"},
    "label.count": {"zh": "数量", "en": "Count"},
    "label.status": {"zh": "状态", "en": "Status"},
    "label.channel": {"zh": "渠道", "en": "Channel"},
    "label.community": {"zh": "社区", "en": "Community"},
    "label.street": {"zh": "街道", "en": "Street"},
    "label.composite": {"zh": "综合得分", "en": "Composite"},
    "label.rank": {"zh": "排名", "en": "Rank"},
    "label.events": {"zh": "场次", "en": "Events"},
    "label.kind": {"zh": "类型", "en": "Kind"},
    "unit.days": {"zh": "{value}天", "en": "{value} days"},
    "measure.criminal_alerts": {"zh": "刑事治安总警情", "en": "Criminal and public-security alerts"},
    "measure.neighbour_disputes": {"zh": "邻里纠纷", "en": "Neighbour disputes"},
    "measure.property_disputes": {"zh": "物业管理纠纷", "en": "Property-management disputes"},
    "months.range": {"zh": "{a}—{b}月", "en": "months {a}–{b}"},
    "months.single": {"zh": "{a}月", "en": "month {a}"},
}

VALUES_EN: dict[str, str] = {
    # project statuses
    "申报": "Applied", "立项": "Approved", "实施": "In progress", "验收": "Acceptance", "完成": "Completed",
    "暂停": "Suspended",
    # request channels
    "平安码上办": "Ping'an online platform", "智慧平安服务站": "Smart-safety service stations",
    "居民谈心": "Resident talks",
    # request categories
    "信访投诉": "Petitions and complaints", "纠纷化解": "Dispute resolution", "法律服务": "Legal services",
    "治安联防": "Joint security patrols", "心理咨询": "Counselling", "隐患上报": "Hazard reports",
    "物业管理": "Property management", "市容环境": "Streetscape and environment",
    # event kinds
    "联席会": "Joint meetings", "议事会": "Compound council sessions", "便民服务": "Convenience services",
    "志愿服务": "Volunteer-team services", "教育活动": "Education activities",
}
