"""Text of the 通报 (monthly / weekly bulletin) page, its XLSX and its printable HTML."""

TEXT: dict[str, dict[str, str]] = {
    "nav.bulletin": {"zh": "通报", "en": "Bulletin"},
    "bulletin.title": {"zh": "民生诉求办理情况通报", "en": "Resident-request handling bulletin"},
    "bulletin.caption": {
        "zh": "按月或按ISO周对街道、社区的诉求办理进行综合排名；数据为截止时点的快照，重新生成结果不变。",
        "en": "Streets and communities ranked monthly or weekly on request handling; a snapshot as at the "
              "cut-off, so re-running it gives the same figures.",
    },
    # titles (year, number, street)
    "bulletin.heading.street.month": {
        "zh": "龙岗区民生诉求办理情况月度通报（{year}年{number}月）",
        "en": "Longgang resident-request handling: monthly bulletin ({year}-{number:02d})"},
    "bulletin.heading.street.week": {
        "zh": "龙岗区民生诉求办理情况周通报（{year}年第{number}周）",
        "en": "Longgang resident-request handling: weekly bulletin ({year}-W{number:02d})"},
    "bulletin.heading.community.month": {
        "zh": "{street}社区民生诉求办理情况月度通报（{year}年{number}月）",
        "en": "{street} communities, resident-request handling: monthly bulletin ({year}-{number:02d})"},
    "bulletin.heading.community.week": {
        "zh": "{street}社区民生诉求办理情况周通报（{year}年第{number}周）",
        "en": "{street} communities, resident-request handling: weekly bulletin ({year}-W{number:02d})"},
    "bulletin.cutoff": {"zh": "统计截止：{date}（{start} 至 {end} 提交的诉求）",
                        "en": "Cut-off: {date} (requests submitted {start} to {end})"},
    "bulletin.cutoff.early": {"zh": "数据截至 {date}，本期尚未结束。",
                              "en": "Data run to {date}; the period is not over."},
    "bulletin.previous": {"zh": "排名变化与上期（{period}）相比。",
                          "en": "Rank change against the previous period ({period})."},
    "bulletin.no_previous": {"zh": "上期无数据，不计排名变化。",
                             "en": "No previous period in the data: no rank change."},
    "bulletin.generated": {"zh": "生成时间：{time}", "en": "Generated {time}"},
    # pickers
    "bulletin.kind": {"zh": "通报周期", "en": "Period type"},
    "bulletin.kind.month": {"zh": "月度", "en": "Month"},
    "bulletin.kind.week": {"zh": "周", "en": "Week"},
    "bulletin.period": {"zh": "时段", "en": "Period"},
    "bulletin.level": {"zh": "排名层级", "en": "Ranking level"},
    "bulletin.level.street": {"zh": "街道排名", "en": "Streets"},
    "bulletin.level.community": {"zh": "社区排名", "en": "Communities of a street"},
    "bulletin.street": {"zh": "街道", "en": "Street"},
    "bulletin.role_note": {
        "zh": "街道账号：仅显示本街道的各项指标；其他街道只显示综合得分和排名。",
        "en": "Street account: only your street's measures are shown; other streets show composite and rank only.",
    },
    # table columns
    "bulletin.col.rank": {"zh": "排名", "en": "Rank"},
    "bulletin.col.name": {"zh": "单位", "en": "Unit"},
    "bulletin.col.received": {"zh": "受理量", "en": "Received"},
    "bulletin.col.response_rate": {"zh": "响应率", "en": "Response rate"},
    "bulletin.col.resolution_rate": {"zh": "办结率", "en": "Resolution rate"},
    "bulletin.col.on_time_rate": {"zh": "按时办结率", "en": "On-time rate"},
    "bulletin.col.satisfaction_rate": {"zh": "满意率", "en": "Satisfaction rate"},
    "bulletin.col.dissatisfied": {"zh": "不满意数", "en": "Dissatisfied"},
    "bulletin.col.returned_reopened": {"zh": "退回/重办", "en": "Returned/reopened"},
    "bulletin.col.composite": {"zh": "综合得分", "en": "Composite"},
    "bulletin.col.rank_change": {"zh": "排名变化", "en": "Rank change"},
    "bulletin.col.streak": {"zh": "连续", "en": "Streak"},
    "bulletin.col.note": {"zh": "说明", "en": "Note"},
    "bulletin.col.failing": {"zh": "未达标指标", "en": "Below floor"},
    "bulletin.change.up": {"zh": "↑{n}", "en": "↑{n}"},
    "bulletin.change.down": {"zh": "↓{n}", "en": "↓{n}"},
    "bulletin.change.same": {"zh": "—", "en": "—"},
    "bulletin.change.new": {"zh": "新进", "en": "new"},
    "bulletin.streak.first": {"zh": "连续{n}期第一", "en": "first {n} in a row"},
    "bulletin.streak.last": {"zh": "连续{n}期末位", "en": "last {n} in a row"},
    "bulletin.unranked.below_min": {"zh": "受理量不足{n}件，不参与排名", "en": "fewer than {n} requests: not ranked"},
    "bulletin.unranked.no_requests": {"zh": "本期无诉求，不参与排名", "en": "no request this period: not ranked"},
    "bulletin.hidden": {"zh": "（仅显示综合得分和排名）", "en": "(composite and rank only)"},
    # lists
    "bulletin.red": {"zh": "红榜（综合得分前{n}名）", "en": "Red list (top {n} on the composite)"},
    "bulletin.black": {"zh": "黑榜（低于底线）", "en": "Black list (below a floor)"},
    "bulletin.red.empty": {"zh": "本期没有参与排名的单位。", "en": "No unit is ranked this period."},
    "bulletin.black.empty": {"zh": "本期没有低于底线的单位。", "en": "No unit is below a floor this period."},
    "bulletin.black.entry": {"zh": "{name}：{measures}", "en": "{name}: {measures}"},
    "bulletin.failing.entry": {"zh": "{measure} {value}（底线 {floor}）", "en": "{measure} {value} (floor {floor})"},
    "bulletin.table": {"zh": "排名表", "en": "Ranking"},
    # notes
    "bulletin.notes": {"zh": "说明（口径与权重）", "en": "Notes (definitions and weights)"},
    "bulletin.note.snapshot": {
        "zh": "本通报为截至统计截止日的快照：各诉求的状态以截止日当天24时前的状态记录为准，日后重新生成结果不变。",
        "en": "A snapshot as at the cut-off: each request's status is read from its status history up to the end of "
              "the cut-off day, so re-running the bulletin later gives the same figures.",
    },
    "bulletin.note.received": {"zh": "受理量：本期内提交、属于该单位的诉求件数。",
                               "en": "Received: requests submitted in the period in the unit."},
    "bulletin.note.response": {
        "zh": "响应率：在响应时限内受理的诉求占受理量的比例。响应时限默认{hours}小时{overrides}。",
        "en": "Response rate: share of the requests accepted within the response target, {hours} hours by "
              "default{overrides}.",
    },
    "bulletin.note.response.overrides": {"zh": "；其中 {items}", "en": "; {items}"},
    "bulletin.note.hours": {"zh": "{category}{hours}小时", "en": "{category} {hours} h"},
    "bulletin.note.resolution": {"zh": "办结率：截止日已办结或已关闭的诉求占受理量的比例。",
                                 "en": "Resolution rate: share resolved (resolved or closed) by the cut-off."},
    "bulletin.note.on_time": {
        "zh": "按时办结率：截止日前应办结的诉求（已办结，或未办结但已超过所属类别办理时限）中，在时限内办结的比例"
              "（恰好等于时限算按时；截止日尚未到期的未办结诉求不计入）。时限：{items}。",
        "en": "On-time rate: of the requests due by the cut-off (resolved, or open past their category's target "
              "days), the share resolved within the target (exactly at the target counts; open requests not yet "
              "due are left out). Targets: {items}.",
    },
    "bulletin.note.days": {"zh": "{category}{days}天", "en": "{category} {days} d"},
    "bulletin.note.satisfaction": {
        "zh": "满意率：截止日前已办结且已评价的诉求中，评价为4分或5分的比例；不满意数：评价为1分或2分的件数。",
        "en": "Satisfaction rate: among the rated requests resolved by the cut-off, the share rated 4 or 5; "
              "dissatisfied: rated 1 or 2.",
    },
    "bulletin.note.returned": {
        "zh": "退回/重办：截止日前被退回（已退回），或办结后又转入非关闭状态（重办）的诉求件数。",
        "en": "Returned/reopened: requests returned, or reopened (a status other than a closure after a "
              "resolution), by the cut-off.",
    },
    "bulletin.note.composite": {
        "zh": "综合得分 = Σ 权重 × 指标 ÷ Σ 权重 × 100，权重：{items}；无评价的单位按其余指标的权重计算。",
        "en": "Composite = Σ weight × rate ÷ Σ weight × 100, weights: {items}; a unit with no rating is scored on "
              "the other weights.",
    },
    "bulletin.note.weight": {"zh": "{measure}{weight:g}", "en": "{measure} {weight:g}"},
    "bulletin.note.ranking": {
        "zh": "受理量少于{n}件的单位列出但不参与排名；并列得分名次相同。红榜为综合得分前{red}名。",
        "en": "Units with fewer than {n} requests are listed but not ranked; equal scores share a rank. The red "
              "list is the top {red} on the composite.",
    },
    "bulletin.note.floors": {"zh": "黑榜：参与排名且任一指标低于底线的单位，底线：{items}。",
                             "en": "Black list: ranked units below any floor; floors: {items}."},
    "bulletin.note.floor": {"zh": "{measure}低于{floor}", "en": "{measure} below {floor}"},
    "bulletin.note.streak": {"zh": "连续第一/末位：截至本期连续排名第一或最后的期数（月度按月、周通报按周）。",
                             "en": "Streak: how many periods in a row, up to this one, a unit has been first or last."},
    "bulletin.note.demo": {"zh": "演示数据：数据为合成样例，仅供演示。",
                           "en": "Demo data: synthetic sample for demonstration."},
    "bulletin.definitions": {"zh": "指标口径", "en": "Definitions"},
    "bulletin.download.xlsx": {"zh": "下载通报 Excel", "en": "Download bulletin (Excel)"},
    "bulletin.download.html": {"zh": "下载通报（打印版 HTML）", "en": "Download bulletin (printable HTML)"},
    "bulletin.chart.title": {"zh": "综合得分", "en": "Composite score"},
    "bulletin.error": {"zh": "无法生成通报：{message}", "en": "Cannot build the bulletin: {message}"},
    "bulletin.sheet": {"zh": "通报", "en": "Bulletin"},
    # worklist (督办清单)
    "worklist.title": {"zh": "督办清单：超期与临期", "en": "Worklist: overdue and due soon"},
    "worklist.caption": {
        "zh": "截至 {date}，{place}未办结的诉求（按类别办理时限）和未完成的项目（按计划完成日期）中已超期或将在 {days} "
              "天内到期的事项，按剩余天数排序（负数为已超期天数）。不含诉求人姓名和电话。",
        "en": "As of {date}, {place}: open requests (by their category's target) and unfinished projects (by their "
              "planned end) overdue or due within {days} days, soonest first (negative: days overdue). No "
              "requester names or phones.",
    },
    "worklist.days": {"zh": "临期天数", "en": "Due within (days)"},
    "worklist.summary": {"zh": "超期 {overdue} 项，临期 {soon} 项", "en": "{overdue} overdue, {soon} due soon"},
    "worklist.shown": {"zh": "下表列出最紧急的 {shown} 项（共 {total} 项），完整清单请下载。",
                       "en": "The {shown} most urgent of {total} items are listed; download the whole list."},
    "worklist.empty": {"zh": "没有超期或临期的事项。", "en": "Nothing overdue or due soon."},
    "worklist.kind.request": {"zh": "诉求", "en": "Request"},
    "worklist.kind.project": {"zh": "项目", "en": "Project"},
    "worklist.state.overdue": {"zh": "超期", "en": "Overdue"},
    "worklist.state.due_soon": {"zh": "临期", "en": "Due soon"},
    "worklist.col.kind": {"zh": "类型", "en": "Kind"},
    "worklist.col.id": {"zh": "编号", "en": "ID"},
    "worklist.col.subject": {"zh": "类别/名称", "en": "Category / title"},
    "worklist.col.status": {"zh": "状态", "en": "Status"},
    "worklist.col.community": {"zh": "社区", "en": "Community"},
    "worklist.col.street": {"zh": "街道", "en": "Street"},
    "worklist.col.unit": {"zh": "承办单位", "en": "Handling unit"},
    "worklist.col.started": {"zh": "提交/开始", "en": "Submitted / started"},
    "worklist.col.due": {"zh": "应完成时间", "en": "Due"},
    "worklist.col.days_left": {"zh": "剩余天数", "en": "Days left"},
    "worklist.col.state": {"zh": "状态分类", "en": "State"},
    "worklist.pick": {"zh": "选择诉求查看时间线", "en": "Pick a request for its timeline"},
    "worklist.open": {"zh": "打开诉求 {id} 的时间线", "en": "Open the timeline of {id}"},
    # comparison (对比分析)
    "compare.title": {"zh": "对比分析", "en": "Comparison"},
    "compare.caption": {
        "zh": "选择2至4个单位（街道、社区或全区），并排比较本月各项指标、综合得分，"
              "以及近13个月的走势（同一百分制刻度）。每个月按该月通报的口径和截止日计算。",
        "en": "Pick two to four units (streets, communities or the district) to compare this month's measures, "
              "the composite, and the last 13 months' trends (one percent scale). Each month is read as its own "
              "bulletin would be.",
    },
    "compare.units": {"zh": "对比单位", "en": "Units"},
    "compare.pick_more": {"zh": "请至少选择2个单位。", "en": "Pick at least two units."},
    "compare.month_only": {"zh": "对比分析按月进行，请在上方选择“月度”。",
                           "en": "The comparison is monthly: pick Month above."},
    "compare.yoy": {"zh": "{unit}：本月与上月（环比）、去年同月（同比）",
                    "en": "{unit}: this month, the month before and a year earlier"},
    "compare.unit": {"zh": "环比/同比单位", "en": "Unit for month-on-month / year-on-year"},
    "compare.which.current": {"zh": "本月", "en": "This month"},
    "compare.which.previous": {"zh": "上月", "en": "Month before"},
    "compare.which.last_year": {"zh": "去年同月", "en": "Same month last year"},
    "compare.col.which": {"zh": "对比期", "en": "Compared"},
    "compare.col.period": {"zh": "月份", "en": "Month"},
    "compare.district": {"zh": "龙岗区（全区）", "en": "Longgang (district)"},
    # one request's timeline (?request=ID on the requests page)
    "timeline.title": {"zh": "诉求 {id} 办理时间线", "en": "Request {id}: timeline"},
    "timeline.not_found": {"zh": "未找到诉求“{id}”（编号不存在，或不在您的查看范围内）。",
                           "en": "Request “{id}” not found (no such id, or outside what you may see)."},
    "timeline.close": {"zh": "关闭时间线", "en": "Close the timeline"},
    "timeline.pick": {"zh": "查看诉求时间线", "en": "A request's timeline"},
    "timeline.open": {"zh": "打开时间线", "en": "Open the timeline"},
    "timeline.returned": {"zh": "曾退回", "en": "returned"},
    "timeline.reopened": {"zh": "曾重办", "en": "reopened"},
    "timeline.none": {"zh": "无", "en": "none"},
    "timeline.current": {"zh": "（当前）", "en": " (now)"},
    "timeline.caption": {
        "zh": "停留天数：到下一次状态变更为止；当前状态计至数据截止日24时。姓名和电话已脱敏。",
        "en": "Days in a status: up to the next change; the current one up to the end of the data date. Name "
              "and phone masked.",
    },
    "timeline.col.field": {"zh": "项目", "en": "Field"},
    "timeline.col.value": {"zh": "内容", "en": "Value"},
    "timeline.col.seq": {"zh": "序号", "en": "#"},
    "timeline.col.status": {"zh": "状态", "en": "Status"},
    "timeline.col.changed_at": {"zh": "变更时间", "en": "Changed at"},
    "timeline.col.unit": {"zh": "承办单位", "en": "Handling unit"},
    "timeline.col.days": {"zh": "停留天数", "en": "Days in status"},
    "timeline.field.category": {"zh": "类别", "en": "Category"},
    "timeline.field.channel": {"zh": "渠道", "en": "Channel"},
    "timeline.field.status": {"zh": "当前状态", "en": "Status"},
    "timeline.field.place": {"zh": "街道 · 社区", "en": "Street · community"},
    "timeline.field.unit": {"zh": "承办单位", "en": "Handling unit"},
    "timeline.field.submitted": {"zh": "提交时间", "en": "Submitted"},
    "timeline.field.target": {"zh": "办理时限", "en": "Target"},
    "timeline.field.expected": {"zh": "应办结时间", "en": "Expected completion"},
    "timeline.field.resolved": {"zh": "办结时间", "en": "Resolved"},
    "timeline.field.satisfaction": {"zh": "满意度评价", "en": "Satisfaction"},
    "timeline.field.flags": {"zh": "退回/重办", "en": "Returned / reopened"},
    "timeline.field.requester": {"zh": "诉求人（脱敏）", "en": "Requester (masked)"},
}
