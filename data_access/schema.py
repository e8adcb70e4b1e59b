"""The database schema, in SQLAlchemy Core, shared by SQLite and PostgreSQL.

One table per record kind of the domain (docs/data.md). Every table has a CSV of
the same name in ``sample_data/`` whose header is exactly the table's columns, so
the loader and the generator need no mapping. Indicator and dimension
definitions are rows (``project_indicators``, ``evaluation_dimensions``), not
constants in code.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from data_access.domain import REQUEST_STATUSES, SAFETY_MEASURES

metadata = MetaData()

# --- geography: district -> street -> community -> compound ------------------

streets = Table(
    "streets",
    metadata,
    Column("code", String(9), primary_key=True, comment="NBS 2023 street code"),
    Column("name", String(20), nullable=False),
    Column("name_en", String(40), nullable=False),
    Column("population", Integer, nullable=False, comment="synthetic"),
    Column("lat", Float, nullable=False, comment="schematic label point"),
    Column("lon", Float, nullable=False, comment="schematic label point"),
)

communities = Table(
    "communities",
    metadata,
    Column("code", String(12), primary_key=True, comment="first NBS 12-digit code"),
    Column("street_code", String(9), ForeignKey("streets.code"), nullable=False, index=True),
    Column("name", String(40), nullable=False),
    Column("population", Integer, nullable=False, comment="synthetic"),
    Column("households", Integer, nullable=False, comment="synthetic"),
    Column("is_pilot", Boolean, nullable=False, default=False),
    Column("lat", Float, nullable=False, comment="schematic seed point"),
    Column("lon", Float, nullable=False, comment="schematic seed point"),
)

compounds = Table(
    "compounds",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("kind", String(10), nullable=False, comment="小区 / 城中村 / 园区"),
    Column("households", Integer, nullable=False),
    Column("has_party_branch", Boolean, nullable=False),
    Column("party_members", Integer, nullable=False),
    Column("retired_members_transferred", Integer, nullable=False),
)

# --- practice projects ---------------------------------------------------------

projects = Table(
    "projects",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("title", String(120), nullable=False),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("category", String(20), nullable=False),
    Column("need", String(60), nullable=False, comment="the residents' need the project answers"),
    Column("status", String(4), nullable=False, comment="申报 立项 实施 验收 完成 暂停"),
    Column("applied_on", Date, nullable=False, index=True),
    Column("approved_on", Date),
    Column("planned_start", Date),
    Column("planned_end", Date),
    Column("actual_start", Date),
    Column("actual_end", Date),
    Column("budget_yuan", Float, nullable=False),
    Column("spent_yuan", Float, nullable=False),
    Column("funding_source", String(20), nullable=False),
    Column("lead_unit", String(60), nullable=False),
    Column("partners", Text, nullable=False, comment="co-building units, separated by 、"),
    Column("residents_participating", Integer, nullable=False),
    Column("difficulties_solved", Integer, nullable=False, comment="residents' practical difficulties solved"),
    Column("progress_pct", Float, nullable=False),
    Column("description", Text, nullable=False),
)

project_milestones = Table(
    "project_milestones",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_code", String(16), ForeignKey("projects.code"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(40), nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("done_on", Date),
)

project_indicators = Table(
    "project_indicators",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(40), nullable=False),
    Column("name_en", String(80), nullable=False),
    Column("description", Text, nullable=False),
    Column("direction", String(6), nullable=False, comment="higher / lower"),
    Column("weight", Float, nullable=False),
    Column("target", Float, nullable=False),
    Column("max_score", Float, nullable=False),
    Column("assumed", Boolean, nullable=False, comment="not named in the source article"),
)

project_scores = Table(
    "project_scores",
    metadata,
    Column("project_code", String(16), ForeignKey("projects.code"), primary_key=True),
    Column("indicator_code", String(8), ForeignKey("project_indicators.code"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("score", Float, nullable=False),
)

# --- resident requests ---------------------------------------------------------

requests = Table(
    "requests",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("channel", String(10), nullable=False, comment="平安码上办 / 智慧平安服务站 / 居民谈心"),
    Column("category", String(10), nullable=False),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False),
    Column("compound_code", String(16), ForeignKey("compounds.code")),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("accepted_at", DateTime),
    Column("resolved_at", DateTime),
    Column("closed_at", DateTime),
    Column("status", String(6), nullable=False, comment="受理 办理中 已办结 已关闭 已退回 已上报"),
    Column("handling_unit", String(40), nullable=False),
    Column("satisfaction", Integer, comment="1-5, after resolution"),
    Column("requester_name", String(20), nullable=False, comment="personal data: masked on read"),
    Column("requester_phone", String(20), nullable=False, comment="personal data: masked on read"),
    Column("description", Text, nullable=False),
    Index("ix_requests_community_submitted", "community_code", "submitted_at"),
    Index("ix_requests_submitted", "submitted_at"),
    Index("ix_requests_status_community", "status", "community_code"),
    # the last resolution (the data range's end, every import) is one lookup, and the district's medians
    # (summaries._district_span_rows: every resolved request's duration) read this index alone, not the
    # table with its descriptions: at city scale minutes became seconds
    Index("ix_requests_resolved", "resolved_at", "submitted_at", "category", "channel", "community_code"),
    Index("ix_requests_closed", "closed_at"),
)

request_status_history = Table(
    "request_status_history",
    metadata,
    Column("request_id", String(16), ForeignKey("requests.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("status", String(6), nullable=False),
    Column("changed_at", DateTime, nullable=False),
)

micro_wishes = Table(
    "micro_wishes",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("title", String(80), nullable=False),
    Column("posted_at", DateTime, nullable=False),
    Column("claimed_at", DateTime),
    Column("fulfilled_at", DateTime),
    Column("claimer_kind", String(10), comment="党员 / 网格员 / 志愿者 / 爱心商家"),
    Column("status", String(4), nullable=False, comment="已发布 已认领 已实现"),
)

# --- resource sharing ----------------------------------------------------------

catalogue_items = Table(
    "catalogue_items",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("list_kind", String(8), nullable=False, comment="resource / service"),
    Column("name", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("provider_unit", String(40), nullable=False),
    Column("description", Text, nullable=False),
)

resource_uses = Table(
    "resource_uses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_code", String(8), ForeignKey("catalogue_items.code"), nullable=False, index=True),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("used_on", Date, nullable=False),
    Column("beneficiaries", Integer, nullable=False),
    # covering: a scope's uses in a period are read from the index alone, no table lookups
    Index("ix_resource_uses_community_used", "community_code", "used_on", "item_code", "beneficiaries"),
)

partner_units = Table(
    "partner_units",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("kind", String(10), nullable=False, comment="企事业单位 / 社区社会组织 / 物业服务企业 / 爱心商家"),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("is_party_cobuilding", Boolean, nullable=False),
    Column("joined_on", Date, nullable=False),
    Column("public_services_undertaken", Integer, nullable=False),
    Index("ix_partner_units_community_joined", "community_code", "joined_on", "kind", "public_services_undertaken"),
)

venues = Table(
    "venues",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("owner_unit", String(60), nullable=False),
    Column("opening_hours", String(40), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
)

fund_entries = Table(
    "fund_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False, index=True),
    Column("entry_date", Date, nullable=False),
    Column("direction", String(3), nullable=False, comment="in (raised) / out (spent)"),
    Column("amount_yuan", Float, nullable=False),
    Column("source", String(20), comment="for money raised"),
    Column("purpose", String(20), comment="for money spent"),
)

# --- participation -------------------------------------------------------------

participation_events = Table(
    "participation_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("community_code", String(12), ForeignKey("communities.code"), nullable=False),
    Column("compound_code", String(16), ForeignKey("compounds.code")),
    Column("kind", String(20), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("participants", Integer, nullable=False),
    Column("issues_settled", Integer, nullable=False),
    Index("ix_participation_events_community_held", "community_code", "held_on"),
)

volunteer_months = Table(
    "volunteer_months",
    metadata,
    Column("community_code", String(12), ForeignKey("communities.code"), primary_key=True),
    Column("month", Date, primary_key=True, comment="first day of the month"),
    Column("new_volunteers", Integer, nullable=False),
    Column("active_volunteers", Integer, nullable=False),
    Column("residents_taking_part", Integer, nullable=False, comment="residents newly mobilised"),
)

courtesy_plans = Table(
    "courtesy_plans",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("domain", String(10), nullable=False),
    Column("provider", String(60), nullable=False),
    Column("started_on", Date, nullable=False),
)

# --- evaluation and outcomes ---------------------------------------------------

evaluation_dimensions = Table(
    "evaluation_dimensions",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("name", String(20), nullable=False),
    Column("name_en", String(60), nullable=False),
    Column("description", Text, nullable=False),
    Column("data_source", String(60), nullable=False),
    Column("direction", String(6), nullable=False, comment="higher / lower"),
    Column("weight", Float, nullable=False),
    Column("target", Float, nullable=False),
    Column("assumed", Boolean, nullable=False, comment="not named in the source article"),
)

evaluation_scores = Table(
    "evaluation_scores",
    metadata,
    Column("unit_level", String(9), primary_key=True, comment="street / community"),
    Column("unit_code", String(12), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("dimension_code", String(8), ForeignKey("evaluation_dimensions.code"), primary_key=True),
    Column("score", Float, nullable=False),
    Index("ix_evaluation_scores_year", "year"),  # the years evaluated: an index scan, not a table scan
)

safety_months = Table(
    "safety_months",
    metadata,
    Column("community_code", String(12), ForeignKey("communities.code"), primary_key=True),
    Column("month", Date, primary_key=True, comment="first day of the month"),
    Column("criminal_alerts", Integer, nullable=False),
    Column("neighbour_disputes", Integer, nullable=False),
    Column("property_disputes", Integer, nullable=False),
)

property_ratings = Table(
    "property_ratings",
    metadata,
    Column("compound_code", String(16), ForeignKey("compounds.code"), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("company", String(60), nullable=False),
    Column("stars", Integer, nullable=False, comment="1-5"),
)

# --- summaries (rebuilt by data_access.summaries on every load and import) ----------


def unit_span_key() -> list[Column]:
    """The key columns a per-unit, per-span summary starts with (new Column objects for each table)."""
    return [
        Column("unit_level", String(9), primary_key=True, comment="district / street / community"),
        Column("unit_code", String(12), primary_key=True, comment="* for the district"),
        Column("span_start", Date, primary_key=True),
        Column("span_end", Date, primary_key=True),
    ]


summary_spans = Table(
    "summary_spans",
    metadata,
    Column("span_start", Date, primary_key=True),
    Column("span_end", Date, primary_key=True),
    comment="spans the summaries cover: every period option and its previous span",
)

request_span_summary = Table(
    "request_span_summary",
    metadata,
    *unit_span_key(),
    Column("dim", String(8), primary_key=True, comment="all / category / channel"),
    Column("dim_value", String(20), primary_key=True),
    Column("street_code", String(9), nullable=False, comment="the unit's street ('' for the district)"),
    Column("received", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
    Column("platform_resolved", Integer, nullable=False),
    Column("rated", Integer, nullable=False),
    Column("satisfaction_sum", Float, nullable=False),
    Column("resolved_rated", Integer, nullable=False),
    Column("resolved_satisfaction_sum", Float, nullable=False),
    Column("on_time", Integer, nullable=False),
    *[Column(f"score_{s}", Integer, nullable=False) for s in range(1, 6)],
    *[Column(f"{kind}_{i}", Integer, nullable=False) for kind in ("reached", "current")
      for i in range(len(REQUEST_STATUSES))],
    Column("median_days", Float, comment="NULL on a channel's rows (summary_percentiles.PERCENTILE_DIMS)"),
    Column("p90_days", Float),
    # the request at each percentile's lower rank (days, then id): an import moves the percentile from
    # there by the few ranks its rows shift it (data_access.summary_percentiles), without reading them all;
    # and the request right after it (NULL: the anchor is the group's last), which an interpolated
    # percentile also needs: when the anchor keeps its rank, no read at all
    Column("median_anchor", String(16)),
    Column("p90_anchor", String(16)),
    Column("median_next", String(16)),
    Column("p90_next", String(16)),
    Index("ix_request_span_summary_level_span", "unit_level", "span_start", "span_end", "dim", "street_code"),
)

#: ids compared byte by byte on both engines, as Python and SQLite compare them (a locale's collation
#: ignores the hyphen of city-scale ids and would order the percentile walks differently)
_ORDERED_ID = String(16).with_variant(String(16, collation="C"), "postgresql")

request_durations = Table(
    "request_durations",
    metadata,
    Column("id", _ORDERED_ID, primary_key=True),
    Column("community_code", String(12), nullable=False),
    Column("street_code", String(9), nullable=False),
    Column("category", String(10), nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("days", Float, nullable=False, comment="submission to resolution, as the summaries compute it"),
    # a walk steps along one of these in (days, id) order and filters on the span and category: they
    # carry those columns, so it never reads the table (half the walk's time on the sample). No channel:
    # a channel's rows keep no percentile (summary_percentiles.PERCENTILE_DIMS)
    Index("ix_request_durations_days", "days", "id", "submitted_at", "category"),
    Index("ix_request_durations_street_days", "street_code", "days", "id", "submitted_at", "category"),
    Index("ix_request_durations_community_days", "community_code", "days", "id", "submitted_at", "category"),
    comment="every resolved request's duration, ordered per unit: the source the percentiles walk",
)

request_month_summary = Table(
    "request_month_summary",
    metadata,
    Column("unit_level", String(9), primary_key=True),
    Column("unit_code", String(12), primary_key=True),
    Column("month", Date, primary_key=True, comment="first day of the month of submission"),
    Column("street_code", String(9), nullable=False),
    Column("received", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
)

def _bulletin_counts() -> list[Column]:
    """The bulletin's 11 counts (data_access.bulletin_counts.COUNT_COLUMNS), in a summary row."""
    return [Column(name, Integer, nullable=False) for name in (
        "received", "responded", "resolved", "on_time", "due", "rated", "satisfied", "dissatisfied",
        "returned", "reopened", "returned_reopened")]


bulletin_count_summary = Table(
    "bulletin_count_summary",
    metadata,
    Column("kind", String(5), primary_key=True, comment="month / week"),
    Column("period_key", String(8), primary_key=True, comment="2023-10 / 2023-W42"),
    Column("community_code", String(12), primary_key=True),
    Column("street_code", String(9), nullable=False),
    # the bulletin's counts of the community's requests submitted in the period, at its cut-off (the
    # period's last day, or the reference date when earlier): data_access.bulletin.COUNT_COLUMNS
    *_bulletin_counts(),
)

bulletin_street_summary = Table(
    "bulletin_street_summary",
    metadata,
    Column("kind", String(5), primary_key=True, comment="month / week"),
    Column("period_key", String(8), primary_key=True),
    Column("street_code", String(9), primary_key=True),
    # bulletin_count_summary's rows of the street's communities added up: a street bulletin's streak walks
    # back up to five years of every street, and reading ten times fewer rows halved its database time
    *_bulletin_counts(),
)

unit_span_summary = Table(
    "unit_span_summary",
    metadata,
    *unit_span_key(),
    Column("street_code", String(9), nullable=False),
    Column("projects", Integer, nullable=False, comment="applied for in the span"),
    Column("projects_completed", Integer, nullable=False, comment="of those, completed today"),
    Column("resources_used", Integer, nullable=False),
    Column("new_volunteers", Integer, nullable=False),
    Index("ix_unit_span_summary_level_span", "unit_level", "span_start", "span_end", "street_code"),
)

open_request_summary = Table(
    "open_request_summary",
    metadata,
    Column("id", String(16), primary_key=True, comment="requests.id of an open request"),
    Column("status", String(6), nullable=False),
    Column("category", String(10), nullable=False, comment="its target days decide when it is overdue"),
    Column("community_code", String(12), nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("idle_since", DateTime, nullable=False, index=True, comment="last status change, else submission"),
    # the worklist reads each category's due requests as one range of an index, earliest first: the
    # district's, and a place's (its communities in turn); its counts from the index alone
    Index("ix_open_request_summary_category", "category", "submitted_at"),
    Index("ix_open_request_summary_place", "community_code", "category", "submitted_at"),
)

open_status_summary = Table(
    "open_status_summary",
    metadata,
    *unit_span_key(),
    Column("status", String(6), primary_key=True),
    Column("street_code", String(9), nullable=False),
    Column("open", Integer, nullable=False, comment="open requests submitted in the span"),
    Column("median_idle_days", Float, comment="days since their last change, as of the reference date"),
)

project_stage_summary = Table(
    "project_stage_summary",
    metadata,
    Column("project_code", String(16), primary_key=True),
    Column("status", String(4), nullable=False, comment="the project's status (as projects.status)"),
    Column("stage_since", Date, nullable=False, comment="when it entered that status"),
    Column("last_done", Date, comment="latest milestone done"),
    Column("milestones_done", Integer, nullable=False),
    Column("milestones", Integer, nullable=False),
    Column("community_code", String(12), nullable=False, comment="as projects (the board's scope)"),
    Column("applied_on", Date, nullable=False, comment="as projects (the board's period)"),
    # the board's first cards of a stage, longest in it first, and its list's first rows: reads of an index
    # that holds the scope's columns too, in the board's order, stopped at the cards wanted
    Index("ix_project_stage_summary_status_since", "status", "stage_since", "project_code", "community_code",
          "applied_on"),
    Index("ix_project_stage_summary_since", "stage_since", "project_code", "community_code", "applied_on"),
)

project_acceptance_summary = Table(
    "project_acceptance_summary",
    metadata,
    Column("project_code", String(16), primary_key=True),
    Column("total", Float, comment="weighted acceptance total, 0-120"),
    Column("indicators_scored", Integer, nullable=False),
)

PARTICIPATION_MEASURES = ["new_volunteers", "residents_taking_part", "active_volunteers", "caring_merchants",
                          "social_organisations", "new_caring_merchants", "new_social_organisations",
                          "joint_meetings", "council_sessions", "convenience_services", "volunteer_services",
                          "education_activities", "issues_settled", "event_participants"]
#: participants and issues settled per event kind (columns <kind column>_participants / _issues)
PARTICIPATION_KIND_MEASURES = [f"{kind}_{what}" for kind in PARTICIPATION_MEASURES[7:12]
                               for what in ("participants", "issues")]
PARTICIPATION_MONTH_MEASURES = ["new_volunteers", "active_volunteers", "residents_taking_part", "joint_meetings",
                                "council_sessions", "convenience_services", "volunteer_services",
                                "education_activities", "issues_settled"]

participation_span_summary = Table(
    "participation_span_summary",
    metadata,
    *unit_span_key(),
    Column("street_code", String(9), nullable=False),
    *[Column(name, Integer, nullable=False) for name in PARTICIPATION_MEASURES + PARTICIPATION_KIND_MEASURES],
    Index("ix_participation_span_summary_level_span", "unit_level", "span_start", "span_end", "street_code"),
    comment="data_access.participation's headline figures per unit and span",
)

participation_month_summary = Table(
    "participation_month_summary",
    metadata,
    Column("unit_level", String(9), primary_key=True),
    Column("unit_code", String(12), primary_key=True),
    Column("month", String(7), primary_key=True, comment="YYYY-MM"),
    Column("street_code", String(9), nullable=False),
    *[Column(name, Integer, nullable=False) for name in PARTICIPATION_MONTH_MEASURES],
)

safety_month_summary = Table(
    "safety_month_summary",
    metadata,
    Column("unit_level", String(9), primary_key=True, comment="district / street / community"),
    Column("unit_code", String(12), primary_key=True, comment="* for the district"),
    Column("month", Date, primary_key=True, comment="first day of the month"),
    Column("street_code", String(9), nullable=False),
    *[Column(name, Integer, nullable=False) for name in SAFETY_MEASURES],
    Index("ix_safety_month_summary_level_street", "unit_level", "street_code", "month"),
    comment="safety_months summed per community, street and for the district",
)

resource_use_summary = Table(
    "resource_use_summary",
    metadata,
    *unit_span_key(),
    Column("resource_kind", String(20), primary_key=True, comment="catalogue_items.kind of the item used"),
    Column("street_code", String(9), nullable=False),
    Column("uses", Integer, nullable=False),
    Column("beneficiaries", Integer, nullable=False),
    Index("ix_resource_use_summary_level_span", "unit_level", "span_start", "span_end", "street_code"),
)

wish_span_summary = Table(
    "wish_span_summary",
    metadata,
    *unit_span_key(),
    Column("street_code", String(9), nullable=False),
    Column("posted", Integer, nullable=False, comment="micro wishes posted in the span"),
    Column("claimed", Integer, nullable=False),
    Column("fulfilled", Integer, nullable=False),
    Column("median_days_to_fulfil", Float),
)

indicator_span_summary = Table(
    "indicator_span_summary",
    metadata,
    *unit_span_key(),
    Column("indicator_code", String(8), primary_key=True),
    Column("street_code", String(9), nullable=False),
    Column("scores", Integer, nullable=False, comment="scores given to projects applied for in the span"),
    Column("score_sum", Float, nullable=False),
    Column("score_count", Integer, nullable=False, comment="scores that are not NULL"),
    Column("achievement_sum", Float, nullable=False),
    Column("achievement_count", Integer, nullable=False, comment="achievements that are not NULL"),
    Column("below_target", Integer, nullable=False, comment="achievement under 1"),
    Index("ix_indicator_span_summary_level_span", "unit_level", "span_start", "span_end", "street_code"),
    comment="data_access.projects' acceptance indicator sums per unit, span of application and indicator",
)

evaluation_composite_summary = Table(
    "evaluation_composite_summary",
    metadata,
    Column("unit_level", String(9), primary_key=True, comment="street / community"),
    Column("unit_code", String(12), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("composite", Float, comment="data_access.evaluation's weighted composite, 0-120"),
    Column("dimensions_scored", Integer, nullable=False),
)

#: Tables derived from the data tables, never loaded from CSV.
SUMMARY_TABLES = [summary_spans, request_span_summary, request_durations, request_month_summary, unit_span_summary,
                  open_request_summary, open_status_summary, project_stage_summary, project_acceptance_summary,
                  participation_span_summary, participation_month_summary, safety_month_summary,
                  resource_use_summary, evaluation_composite_summary, wish_span_summary, indicator_span_summary,
                  bulletin_count_summary, bulletin_street_summary]

# --- bookkeeping ---------------------------------------------------------------

dataset_info = Table(
    "dataset_info",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

#: Tables whose rows come from ``sample_data/<name>.csv``, in load order.
DATA_TABLES = [t for t in metadata.sorted_tables if t.name != "dataset_info" and t not in SUMMARY_TABLES]

# --- alerts, follow-up and delivery (预警、督办、推送) -------------------------------------
#
# Kept in their own MetaData: the loader's reload drops and recreates ``metadata`` (every data
# and summary table), and these rows are records of what people and jobs did, which a reload of
# the data must not erase. ``data_access.alerts.ensure_tables`` creates them on first use, so an
# existing SQLite file or PostgreSQL database gets them without a reload.

ops_metadata = MetaData()

alerts = Table(
    "alerts",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", String(40), nullable=False),
    Column("kind", String(10), nullable=False, comment="threshold / change / overdue / spike"),
    Column("severity", String(6), nullable=False, comment="high / medium / low"),
    Column("unit_level", String(9), nullable=False, comment="street / community"),
    Column("unit_code", String(12), nullable=False),
    Column("unit_name", String(40), nullable=False),
    Column("street_code", String(9), nullable=False, index=True),
    Column("detail", String(40), nullable=False, default="",
           comment="the request category of a spike, the phrase of a hot topic"),
    Column("measure", String(40), nullable=False),
    Column("period", String(24), nullable=False, comment="the month (YYYY-MM) or week (YYYY-MM-DD~MM-DD)"),
    Column("value", Float),
    Column("threshold", Float, comment="floor, ceiling, previous value or Poisson baseline per month"),
    Column("p_value", Float),
    Column("reason", Text, nullable=False, comment="in Chinese"),
    Column("reason_en", Text, nullable=False),
    Column("data_as_of", Date, nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("closed_at", DateTime),
    Column("status", String(6), nullable=False, comment="open / closed"),
    # at most one open alert per condition: the next run updates it instead of adding another
    Index("ux_alerts_open_condition", "rule_id", "unit_code", "detail", unique=True,
          sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    Index("ix_alerts_status_street", "status", "street_code"),
)

followups = Table(
    "followups",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id")),
    Column("task", Text, nullable=False, comment="what is to be done"),
    Column("unit_level", String(9), nullable=False, comment="street / community"),
    Column("unit_code", String(12), nullable=False),
    Column("unit_name", String(40), nullable=False),
    Column("street_code", String(9), nullable=False, index=True),
    Column("measure", String(40), nullable=False, default=""),
    Column("due_on", Date, nullable=False),
    Column("status", String(10), nullable=False, comment="open / done / closed (current state; history below)"),
    Column("created_by", String(40), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

followup_events = Table(
    "followup_events",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("followup_id", Integer, ForeignKey("followups.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(40), nullable=False),
    Column("role", String(20), nullable=False),
    Column("action", String(10), nullable=False, comment="create / progress / done / verify / send_back"),
    Column("status_after", String(10), nullable=False),
    Column("note", Text, nullable=False, default=""),
    comment="append-only: rows are inserted, never updated or deleted",
)

digest_sends = Table(
    "digest_sends",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscription", String(40), nullable=False),
    Column("period", String(12), nullable=False, comment="e.g. 2023-10, 2023-W44, 2023-10-31"),
    Column("channel", String(10), nullable=False, comment="email / wecom / dingtalk"),
    Column("target", String(200), nullable=False, comment="recipients or webhook (without its key)"),
    Column("status", String(8), nullable=False, comment="sent / failed"),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("first_try", DateTime, nullable=False),
    Column("last_try", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ux_digest_sends", "subscription", "period", "channel", "target", unique=True),
)

alert_runs = Table(
    "alert_runs",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("loaded_at", String(40), nullable=False, comment="dataset_info.loaded_at of the data evaluated"),
    Column("data_as_of", Date, nullable=False),
    Column("conditions", Integer, nullable=False),
    Column("opened", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    comment="one row per evaluation: a load or import since the last one makes the alerts stale",
)

# --- login failures and lockout (登录失败处理, data_access/login_attempts.py) -----------------

login_failures = Table(
    "login_failures",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_name", String(40), nullable=False, index=True, comment="as typed: unknown names count too"),
    Column("address", String(64), nullable=False, index=True, comment="client address, or 'unknown'"),
    comment="one row per failed login; a lockout counts them per account and per address",
)

login_locks = Table(
    "login_locks",
    ops_metadata,
    Column("subject", String(110), primary_key=True, comment="user:<name> or address:<ip>"),
    Column("locked_until", DateTime, comment="locked while now < locked_until"),
    Column("reset_at", DateTime, comment="failures before this (a success or an unlock) no longer count"),
)

# --- the audit trail (安全审计, data_access/audit.py) ------------------------------------------

audit_log = Table(
    "audit_log",
    ops_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False, comment="1, 2, 3 …: a gap is a deleted record"),
    Column("at", DateTime, nullable=False, index=True),
    Column("user_name", String(40), nullable=False, index=True),
    Column("role", String(20), nullable=False, default=""),
    Column("address", String(64), nullable=False, default=""),
    Column("action", String(20), nullable=False, index=True,
           comment="login / login_failed / logout / timeout / export / view_request / import"),
    Column("target", Text, nullable=False, default="", comment="what: a table, a request id, a file"),
    Column("scope", Text, nullable=False, default="", comment="the place and period it covered"),
    Column("rows", Integer),
    Column("file_name", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default="", comment="reason or result"),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, comment="sha256(prev_hash + canonical content)"),
    comment="append-only: rows are inserted, never updated or deleted; the hash chain shows any change",
)

# --- browser sessions behind the session cookie (data_access/web_sessions.py) --------------------

web_sessions = Table(
    "web_sessions",
    ops_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), unique=True, comment="sha256 of the cookie's token (set on redeeming)"),
    Column("ticket_hash", String(64), unique=True, comment="sha256 of the one-time ticket; cleared when redeemed"),
    Column("ticket_expires", DateTime),
    Column("user_name", String(40), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("credential", String(16), nullable=False, comment="a prefix of the password hash logged in with"),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("ended_reason", String(20), nullable=False, default=""),
    comment="one row per login that holds a session cookie; ended rows stay until cleaned",
)

OPS_TABLES = [alerts, alert_runs, followups, followup_events, digest_sends, login_failures, login_locks, audit_log,
              web_sessions]
