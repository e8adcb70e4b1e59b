"""Text of the meeting decks (汇报材料, PowerPoint): buttons, series names, and the speaker notes'
definitions of the figures and where they come from."""

TEXT: dict[str, dict[str, str]] = {
    "deck.download": {"zh": "导出 PowerPoint", "en": "Export PowerPoint"},
    "deck.download.bulletin": {"zh": "导出 PowerPoint（通报）", "en": "Export PowerPoint (bulletin)"},
    "deck.help": {"zh": "可编辑的 16:9 演示文稿：原生图表、矢量地图、演讲者备注。",
                  "en": "An editable 16:9 deck: native charts, a vector map, speaker notes."},
    "deck.unresolved": {"zh": "未办结", "en": "Not resolved"},
    "deck.raised": {"zh": "累计募集", "en": "Raised, cumulative"},
    "deck.spent": {"zh": "累计支出", "en": "Spent, cumulative"},
    "deck.lists": {"zh": "红榜与黑榜", "en": "Red and black lists"},
    "deck.source": {
        "zh": "数据来源：龙岗区基层治理数据看板（诉求、项目、资源与评价数据），与看板页面同一查询口径。",
        "en": "Source: the Longgang governance dashboard (requests, projects, resources and evaluations), "
              "the same queries as its pages.",
    },
    "deck.def.projects": {"zh": "实践项目：时段内申报的基层治理实践项目数；已完成为当前阶段为完成的项目。",
                          "en": "Practice projects: projects filed in the period; completed: at the completed stage."},
    "deck.def.overdue": {"zh": "逾期项目：截至数据日期已过计划完成日期而未完成的项目。",
                         "en": "Overdue: past the planned end date at the as-of date and not completed."},
    "deck.def.funnel": {"zh": "项目阶段漏斗：到达每一阶段（申报、立项、实施……）的项目数。",
                        "en": "Funnel: projects that reached each stage (filed, approved, in progress…)."},
    "deck.def.requests": {"zh": "受理诉求：时段内受理的群众诉求件数（只计总数，不含个人信息）。",
                          "en": "Requests received: resident requests received in the period (totals only)."},
    "deck.def.rate": {"zh": "诉求办结率：已办结诉求 ÷ 受理诉求。", "en": "Resolution rate: resolved ÷ received."},
    "deck.def.on_time": {"zh": "按时办结率：在各类别时限内办结的诉求所占比例。",
                         "en": "On time: share of requests resolved within their category's time limit."},
    "deck.def.median": {"zh": "办结用时中位数：已办结诉求从受理到办结的天数中位数。",
                        "en": "Median days: median days from receipt to resolution of resolved requests."},
    "deck.def.fund": {"zh": "社区基金募集：时段内社区基金募集金额（元）。",
                      "en": "Community funds raised: money raised by community funds in the period (yuan)."},
    "deck.def.uses": {"zh": "资源使用次数：资源清单与服务清单中各项目被使用的次数。",
                      "en": "Resource uses: times each catalogue resource or service was used."},
    "deck.def.composite": {"zh": "综合评价得分：年度各维度得分的加权综合（百分制），排名按得分由高到低。",
                           "en": "Composite score: the weighted sum of a year's dimension scores (0–100), ranked."},
    "deck.def.map.requests_per_1000": {"zh": "每千人诉求量：受理诉求件数 ÷ 常住人口 × 1000；颜色越深数值越高。",
                                       "en": "Requests per 1,000: requests ÷ population × 1,000; darker is higher."},
    "deck.def.map.resolution_rate": {"zh": "诉求办结率：已办结 ÷ 受理；以全区水平为中点分色，蓝紫色为优于全区。",
                                     "en": "Resolution rate: resolved ÷ received; centred on the district, "
                                           "blue-purple is better."},
}
