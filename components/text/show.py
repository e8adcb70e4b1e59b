"""Text of 演示模式 (the presenter show): the launcher, the show itself and playlist messages."""

TEXT: dict[str, dict[str, str]] = {
    "nav.show": {"zh": "演示模式", "en": "Presenter show"},
    # launcher
    "show.title": {"zh": "演示模式", "en": "Presenter show"},
    "show.intro": {
        "zh": "全屏轮播预设的看板视图，适合会议投影和大屏（1920×1080）。每张幻灯片有自己的范围和时长，自动翻页；"
              "← → 键或屏幕按钮翻页，空格键暂停。演示不显示任何个人信息，不访问外网。",
        "en": "Full-screen playlist of saved views for meetings on a projector or a big screen (1920×1080). "
              "Each slide keeps its own scope and duration and advances by itself; ← → or the on-screen buttons "
              "move, Space pauses. Shows never display personal data and reach no outside host.",
    },
    "show.pick": {"zh": "选择演示", "en": "Show"},
    "show.default_name": {"zh": "默认演示（全区概览）", "en": "Default show (district story)"},
    "show.start_dark": {"zh": "开始演示（深色大屏）", "en": "Start show (dark big screen)"},
    "show.start_light": {"zh": "开始演示（浅色）", "en": "Start show (light)"},
    "show.link_hint": {
        "zh": "也可以直接打开链接：{url}（theme=dark 或 light，slide= 从第几张开始，seconds= 彩排时统一每张秒数）",
        "en": "Or open the link {url} (theme=dark or light, slide= the first slide, seconds= one duration for "
              "every slide when rehearsing)",
    },
    "show.slides": {
        "zh": "幻灯片（共 {n} 张，约 {minutes} 分钟一轮）",
        "en": "Slides ({n}, about {minutes} min a round)"
    },
    "show.col.n": {"zh": "序号", "en": "No."},
    "show.col.title": {"zh": "标题", "en": "Title"},
    "show.col.panel": {"zh": "面板", "en": "Panel"},
    "show.col.scope": {"zh": "范围", "en": "Scope"},
    "show.col.period": {"zh": "时段", "en": "Period"},
    "show.col.duration": {"zh": "时长（秒）", "en": "Seconds"},
    "show.panel.overview": {"zh": "总览", "en": "Overview"},
    "show.panel.map": {"zh": "地图", "en": "Map"},
    "show.panel.projects": {"zh": "实践项目", "en": "Projects"},
    "show.panel.requests": {"zh": "诉求办理", "en": "Requests"},
    "show.panel.resources": {"zh": "资源共享", "en": "Resources"},
    "show.panel.scorecards": {"zh": "评价排名", "en": "Scorecards"},
    "show.panel.bulletin": {"zh": "月度通报", "en": "Monthly bulletin"},
    "show.bulletin.badge.red": {"zh": "红榜", "en": "Red list"},
    "show.bulletin.badge.black": {"zh": "黑榜", "en": "Black list"},
    "show.bulletin.month": {"zh": "{year}年{month}月", "en": "{year}-{month:02d}"},
    "show.invalid_stored": {
        "zh": "演示「{name}」的文件有误，无法播放：\n\n{detail}",
        "en": "The file of show “{name}” has errors and cannot be played:\n\n{detail}",
    },
    "show.unknown": {
        "zh": "找不到名为「{name}」的演示。可用的演示：{names}。",
        "en": "There is no show named “{name}”. Shows available: {names}.",
    },
    "show.bad_theme": {
        "zh": "主题「{value}」无效（可选 dark 或 light），已使用深色。",
        "en": "Theme “{value}” is not valid (dark or light); showing dark.",
    },
    "show.bad_slide": {
        "zh": "起始幻灯片「{value}」无效（应为 1 到 {n}），已从第 1 张开始。",
        "en": "Start slide “{value}” is not valid (1 to {n}); starting at slide 1.",
    },
    "show.bad_seconds": {
        "zh": "秒数「{value}」无效（应为 2 到 {high} 的整数），已使用各幻灯片自己的时长。",
        "en": "Seconds “{value}” is not valid (a whole number from 2 to {high}); using each slide's own duration.",
    },
    # editor
    "show.edit.title": {"zh": "编辑演示", "en": "Edit a show"},
    "show.edit.help": {
        "zh": "在下方修改 TOML 文本（格式见默认演示的注释），另存为一个名称（小写字母、数字、- 或 _）。"
              "保存前会逐张校验；有误时不会保存，原文件保持不变。默认演示不会被覆盖。",
        "en": "Edit the TOML below (the default show's comments explain the format) and save it under a name "
              "(lower-case letters, digits, - or _). Every slide is checked first; an invalid text is not saved "
              "and the stored file stays as it was. The default show is never overwritten.",
    },
    "show.edit.source": {"zh": "演示文件（TOML）", "en": "Show file (TOML)"},
    "show.edit.name": {"zh": "保存为", "en": "Save as"},
    "show.edit.check": {"zh": "校验", "en": "Check"},
    "show.edit.save": {"zh": "保存", "en": "Save"},
    "show.edit.ok": {"zh": "校验通过：{n} 张幻灯片。", "en": "Valid: {n} slides."},
    "show.edit.saved": {"zh": "已保存演示「{name}」（{n} 张幻灯片）。", "en": "Saved show “{name}” ({n} slides)."},
    "show.edit.failed": {"zh": "未保存，请修改以下问题：", "en": "Not saved; please fix:"},
    "show.edit.invalid": {"zh": "文件有以下问题：", "en": "The file has these problems:"},
    "show.edit.read_only": {
        "zh": "只有区级账号可以编辑和保存演示；您可以播放现有演示。",
        "en": "Only the district office may edit and save shows; you can run the existing ones.",
    },
    # the show
    "show.scope": {"zh": "范围：{place}　时段：{period}", "en": "Scope: {place} · Period: {period}"},
    "show.as_of": {"zh": "数据截至 {date}", "en": "Data as of {date}"},
    "show.counter": {"zh": "第 {n} / {total} 张", "en": "Slide {n} of {total}"},
    "show.countdown": {"zh": "{s} 秒后翻页", "en": "Next in {s} s"},
    "show.paused": {"zh": "已暂停", "en": "Paused"},
    "show.prev": {"zh": "上一张", "en": "Back"},
    "show.next": {"zh": "下一张", "en": "Next"},
    "show.pause": {"zh": "暂停", "en": "Pause"},
    "show.resume": {"zh": "继续", "en": "Resume"},
    "show.exit": {"zh": "退出演示", "en": "Exit show"},
    "show.keys": {"zh": "键盘：← 上一张　→ 下一张　空格 暂停/继续", "en": "Keys: ← back · → next · Space pause/resume"},
    "show.sample": {"zh": "演示数据（合成），社区区划为示意", "en": "Demo data (synthetic); shapes are schematic"},
    "show.empty": {"zh": "该范围和时段没有数据。", "en": "No data for this scope and period."},
    # panels
    "show.kpi.projects": {"zh": "实践项目", "en": "Practice projects"},
    "show.kpi.completed": {"zh": "已完成项目", "en": "Completed"},
    "show.kpi.received": {"zh": "受理诉求", "en": "Requests received"},
    "show.kpi.rate": {"zh": "诉求办结率", "en": "Resolution rate"},
    "show.kpi.median": {"zh": "办结用时中位数", "en": "Median days to resolve"},
    "show.kpi.on_time": {"zh": "按时办结率", "en": "Resolved on time"},
    "show.kpi.resolved": {"zh": "已办结诉求", "en": "Resolved"},
    "show.kpi.fund": {"zh": "社区基金募集", "en": "Community funds raised"},
    "show.kpi.partners": {"zh": "共建单位", "en": "Partner units"},
    "show.kpi.uses": {"zh": "资源使用次数", "en": "Resource uses"},
    "show.kpi.venues": {"zh": "共享场地", "en": "Shared venues"},
    "show.kpi.beneficiaries": {"zh": "受益人次", "en": "Beneficiaries"},
    "show.kpi.volunteers": {"zh": "新增志愿者", "en": "New volunteers"},
    "show.kpi.overdue": {"zh": "逾期项目", "en": "Overdue projects"},
    "show.kpi.completed_share": {"zh": "项目完成率", "en": "Completion share"},
    "show.kpi.difficulties": {"zh": "解决难题", "en": "Difficulties solved"},
    "show.kpi.units": {"zh": "参评单位", "en": "Units scored"},
    "show.kpi.top": {"zh": "综合得分第一", "en": "Top composite score"},
    "show.kpi.average": {"zh": "平均综合得分", "en": "Average composite"},
    "show.chart.trend": {"zh": "每月诉求受理与办结", "en": "Requests received and resolved by month"},
    "show.chart.categories": {"zh": "诉求类别", "en": "Requests by category"},
    "show.chart.funnel": {"zh": "项目阶段漏斗", "en": "Projects reaching each stage"},
    "show.chart.stages": {"zh": "项目当前阶段", "en": "Projects by current stage"},
    "show.chart.fund": {"zh": "社区基金累计募集与支出", "en": "Community funds: raised and spent, cumulative"},
    "show.chart.items": {"zh": "最常用的资源与服务", "en": "Most used resources and services"},
    "show.chart.league": {"zh": "{year}年综合评价排名", "en": "Composite score ranking, {year}"},
    "show.map.best": {"zh": "最好：{name}", "en": "Best: {name}"},
    "show.map.worst": {"zh": "最弱：{name}", "en": "Weakest: {name}"},
    "show.map.highest": {"zh": "最高：{name}", "en": "Highest: {name}"},
    "show.map.lowest": {"zh": "最低：{name}", "en": "Lowest: {name}"},
    "show.kpi.rank": {"zh": "第 {rank} 名（共 {n} 个）", "en": "Rank {rank} of {n}"},
    "show.privacy": {
        "zh": "仅显示汇总数字，不含任何个人信息。",
        "en": "Totals only; no personal data is shown.",
    },
    # playlist messages (components/playlist.py)
    "show.err.where": {"zh": "第 {n} 张幻灯片（{title}）：", "en": "Slide {n} ({title}): "},
    "show.err.untitled": {"zh": "无标题", "en": "untitled"},
    "show.err.toml": {"zh": "TOML 格式错误：{detail}", "en": "The TOML cannot be read: {detail}"},
    "show.err.too_big": {"zh": "文件过大（上限 {limit} KB）。", "en": "The file is too large (limit {limit} KB)."},
    "show.err.empty": {
        "zh": "演示中没有幻灯片：至少需要一个 [[slide]]。",
        "en": "The show has no slides: at least one [[slide]] is needed.",
    },
    "show.err.too_many": {"zh": "幻灯片过多（上限 {limit} 张）。", "en": "Too many slides (limit {limit})."},
    "show.err.unknown_show_field": {
        "zh": "未知的字段「{field}」（文件顶层只能有 title、title_en 和 [[slide]]）。",
        "en": "Unknown field “{field}” (the top level holds only title, title_en and [[slide]]).",
    },
    "show.err.show_title": {
        "zh": "演示的 title 和 title_en 须为文字。",
        "en": "The show's title and title_en must be text."
    },
    "show.err.slide_table": {"zh": "应为一个 [[slide]] 表。", "en": "must be a [[slide]] table."},
    "show.err.unknown_field": {
        "zh": "未知的字段「{field}」（可用字段：{fields}）。",
        "en": "unknown field “{field}” (fields: {fields}).",
    },
    "show.err.title": {"zh": "缺少标题（title）。", "en": "the title (title) is missing."},
    "show.err.title_long": {
        "zh": "标题（title）过长（上限 {limit} 字）。",
        "en": "the title is too long (limit {limit})."
    },
    "show.err.title_en": {
        "zh": "英文标题（title_en）须为不超过 {limit} 字的文字。",
        "en": "title_en must be text of at most {limit} characters.",
    },
    "show.err.panel_missing": {
        "zh": "缺少面板（panel），可选：{panels}。",
        "en": "the panel (panel) is missing; choose one of {panels}.",
    },
    "show.err.panel": {
        "zh": "未知的面板（panel）「{value}」，可选：{panels}。",
        "en": "unknown panel “{value}”; choose one of {panels}.",
    },
    "show.err.duration_missing": {
        "zh": "缺少时长（duration_s），应为 {low} 到 {high} 秒的整数。",
        "en": "the duration (duration_s) is missing; a whole number of seconds from {low} to {high}.",
    },
    "show.err.duration": {
        "zh": "时长（duration_s）「{value}」无效，应为 {low} 到 {high} 秒的整数。",
        "en": "duration_s “{value}” is not valid; a whole number of seconds from {low} to {high}.",
    },
    "show.err.code_text": {
        "zh": "{field} 须为加引号的代码文字，而不是「{value}」。",
        "en": "{field} must be a quoted code, not “{value}”.",
    },
    "show.err.street": {"zh": "街道代码（street）「{value}」不存在。", "en": "street code “{value}” does not exist."},
    "show.err.community": {
        "zh": "社区代码（community）「{value}」不存在。",
        "en": "community code “{value}” does not exist.",
    },
    "show.err.community_street": {
        "zh": "社区「{value}」不属于街道「{street}」。",
        "en": "community “{value}” is not in street “{street}”.",
    },
    "show.err.period": {
        "zh": "时段（period）「{value}」无效：应为 all、数据覆盖的年份（如 2023）或季度（如 2023-Q3）。",
        "en": "period “{value}” is not valid: all, a year the data covers (2023) or a quarter (2023-Q3).",
    },
    "show.err.period_bulletin": {
        "zh": "通报面板的时段（period）「{value}」无效：应为数据覆盖的月份（如 2023-10），"
              "或 all、年份、季度（取其中最近一个完整月份）。",
        "en": "period “{value}” is not valid for the bulletin panel: a month the data covers (2023-10), "
              "or all, a year or a quarter (its latest complete month).",
    },
    "show.err.measure_panel": {
        "zh": "只有地图面板（map）可以设置指标（measure）。",
        "en": "only the map panel takes a measure.",
    },
    "show.err.measure": {
        "zh": "未知的地图指标（measure）「{value}」，可选：{measures}。",
        "en": "unknown map measure “{value}”; choose one of {measures}.",
    },
    "show.err.name": {
        "zh": "名称「{value}」无效：只能用小写字母、数字、- 和 _，最长 40 个字符。",
        "en": "Name “{value}” is not valid: lower-case letters, digits, - and _, at most 40 characters.",
    },
    "show.err.default_readonly": {
        "zh": "「{name}」是随程序提供的默认演示，不能覆盖，请另取一个名称。",
        "en": "“{name}” is the default show shipped with the app and cannot be overwritten; choose another name.",
    },
}
