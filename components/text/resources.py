"""Text of the 资源共享 (Resources) page and its charts.

Stored Chinese values of this area (resource kinds, partner kinds, venue kinds,
fund sources and purposes) get English names under ``resources.v.<value>`` keys,
not in ``VALUES_EN``, so they never collide with another section's values
(爱心商家 is also a wish claimer kind).
"""

TEXT: dict[str, dict[str, str]] = {
    "nav.resources": {"zh": "资源共享", "en": "Resources"},
    "resources.title": {"zh": "资源共享", "en": "Resource sharing"},
    "resources.intro": {
        "zh": "区级资源清单与服务清单供社区“点单”，共建单位、共享场地和社区服务基金汇聚资源。"
              "清单数量为全区口径；共建单位和场地为截至时段末的存量；使用次数和基金收支为时段内发生数。",
        "en": "The district's resource and service lists are offered for communities to choose from; partner units, "
              "shared venues and the community fund pool resources. List sizes are district-wide; partner units "
              "and venues are a stock at the period's end; uses and fund entries are flows within the period.",
    },
    # KPI tiles
    "resources.kpi.resource_items": {"zh": "资源清单", "en": "Resource list"},
    "resources.kpi.service_items": {"zh": "服务清单", "en": "Service list"},
    "resources.kpi.items.help": {"zh": "全区统一清单的项目数，不随范围变化。",
                                 "en": "Items on the district-wide list; the same for every scope."},
    "resources.kpi.uses": {"zh": "清单使用次数", "en": "Catalogue uses"},
    "resources.kpi.partner_units": {
        "zh": "参与单位和社会组织",
        "en": "Partner units and organisations",
    },
    "resources.kpi.partner_units.help": {
        "zh": "企事业单位、社区社会组织、物业服务企业，截至时段末；爱心商家另计。",
        "en": "Enterprises and institutions, social organisations and property companies at the period's end; "
              "caring merchants are counted apart.",
    },
    "resources.kpi.merchants": {"zh": "爱心商家", "en": "Caring merchants"},
    "resources.kpi.public_services": {
        "zh": "承接公共服务",
        "en": "Public services undertaken",
    },
    "resources.kpi.venues": {"zh": "共享场地", "en": "Shared venues"},
    "resources.kpi.fund_raised": {"zh": "社区服务基金筹集", "en": "Community fund raised"},
    "resources.kpi.fund_spent": {"zh": "基金支出", "en": "Fund spent"},
    "resources.kpi.fund_balance": {"zh": "基金结余", "en": "Fund balance"},
    "resources.kpi.fund_balance.help": {
        "zh": "截至时段末累计筹集减累计支出。",
        "en": "Everything raised minus everything spent up to the period's end.",
    },
    # tabs
    "resources.tab.catalogue": {"zh": "清单使用", "en": "Catalogue uptake"},
    "resources.tab.partners": {"zh": "共建单位", "en": "Partner units"},
    "resources.tab.venues": {"zh": "共享场地", "en": "Shared venues"},
    "resources.tab.fund": {"zh": "社区服务基金", "en": "Community fund"},
    "resources.tab.flows": {"zh": "资源流向", "en": "Resource flows"},
    "resources.tab.gap": {"zh": "供需对照", "en": "Supply and demand"},
    # catalogue
    "resources.catalogue.top": {"zh": "使用最多的清单项目", "en": "Most used items"},
    "resources.catalogue.resource_table": {
        "zh": "资源清单（{n}项）",
        "en": "Resource list ({n} items)",
    },
    "resources.catalogue.service_table": {
        "zh": "服务清单（{n}项）",
        "en": "Service list ({n} items)",
    },
    "resources.catalogue.unused": {"zh": "本范围、本时段无人使用的项目（{n}项）",
                                   "en": "Items nobody used in this scope and period ({n})"},
    "resources.catalogue.all_used": {"zh": "本范围、本时段每个清单项目都有使用。",
                                     "en": "Every item was used in this scope and period."},
    "resources.col.code": {"zh": "资源编码", "en": "Code"},
    "resources.col.venue_code": {"zh": "阵地编码", "en": "Venue code"},
    "resources.col.community_code": {"zh": "社区编码", "en": "Community code"},
    "resources.col.lat": {"zh": "纬度", "en": "Latitude"},
    "resources.col.lon": {"zh": "经度", "en": "Longitude"},
    "resources.col.item": {"zh": "资源名称", "en": "Item"},
    "resources.col.list_kind": {"zh": "清单", "en": "List"},
    "resources.col.kind": {"zh": "资源类别", "en": "Resource kind"},
    "resources.col.provider": {"zh": "提供单位", "en": "Provider unit"},
    "resources.col.communities": {"zh": "使用社区数", "en": "Communities"},
    "resources.col.uses": {"zh": "使用次数", "en": "Uses"},
    "resources.col.beneficiaries": {"zh": "受益人次", "en": "Beneficiaries"},
    "resources.col.last_used": {"zh": "最近使用", "en": "Last use"},
    "resources.list.resource": {"zh": "资源清单", "en": "Resource list"},
    "resources.list.service": {"zh": "服务清单", "en": "Service list"},
    # partners
    "resources.partners.by_street": {
        "zh": "各街道共建单位（按类别）",
        "en": "Partner units by street and kind",
    },
    "resources.partners.by_kind": {"zh": "按类别", "en": "By kind"},
    "resources.partners.caption": {
        "zh": "爱心商家单独统计，不计入“参与单位和社会组织”；共建党组织为其中与社区党委结对共建的单位。",
        "en": "Caring merchants are counted apart from the partner units; co-building party organisations are "
              "those paired with the community party committee.",
    },
    "resources.col.street": {"zh": "街道", "en": "Street"},
    "resources.col.community": {"zh": "社区", "en": "Community"},
    "resources.col.partner_kind": {"zh": "单位类别", "en": "Kind of unit"},
    "resources.col.units": {"zh": "单位数", "en": "Units"},
    "resources.col.cobuilding": {"zh": "其中共建党组织", "en": "Party co-building"},
    "resources.col.public_services": {"zh": "承接公共服务", "en": "Public services"},
    # venues
    "resources.venues.by_street": {
        "zh": "各街道共享场地（按类型）",
        "en": "Shared venues by street and kind",
    },
    "resources.venues.table": {"zh": "共享场地清单（{n}处）", "en": "Shared venues ({n})"},
    "resources.venues.hours": {"zh": "开放时间", "en": "Opening hours"},
    "resources.col.venue": {"zh": "场地", "en": "Venue"},
    "resources.col.venue_kind": {"zh": "类型", "en": "Kind"},
    "resources.col.owner": {"zh": "产权/管理单位", "en": "Owner unit"},
    "resources.col.hours": {"zh": "开放时间", "en": "Opening hours"},
    "resources.col.opened_on": {"zh": "开放日期", "en": "Opened on"},
    "resources.col.venues": {"zh": "场地数", "en": "Venues"},
    # fund
    "resources.fund.trend": {
        "zh": "累计筹集与支出（按月）",
        "en": "Raised and spent, cumulative by month",
    },
    "resources.fund.raised": {"zh": "累计筹集", "en": "Raised (cumulative)"},
    "resources.fund.spent": {"zh": "累计支出", "en": "Spent (cumulative)"},
    "resources.fund.by_source": {"zh": "筹集来源", "en": "Raised by source"},
    "resources.fund.by_purpose": {"zh": "支出用途", "en": "Spent by purpose"},
    "resources.fund.caption": {
        "zh": "累计线从时段起点算起；结余为截至时段末的累计筹集减累计支出。",
        "en": "Cumulative lines start at the period's start; the balance counts everything up to its end.",
    },
    "resources.col.month": {"zh": "月份", "en": "Month"},
    "resources.col.raised": {"zh": "筹集（元）", "en": "Raised (yuan)"},
    "resources.col.spent": {"zh": "支出（元）", "en": "Spent (yuan)"},
    "resources.col.raised_cum": {"zh": "累计筹集（元）", "en": "Raised, cumulative (yuan)"},
    "resources.col.spent_cum": {"zh": "累计支出（元）", "en": "Spent, cumulative (yuan)"},
    "resources.col.source": {"zh": "来源", "en": "Source"},
    "resources.col.purpose": {"zh": "用途", "en": "Purpose"},
    "resources.col.amount": {"zh": "金额（元）", "en": "Amount (yuan)"},
    "resources.col.entries": {"zh": "笔数", "en": "Entries"},
    "resources.unit.wan": {"zh": "万元", "en": "¥ million"},
    # flows
    "resources.flows.title": {
        "zh": "资源流向：提供单位 → 资源类别 → 街道",
        "en": "Flows: provider → resource kind → street",
    },
    "resources.flows.caption": {
        "zh": "线宽为时段内清单项目的使用次数。清单项目均由区级单位提供；共建单位的资源未按清单类别登记，故不在图中。",
        "en": "Link width is the number of uses in the period. Every catalogue item is provided by a district "
              "unit; partner units' resources are not recorded by catalogue kind and are not shown.",
    },
    "resources.flows.other": {"zh": "其他区级单位", "en": "Other district units"},
    # supply and demand
    "resources.gap.title": {"zh": "供需对照", "en": "Supply against demand"},
    "resources.gap.by_kind": {
        "zh": "按资源类别：需求与使用",
        "en": "By resource kind: demand and use",
    },
    "resources.gap.scatter": {
        "zh": "各社区需求与资源使用（每千人）",
        "en": "Demand and resource use per 1,000 residents",
    },
    "resources.gap.list": {
        "zh": "供需缺口清单（{n}个社区）",
        "en": "Gap list ({n} communities)",
    },
    "resources.gap.list.top": {
        "zh": "缺口分最高的 {n} 个社区；全部 {total} 个社区的清单及下载在下方。",
        "en": "The {n} communities with the highest gap scores; the list of all {total}, and its downloads, are "
              "below.",
    },
    "resources.gap.list.all": {
        "zh": "全部 {total} 个社区的供需缺口清单",
        "en": "Gap list of all {total} communities",
    },
    "resources.gap.none": {"zh": "按当前规则，本范围没有需求高、资源使用少的社区。",
                           "en": "By the rule below no community in this scope has high demand and little use."},
    "resources.gap.table": {
        "zh": "各社区分类别需求与资源使用",
        "en": "Demand and resource use per community and kind",
    },
    "resources.gap.table.show": {
        "zh": "显示全区各社区明细（{n} 行）",
        "en": "Show every community of the district ({n} rows)",
    },
    "resources.gap.rule": {
        "zh": "**规则**：需求 = 时段内映射类别的诉求数 + 微心愿数，按每{per}名居民计；"
              "供给 = 服务这些类别的资源（清单项目）使用次数，按每{per}名居民计；"
              "二者分别在{peers}各社区中取百分位（(名次−1)/(社区数−1)，并列取最低名次）；"
              "缺口分 = 需求百分位 − 供给百分位；缺口分 ≥ {threshold} 的社区列入清单，从高到低排列。",
        "en": "**Rule**: demand = requests in mapped categories plus micro wishes in the period, per {per} "
              "residents; supply = uses of the resources serving those categories, per {per} residents; each is "
              "turned into a percentile rank among {peers} ((rank − 1) / (communities − 1), ties take the lowest "
              "rank); gap score = demand rank − supply rank; communities scoring at least {threshold} are listed, "
              "highest first.",
    },
    "resources.gap.peers.district": {
        "zh": "全区",
        "en": "all communities of the district",
    },
    "resources.gap.peers.street": {
        "zh": "本街道",
        "en": "the communities of the street",
    },
    "resources.gap.mapping": {"zh": "资源类别与需求类别的对应（config/resource_demand_map.toml）",
                              "en": "Resource kinds and the needs they serve (config/resource_demand_map.toml)"},
    "resources.gap.mapping.wishes": {"zh": "微心愿", "en": "micro wishes"},
    "resources.gap.mapping.unmapped": {"zh": "未列出的资源类别（{kinds}）不对应任何需求类别。",
                                       "en": "Resource kinds not listed ({kinds}) serve no request category."},
    "resources.gap.chosen": {"zh": "所选社区在本街道的排名", "en": "Where the chosen community stands in its street"},
    "resources.gap.community_note": {
        "zh": "所选社区在本街道各社区中排名，表中以“●”标出。",
        "en": "The chosen community is ranked among its street's communities and marked ● in the table.",
    },
    "resources.col.population": {"zh": "常住人口", "en": "Residents"},
    "resources.col.requests": {"zh": "诉求数", "en": "Requests"},
    "resources.col.wishes": {"zh": "微心愿", "en": "Micro wishes"},
    "resources.col.demand": {"zh": "需求", "en": "Demand"},
    "resources.col.demand_rate": {"zh": "需求/千人", "en": "Demand per 1,000"},
    "resources.col.supply_rate": {"zh": "使用/千人", "en": "Uses per 1,000"},
    "resources.col.demand_rank": {"zh": "需求百分位", "en": "Demand rank"},
    "resources.col.supply_rank": {"zh": "供给百分位", "en": "Supply rank"},
    "resources.col.gap_score": {"zh": "缺口分", "en": "Gap score"},
    "resources.col.rank": {"zh": "排名", "en": "Rank"},
    "resources.col.serves": {"zh": "对应需求类别", "en": "Serves"},
    "resources.gap.flagged": {"zh": "列入缺口清单", "en": "On the gap list"},
    "resources.gap.others": {"zh": "其他社区", "en": "Other communities"},
    "resources.gap.selected": {"zh": "所选社区", "en": "Chosen community"},
    # empty states
    "resources.empty.uses": {
        "zh": "本范围、本时段没有资源使用记录。",
        "en": "No resource uses in this scope and period.",
    },
    "resources.empty.partners": {
        "zh": "截至时段末本范围没有共建单位。",
        "en": "No partner units here by the period's end.",
    },
    "resources.empty.venues": {
        "zh": "截至时段末本范围没有共享场地。",
        "en": "No shared venues here by the period's end.",
    },
    "resources.empty.fund": {
        "zh": "本范围、本时段没有基金收支记录。",
        "en": "No fund entries in this scope and period.",
    },
    "resources.empty.gap": {
        "zh": "本范围没有社区可比较。",
        "en": "No communities to compare in this scope.",
    },
    # stored values, English names
    "resources.v.帮扶救助": {"zh": "帮扶救助", "en": "Relief and assistance"},
    "resources.v.政务服务": {"zh": "政务服务", "en": "Government services"},
    "resources.v.医疗健康": {"zh": "医疗健康", "en": "Health care"},
    "resources.v.安全防范": {"zh": "安全防范", "en": "Safety and security"},
    "resources.v.心理健康": {"zh": "心理健康", "en": "Mental health"},
    "resources.v.文体教育": {"zh": "文体教育", "en": "Culture, sport, education"},
    "resources.v.法律援助": {"zh": "法律援助", "en": "Legal aid"},
    "resources.v.环境设施": {"zh": "环境设施", "en": "Environment and facilities"},
    "resources.v.企事业单位": {"zh": "企事业单位", "en": "Enterprises and institutions"},
    "resources.v.社区社会组织": {"zh": "社区社会组织", "en": "Social organisations"},
    "resources.v.物业服务企业": {"zh": "物业服务企业", "en": "Property companies"},
    "resources.v.爱心商家": {"zh": "爱心商家", "en": "Caring merchants"},
    "resources.v.党群服务中心": {"zh": "党群服务中心", "en": "Party-mass service centre"},
    "resources.v.会议室": {"zh": "会议室", "en": "Meeting room"},
    "resources.v.广场": {"zh": "广场", "en": "Square"},
    "resources.v.文体场馆": {"zh": "文体场馆", "en": "Sports and culture hall"},
    "resources.v.商超空间": {"zh": "商超空间", "en": "Shop space"},
    "resources.v.园区空间": {"zh": "园区空间", "en": "Industrial-park space"},
    "resources.v.个人捐赠": {"zh": "个人捐赠", "en": "Personal donations"},
    "resources.v.企业捐赠": {"zh": "企业捐赠", "en": "Enterprise donations"},
    "resources.v.慈善会配捐": {"zh": "慈善会配捐", "en": "Charity federation matching"},
    "resources.v.股份公司捐赠": {"zh": "股份公司捐赠", "en": "Share-company donations"},
    "resources.v.帮扶困难群体": {"zh": "帮扶困难群体", "en": "Helping people in difficulty"},
    "resources.v.完善公共服务": {"zh": "完善公共服务", "en": "Improving public services"},
    "resources.v.改善环境品质": {"zh": "改善环境品质", "en": "Improving the environment"},
}
