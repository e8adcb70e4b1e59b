"""What each import area accepts: columns, headers, types, allowed values and keys, as data.

Every spec is derived from :mod:`data_access.schema` (type, length, required = NOT NULL,
references = foreign keys) and completed here with what the schema cannot say: the
Chinese header offices write, the code set from :mod:`data_access.domain` a column must
hold, a numeric range, and the *natural key* a re-imported row is matched on.

Natural keys: the table's primary key, except for the four tables whose key is a
surrogate integer ``id`` (never asked for in a file):

* ``project_milestones``: (project_code, seq) — a project's n-th milestone;
* ``resource_uses``: (item_code, community_code, used_on) — one use of an item by a
  community on a day;
* ``fund_entries``: (community_code, entry_date, direction, source, purpose);
* ``participation_events``: (community_code, compound_code, kind, held_on).

Where a database already holds several rows with one natural key (the sample data
has a handful), an import updates the one with the lowest id.
This module never imports Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Table

from data_access import domain, schema

#: Chinese header of each column, by column name (shared across tables).
ZH_HEADERS: dict[str, str] = {
    "code": "编码",
    "title": "名称",
    "name": "名称",
    "community_code": "社区编码",
    "compound_code": "小区编码",
    "street_code": "街道编码",
    "category": "类别",
    "need": "居民需求",
    "status": "状态",
    "applied_on": "申报日期",
    "approved_on": "立项日期",
    "planned_start": "计划开始日期",
    "planned_end": "计划完成日期",
    "actual_start": "实际开始日期",
    "actual_end": "实际完成日期",
    "budget_yuan": "预算（元）",
    "spent_yuan": "已支出（元）",
    "funding_source": "资金来源",
    "lead_unit": "牵头单位",
    "partners": "共建单位",
    "residents_participating": "参与居民数",
    "difficulties_solved": "解决实际困难数",
    "progress_pct": "进度（%）",
    "description": "描述",
    "project_code": "项目编码",
    "seq": "序号",
    "planned_on": "计划日期",
    "done_on": "完成日期",
    "indicator_code": "指标编码",
    "year": "年度",
    "score": "得分",
    "id": "编号",
    "channel": "渠道",
    "lat": "纬度",
    "lon": "经度",
    "submitted_at": "提交时间",
    "accepted_at": "受理时间",
    "resolved_at": "办结时间",
    "closed_at": "关闭时间",
    "handling_unit": "承办单位",
    "satisfaction": "满意度",
    "requester_name": "诉求人姓名",
    "requester_phone": "诉求人电话",
    "posted_at": "发布时间",
    "claimed_at": "认领时间",
    "fulfilled_at": "实现时间",
    "claimer_kind": "认领人类型",
    "list_kind": "清单类型",
    "kind": "类型",
    "provider_unit": "提供单位",
    "item_code": "资源编码",
    "used_on": "使用日期",
    "beneficiaries": "受益人数",
    "is_party_cobuilding": "是否党建共建",
    "joined_on": "加入日期",
    "public_services_undertaken": "承接公共服务数",
    "owner_unit": "产权单位",
    "opening_hours": "开放时间",
    "opened_on": "启用日期",
    "entry_date": "日期",
    "direction": "收支方向",
    "amount_yuan": "金额（元）",
    "source": "资金来源",
    "purpose": "用途",
    "held_on": "举办日期",
    "participants": "参与人数",
    "issues_settled": "议定事项数",
    "unit_level": "单位层级",
    "unit_code": "单位编码",
    "dimension_code": "维度编码",
    "month": "月份",
    "criminal_alerts": "刑事治安警情",
    "neighbour_disputes": "邻里纠纷",
    "property_disputes": "物业管理纠纷",
    "company": "物业服务企业",
    "stars": "星级",
}

#: Per table, headers that read better than the shared default.
ZH_HEADER_OVERRIDES: dict[str, dict[str, str]] = {
    "projects": {"code": "项目编码", "title": "项目名称"},
    "project_milestones": {"name": "节点名称"},
    "requests": {"id": "诉求编号", "description": "诉求内容"},
    "micro_wishes": {"id": "心愿编号", "title": "心愿内容"},
    "catalogue_items": {"code": "资源编码", "name": "资源名称", "kind": "资源类别"},
    "partner_units": {"code": "单位编码", "name": "单位名称"},
    "venues": {"code": "阵地编码", "name": "阵地名称"},
    "participation_events": {"kind": "活动类型"},
    "safety_months": {"month": "月份（当月1日）"},
}

#: Other headers read as a column: those of downloads made before the downloads used the
#: template's headers, and the usual variants offices type.
HEADER_ALIASES: dict[str, str] = {
    "社区代码": "community_code",
    "小区代码": "compound_code",
    "街道代码": "street_code",
    "诉求人": "requester_name",
    "联系电话": "requester_phone",
}

#: Allowed values (code sets of :mod:`data_access.domain`), by (table, column).
ALLOWED: dict[tuple[str, str], tuple] = {
    ("projects", "status"): tuple(domain.PROJECT_STATUSES),
    ("requests", "channel"): tuple(domain.REQUEST_CHANNELS),
    ("requests", "category"): tuple(domain.REQUEST_CATEGORIES),
    ("requests", "status"): tuple(domain.REQUEST_STATUSES),
    ("micro_wishes", "status"): tuple(domain.WISH_STATUSES),
    ("micro_wishes", "claimer_kind"): tuple(domain.WISH_CLAIMER_KINDS),
    ("catalogue_items", "list_kind"): (domain.CATALOGUE_RESOURCE, domain.CATALOGUE_SERVICE),
    ("partner_units", "kind"): tuple(domain.PARTNER_KINDS),
    ("fund_entries", "direction"): (domain.FUND_IN, domain.FUND_OUT),
    ("participation_events", "kind"): tuple(domain.EVENT_KINDS),
    ("evaluation_scores", "unit_level"): ("street", "community"),
}

#: Inclusive numeric ranges, by (table, column).
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("projects", "budget_yuan"): (0, None),
    ("projects", "spent_yuan"): (0, None),
    ("projects", "residents_participating"): (0, None),
    ("projects", "difficulties_solved"): (0, None),
    ("projects", "progress_pct"): (0, 100),
    ("project_milestones", "seq"): (1, 1000),
    ("project_scores", "year"): (2000, 2100),
    ("project_scores", "score"): (0, 1_000_000),
    ("requests", "lat"): (-90, 90),
    ("requests", "lon"): (-180, 180),
    ("requests", "satisfaction"): (1, 5),
    ("venues", "lat"): (-90, 90),
    ("venues", "lon"): (-180, 180),
    ("resource_uses", "beneficiaries"): (0, None),
    ("partner_units", "public_services_undertaken"): (0, None),
    ("fund_entries", "amount_yuan"): (0, None),
    ("participation_events", "participants"): (0, None),
    ("participation_events", "issues_settled"): (0, None),
    ("evaluation_scores", "year"): (2000, 2100),
    ("safety_months", "criminal_alerts"): (0, None),
    ("safety_months", "neighbour_disputes"): (0, None),
    ("safety_months", "property_disputes"): (0, None),
    ("property_ratings", "year"): (2000, 2100),
    ("property_ratings", "stars"): (1, 5),
}

#: Natural keys of the tables with a surrogate ``id`` (see the module docstring).
SURROGATE_NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "project_milestones": ("project_code", "seq"),
    "resource_uses": ("item_code", "community_code", "used_on"),
    "fund_entries": ("community_code", "entry_date", "direction", "source", "purpose"),
    "participation_events": ("community_code", "compound_code", "kind", "held_on"),
}

#: One example row per table, for the templates (valid against the sample data).
EXAMPLES: dict[str, dict[str, object]] = {
    "projects": {
        "code": "LG-2023-9001", "title": "龙岭社区加装电梯协商", "community_code": "440307014003",
        "category": "平安建设", "need": "老旧小区上下楼难", "status": "立项", "applied_on": "2023-09-01",
        "approved_on": "2023-09-20", "planned_start": "2023-10-01", "planned_end": "2024-03-31",
        "actual_start": "", "actual_end": "", "budget_yuan": 80000, "spent_yuan": 0,
        "funding_source": "政府资金", "lead_unit": "社区党委", "partners": "龙岭股份公司、龙岭书画社",
        "residents_participating": 40, "difficulties_solved": 0, "progress_pct": 10,
        "description": "由社区党委牵头组织居民议事，推进加装电梯。",
    },
    "project_milestones": {
        "project_code": "LG-2021-0001", "seq": 1, "name": "项目立项", "planned_on": "2021-02-23",
        "done_on": "2021-03-11",
    },
    "project_scores": {"project_code": "LG-2021-0001", "indicator_code": "P01", "year": 2021, "score": 91.3},
    "requests": {
        "id": "R2023900001", "channel": "平安码上办", "category": "隐患上报", "community_code": "440307014003",
        "compound_code": "440307014003-02", "lat": 22.63064, "lon": 114.10109,
        "submitted_at": "2023-10-10 13:04:12", "accepted_at": "2023-10-10 13:47:21", "resolved_at": "",
        "closed_at": "", "status": "办理中", "handling_unit": "布吉街道应急管理办", "satisfaction": "",
        "requester_name": "张三", "requester_phone": "13800000000", "description": "井盖破损",
    },
    "micro_wishes": {
        "id": "W202390001", "community_code": "440307014003", "title": "卫生间安装扶手",
        "posted_at": "2023-10-01 09:00:00", "claimed_at": "", "fulfilled_at": "", "claimer_kind": "",
        "status": "已发布",
    },
    "catalogue_items": {
        "code": "R90", "list_kind": "resource", "name": "社区长者饭堂", "kind": "帮扶救助",
        "provider_unit": "龙岗区民政局", "description": "为辖区长者提供助餐服务",
    },
    "resource_uses": {"item_code": "R01", "community_code": "440307014003", "used_on": "2023-10-01",
                      "beneficiaries": 12},
    "partner_units": {
        "code": "PU90001", "name": "龙岭股份公司", "kind": "企事业单位", "community_code": "440307014003",
        "is_party_cobuilding": "是", "joined_on": "2023-05-30", "public_services_undertaken": 2,
    },
    "venues": {
        "code": "V9001", "name": "龙岭社区党群服务中心", "kind": "党群服务中心", "community_code": "440307014003",
        "owner_unit": "龙岭社区党委", "opening_hours": "09:00-21:00", "opened_on": "2023-05-20",
        "lat": 22.63, "lon": 114.10,
    },
    "fund_entries": {
        "community_code": "440307014003", "entry_date": "2023-10-08", "direction": "in", "amount_yuan": 5000,
        "source": "个人捐赠", "purpose": "",
    },
    "participation_events": {
        "community_code": "440307014003", "compound_code": "440307014003-02", "kind": "议事会",
        "held_on": "2023-10-12", "participants": 28, "issues_settled": 2,
    },
    "evaluation_scores": {"unit_level": "community", "unit_code": "440307014003", "year": 2023,
                          "dimension_code": "E01", "score": 80.5},
    "safety_months": {"community_code": "440307014003", "month": "2023-10-01", "criminal_alerts": 12,
                      "neighbour_disputes": 2, "property_disputes": 1},
    "property_ratings": {"compound_code": "440307014003-02", "year": 2023, "company": "深圳市华宇物业服务有限公司",
                         "stars": 4},
}

#: Import areas: area key -> (table, Chinese title, English title), in the order the UI lists them.
AREAS: dict[str, tuple[Table, str, str]] = {
    "projects": (schema.projects, "实践项目", "Practice projects"),
    "milestones": (schema.project_milestones, "项目节点", "Project milestones"),
    "project_scores": (schema.project_scores, "项目验收评分", "Project acceptance scores"),
    "requests": (schema.requests, "居民诉求", "Resident requests"),
    "micro_wishes": (schema.micro_wishes, "微心愿", "Micro wishes"),
    "resources": (schema.catalogue_items, "资源和服务清单", "Resources and services"),
    "resource_uses": (schema.resource_uses, "资源使用", "Resource uses"),
    "partner_units": (schema.partner_units, "共建单位", "Partner units"),
    "venues": (schema.venues, "服务阵地", "Venues"),
    "fund_entries": (schema.fund_entries, "社区基金收支", "Community fund entries"),
    "participation_events": (schema.participation_events, "共治活动", "Participation events"),
    "evaluation_scores": (schema.evaluation_scores, "考核评价得分", "Evaluation scores"),
    "safety": (schema.safety_months, "平安成效（月度）", "Safety outcomes (monthly)"),
    "property_ratings": (schema.property_ratings, "物业星级评定", "Property ratings"),
}

KIND_TEXT = "text"
KIND_INTEGER = "integer"
KIND_NUMBER = "number"
KIND_BOOLEAN = "boolean"
KIND_DATE = "date"
KIND_DATETIME = "datetime"

#: How each kind is described to the person filling the file.
KIND_ZH = {
    KIND_TEXT: "文本",
    KIND_INTEGER: "整数",
    KIND_NUMBER: "数字",
    KIND_BOOLEAN: "是/否",
    KIND_DATE: "日期 YYYY-MM-DD",
    KIND_DATETIME: "时间 YYYY-MM-DD HH:MM:SS",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One column an import file may carry."""

    name: str
    zh: str
    kind: str
    required: bool
    max_length: int | None = None
    allowed: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    #: (table, column) a value must exist in, from the schema's foreign key
    references: tuple[str, str] | None = None


@dataclass(frozen=True)
class AreaSpec:
    """One import area: its table, columns and natural key."""

    area: str
    table: Table
    title_zh: str
    title_en: str
    columns: tuple[ColumnSpec, ...]
    natural_key: tuple[str, ...]
    #: True when the table's key is a surrogate id the file never carries
    surrogate: bool = False
    example: dict = field(default_factory=dict)

    @cached_property
    def _by_name(self) -> dict[str, ColumnSpec]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name`` (looked up for every cell of a file: a dict, not a scan)."""
        return self._by_name[name]


def _kind(column) -> str:
    kind = column.type
    if isinstance(kind, DateTime):
        return KIND_DATETIME
    if isinstance(kind, Date):
        return KIND_DATE
    if isinstance(kind, Boolean):
        return KIND_BOOLEAN
    if isinstance(kind, Integer):
        return KIND_INTEGER
    if isinstance(kind, Float):
        return KIND_NUMBER
    if isinstance(kind, String):
        return KIND_TEXT
    raise TypeError(f"{column.table.name}.{column.name}: no import kind for {kind!r}")


def _column_spec(table: Table, column) -> ColumnSpec:
    fks = list(column.foreign_keys)
    low, high = RANGES.get((table.name, column.name), (None, None))
    return ColumnSpec(
        name=column.name,
        zh=ZH_HEADER_OVERRIDES.get(table.name, {}).get(column.name, ZH_HEADERS[column.name]),
        kind=_kind(column),
        required=not column.nullable,
        max_length=getattr(column.type, "length", None) if isinstance(column.type, String) else None,
        allowed=ALLOWED.get((table.name, column.name)),
        minimum=low,
        maximum=high,
        references=(fks[0].column.table.name, fks[0].column.name) if fks else None,
    )


def _area_spec(area: str, table: Table, title_zh: str, title_en: str) -> AreaSpec:
    surrogate = table.name in SURROGATE_NATURAL_KEYS
    columns = tuple(_column_spec(table, c) for c in table.columns if not (surrogate and c.name == "id"))
    key = SURROGATE_NATURAL_KEYS[table.name] if surrogate else tuple(c.name for c in table.primary_key.columns)
    return AreaSpec(area, table, title_zh, title_en, columns, key, surrogate, EXAMPLES[table.name])


SPECS: dict[str, AreaSpec] = {area: _area_spec(area, *entry) for area, entry in AREAS.items()}


def spec_for(area: str) -> AreaSpec:
    """The spec of an area key (KeyError for an unknown one)."""
    return SPECS[area]
