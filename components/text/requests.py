"""Text of the 诉求办理 (resident requests) page and its charts."""

from data_access.domain import REQUEST_STATUSES, WISH_CLAIMER_KINDS, WISH_STATUSES

_STATUS_EN = {"待受理": "Received", "已受理": "Accepted", "办理中": "In progress", "已办结": "Resolved",
              "已关闭": "Closed", "已退回": "Returned", "已上报": "Escalated"}
_CLAIMER_EN = {"党员": "Party members", "网格员": "Grid workers", "志愿者": "Volunteers",
               "爱心商家": "Caring merchants"}
_WISH_STATUS_EN = {"已发布": "Posted", "已认领": "Claimed", "已实现": "Fulfilled"}

TEXT: dict[str, dict[str, str]] = {
    "nav.requests": {"zh": "诉求办理", "en": "Requests"},
    "requests.title": {"zh": "诉求办理", "en": "Resident requests"},
    # KPI row
    "requests.kpi.received": {"zh": "诉求受理", "en": "Requests received"},
    "requests.kpi.resolved": {"zh": "诉求办结", "en": "Requests resolved"},
    "requests.kpi.platform_resolved": {"zh": "平安码上办办结", "en": "Resolved via Ping'an platform"},
    "requests.kpi.platform_resolved.help": {
        "zh": "通过“平安码上办”线上平台提交、截至数据日期已办结的诉求。",
        "en": "Requests submitted through the Ping'an online platform and resolved by the data date.",
    },
    "requests.kpi.rate": {"zh": "办结率", "en": "Resolution rate"},
    "requests.kpi.median": {"zh": "办结用时中位数", "en": "Median time to resolve"},
    "requests.kpi.p90": {"zh": "办结用时90分位", "en": "90th-percentile time"},
    "requests.kpi.time.help": {
        "zh": "从提交到办结的天数，按线性插值计算分位数（仅统计已办结诉求）。",
        "en": "Days from submission to resolution; percentiles by linear interpolation (resolved requests only).",
    },
    "requests.kpi.on_time": {"zh": "按时办结率", "en": "Resolved on time"},
    "requests.kpi.on_time.help": {
        "zh": "已办结诉求中，用时不超过所属类别办理时限的比例（恰好等于时限算按时）。",
        "en": "Share of resolved requests that took no longer than their category's target (exactly at "
              "the target counts as on time).",
    },
    "requests.kpi.open": {"zh": "未办结诉求", "en": "Open requests"},
    "requests.kpi.open.help": {
        "zh": "当前状态为待受理、已受理、办理中或已上报的诉求（已退回的不计）。",
        "en": "Requests now received, accepted, in progress or escalated (returned ones excluded).",
    },
    "requests.kpi.satisfaction": {"zh": "平均满意度", "en": "Average satisfaction"},
    "requests.score": {"zh": "{value}分", "en": "{value} / 5"},
    # sections
    "requests.section.volumes": {"zh": "诉求量", "en": "Volumes"},
    "requests.by_month": {"zh": "按月受理和办结", "en": "Received and resolved by month"},
    "requests.by_channel": {"zh": "按渠道", "en": "By channel"},
    "requests.by_category": {"zh": "按类别", "en": "By category"},
    "requests.by_category.table": {"zh": "按类别明细", "en": "By category, in detail"},
    "requests.by_category.caption": {
        "zh": "条形标注为受理量及较上一同期的变化。",
        "en": "Bar labels give requests received and the change against the previous period.",
    },
    "requests.change": {"zh": "较上一同期", "en": "Change"},
    "requests.no_previous": {
        "zh": "该时段没有上一同期，变化无法计算；选择某一年或某一季度可查看变化。",
        "en": "This period has no previous like-for-like span; pick a year or a quarter to see changes.",
    },
    "requests.section.funnel": {"zh": "办理流程", "en": "Status funnel"},
    "requests.funnel.caption": {
        "zh": "依据状态变更记录：每个环节为曾经到达该状态的诉求数；退回、上报另计。",
        "en": "From the status history: requests that ever reached each status; returned and escalated "
              "shown apart.",
    },
    "requests.funnel.returned": {"zh": "已退回", "en": "Returned"},
    "requests.funnel.escalated": {"zh": "已上报", "en": "Escalated"},
    "requests.funnel.current": {"zh": "当前状态分布", "en": "Current status"},
    "requests.section.responsiveness": {"zh": "办理时效", "en": "Responsiveness"},
    "requests.targets": {"zh": "办理时限（天）", "en": "Target days to resolve"},
    "requests.targets.caption": {
        "zh": "时限在配置文件 config/request_targets.toml 中设置，修改后刷新即生效。",
        "en": "Targets are set in config/request_targets.toml; edit the file and refresh to apply them.",
    },
    "requests.league": {"zh": "办理时效排行", "en": "Responsiveness league table"},
    "requests.league.caption": {
        "zh": "按办结用时中位数由快到慢排名；“较全区”为与全区平均的差值（天数越少越好，按时率越高越好）。"
              "全区：中位数 {median}，按时办结率 {share}。",
        "en": "Ranked by median time to resolve, fastest first; “vs district” is the difference from the "
              "district figure (fewer days and a higher on-time share are better). District: median {median}, "
              "on time {share}.",
    },
    "requests.league.category": {"zh": "按类别", "en": "By category"},
    "requests.league.street": {"zh": "按街道", "en": "By street"},
    "requests.league.community": {"zh": "按社区", "en": "By community"},
    "requests.league.chart": {"zh": "办结用时（中位数与90分位）", "en": "Time to resolve (median and p90)"},
    "requests.section.backlog": {"zh": "积压诉求", "en": "Backlog"},
    "requests.backlog.caption": {
        "zh": "未办结诉求（待受理、已受理、办理中、已上报），“搁置天数”为最后一次状态变更至数据日期 {date} 的天数。",
        "en": "Open requests (received, accepted, in progress, escalated); “idle days” counts from the last "
              "status change to the data date {date}.",
    },
    "requests.backlog.stalest": {
        "zh": "搁置最久的未办结诉求（前 {n} 件）",
        "en": "Open requests untouched longest (top {n})",
    },
    "requests.backlog.none": {
        "zh": "该范围和时段内没有未办结诉求。",
        "en": "No open requests in this scope and period.",
    },
    "requests.section.residents": {"zh": "人均诉求和增长", "en": "Per resident and growth"},
    "requests.per_thousand": {
        "zh": "每千名居民诉求数（前 {n} 个社区）",
        "en": "Requests per 1,000 residents (top {n})",
    },
    "requests.growth": {"zh": "增长最快的类别", "en": "Fastest-growing categories"},
    "requests.growth.caption": {"zh": "对比：{current} 与 {previous}", "en": "Comparing {current} with {previous}"},
    "requests.section.satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "requests.satisfaction.distribution": {"zh": "评分分布", "en": "Score distribution"},
    "requests.satisfaction.by_category": {"zh": "按类别平均满意度", "en": "Average by category"},
    "requests.satisfaction.by_street": {"zh": "按街道平均满意度", "en": "Average by street"},
    "requests.satisfaction.none": {"zh": "该范围和时段内没有满意度评价。", "en": "No satisfaction ratings here."},
    "requests.section.wishes": {"zh": "微心愿", "en": "Micro wishes"},
    "requests.wishes.posted": {"zh": "微心愿发布", "en": "Wishes posted"},
    "requests.wishes.claimed": {"zh": "已认领", "en": "Claimed"},
    "requests.wishes.fulfilled": {"zh": "微心愿实现", "en": "Wishes fulfilled"},
    "requests.wishes.fulfilled.help": {
        "zh": "该时段发布、截至数据日期已实现的微心愿，与报道中“微心愿实现”数字对应。",
        "en": "Micro wishes posted in the period and fulfilled by the data date; the article's published figure.",
    },
    "requests.wishes.later": {"zh": "{n}周以上", "en": "over {n} weeks"},
    "requests.wishes.median": {"zh": "发布至实现中位数", "en": "Median posting to fulfilment"},
    "requests.wishes.by_claimer": {"zh": "认领者", "en": "Who claims them"},
    "requests.wishes.weeks": {"zh": "发布至实现用时（周）", "en": "Weeks from posting to fulfilment"},
    "requests.wishes.week": {"zh": "第{n}周", "en": "week {n}"},
    "requests.wishes.none": {"zh": "该范围和时段内没有微心愿。", "en": "No micro wishes in this scope and period."},
    "requests.section.talks": {"zh": "居民谈心", "en": "Resident talks"},
    "requests.talks.collected": {"zh": "收集居民心愿诉求", "en": "Wishes and demands collected"},
    "requests.talks.resolved": {"zh": "直接解决", "en": "Resolved directly"},
    "requests.talks.rate": {"zh": "直接解决率", "en": "Resolved directly (share)"},
    "requests.talks.difficulties": {"zh": "项目解决实际困难", "en": "Practical difficulties solved (projects)"},
    "requests.section.export": {"zh": "数据导出", "en": "Export"},
    "requests.export.caption": {
        "zh": "导出当前范围和时段内最新的 {n} 件诉求（最多 {cap} 件，按提交时间倒序）；诉求人姓名和电话已脱敏。"
              "JSON 为 Open311 GeoReport v2 格式。",
        "en": "Exports the latest {n} requests of this scope and period (at most {cap}, newest first); requester "
              "names and phone numbers are masked. The JSON follows Open311 GeoReport v2.",
    },
    "requests.export.json": {"zh": "下载 Open311 JSON", "en": "Download Open311 JSON"},
    "requests.privacy": {
        "zh": "诉求人姓名、电话均已脱敏显示（如 张*、138****5678）。",
        "en": "Requester names and phone numbers are masked (e.g. 张*, 138****5678).",
    },
    # column headers
    "requests.col.category": {"zh": "类别", "en": "Category"},
    "requests.col.channel": {"zh": "渠道", "en": "Channel"},
    "requests.col.status": {"zh": "状态", "en": "Status"},
    "requests.col.received": {"zh": "受理", "en": "Received"},
    "requests.col.resolved": {"zh": "办结", "en": "Resolved"},
    "requests.col.resolution_rate": {"zh": "办结率", "en": "Resolution rate"},
    "requests.col.previous": {"zh": "上一同期", "en": "Previous"},
    "requests.col.change": {"zh": "变化", "en": "Change"},
    "requests.col.rank": {"zh": "排名", "en": "Rank"},
    "requests.col.name": {"zh": "名称", "en": "Name"},
    "requests.col.street": {"zh": "街道", "en": "Street"},
    "requests.col.community": {"zh": "社区", "en": "Community"},
    "requests.col.median_days": {"zh": "用时中位数（天）", "en": "Median (days)"},
    "requests.col.p90_days": {"zh": "用时90分位（天）", "en": "p90 (days)"},
    "requests.col.median_vs_district": {"zh": "中位数较全区（天）", "en": "Median vs district (days)"},
    "requests.col.on_time_share": {"zh": "按时办结率", "en": "On time"},
    "requests.col.on_time_vs_district": {"zh": "按时率较全区（百分点）", "en": "On time vs district (pp)"},
    "requests.col.on_time_vs_district_diff": {"zh": "按时率较全区之差", "en": "On time minus district"},
    "requests.col.target_days": {"zh": "时限（天）", "en": "Target (days)"},
    "requests.col.id": {"zh": "诉求编号", "en": "Request"},
    "requests.col.handling_unit": {"zh": "承办单位", "en": "Handling unit"},
    "requests.col.submitted_at": {"zh": "提交时间", "en": "Submitted"},
    "requests.col.last_change": {"zh": "最后变更", "en": "Last change"},
    "requests.col.idle_days": {"zh": "搁置天数", "en": "Idle days"},
    "requests.col.requester_name": {"zh": "诉求人姓名", "en": "Requester"},
    "requests.col.requester_phone": {"zh": "诉求人电话", "en": "Phone"},
    "requests.col.open": {"zh": "未办结", "en": "Open"},
    "requests.col.median_idle_days": {"zh": "搁置中位数（天）", "en": "Median idle (days)"},
    "requests.col.population": {"zh": "常住人口", "en": "Population"},
    "requests.col.per_thousand": {"zh": "每千人诉求", "en": "Per 1,000 residents"},
    "requests.col.satisfaction": {"zh": "满意度", "en": "Satisfaction"},
    "requests.col.rated": {"zh": "评价数", "en": "Rated"},
    "requests.col.score": {"zh": "评分", "en": "Score"},
    "requests.col.claimer_kind": {"zh": "认领者", "en": "Claimer"},
    "requests.col.median_days_to_fulfil": {"zh": "发布至实现中位数（天）", "en": "Median days to fulfil"},
    "requests.col.street_name": {"zh": "街道", "en": "Street"},
    "requests.col.on_time": {"zh": "按时办结", "en": "Resolved on time"},
    "requests.col.claimed": {"zh": "认领", "en": "Claimed"},
    "requests.col.fulfilled": {"zh": "实现", "en": "Fulfilled"},
    "requests.col.wishes": {"zh": "微心愿", "en": "Wishes"},
    "requests.col.reached": {"zh": "到达", "en": "Reached"},
    "requests.col.current": {"zh": "当前", "en": "Now"},
    "requests.col.description": {"zh": "诉求内容", "en": "Description"},
    "requests.col.lat": {"zh": "纬度", "en": "Latitude"},
    "requests.col.lon": {"zh": "经度", "en": "Longitude"},
    "requests.col.accepted_at": {"zh": "受理时间", "en": "Accepted"},
    "requests.col.resolved_at": {"zh": "办结时间", "en": "Resolved at"},
    "requests.col.closed_at": {"zh": "关闭时间", "en": "Closed at"},
    "requests.col.community_code": {"zh": "社区编码", "en": "Community code"},
    "requests.col.days": {"zh": "天数", "en": "Days"},
    "requests.col.share": {"zh": "占比", "en": "Share"},
}
TEXT.update({f"requests.status.{s}": {"zh": s, "en": _STATUS_EN[s]} for s in REQUEST_STATUSES})
TEXT.update({f"requests.claimer.{k}": {"zh": k, "en": _CLAIMER_EN[k]} for k in WISH_CLAIMER_KINDS})
TEXT.update({f"requests.wish_status.{k}": {"zh": k, "en": _WISH_STATUS_EN[k]} for k in WISH_STATUSES})
