"""Deterministic synthetic sample data for the Longgang governance dashboard.

``python -m sample_data.generate`` rewrites every ``sample_data/<table>.csv`` and
the schematic GeoJSON in ``sample_data/geo/``. The data is made up but
calibrated: the figures the source article reports (578 projects, 31,712
requests resolved, ...) come out exactly when the dashboard queries it.

Every area draws from its own random generator seeded from ``SEED`` and the
area's name, so runs are byte-identical and changing one area leaves the rows
of the others alone. Dates run from 2021-01-01 (the pilot community starts) to
2023-10-31 (the data's "as of" date).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Boolean, Date, DateTime, Float, Integer

from data_access import domain, schema
from sample_data import geography, vocab

SEED = 20231031
OUT_DIR = Path(__file__).resolve().parent

START = np.datetime64("2021-01-01")
END = np.datetime64("2023-10-31")
END_TS = np.datetime64("2023-10-31T23:59:59")
DAYS = np.arange(START, END + 1)
LAST_DAY = len(DAYS) - 1  # index of 2023-10-31
MONTHS = np.arange(np.datetime64("2021-01"), np.datetime64("2023-11"))
#: Chinese New Year: activity dips in the days around it.
NEW_YEAR_DAYS = [np.datetime64(d) for d in ("2021-02-12", "2022-02-01", "2023-01-22")]
PILOT_COMMUNITY = "龙岭社区"
PILOT_STREET = "布吉街道"

# --- calibration: the article's figures (docs/data.md) -----------------------------
DISTRICT_POPULATION = 3_980_000  # synthetic; "about 3.98 million"
PROJECTS = 578
DIFFICULTIES_SOLVED = 7_636
RETIRED_MEMBERS = 540
PLATFORM_RESOLVED = 31_712
VISITS, VISITS_RESOLVED = 2_115, 1_802
STATION_REQUESTS = 6_000
WISHES, WISHES_FULFILLED = 1_000, 868
PARTNER_UNITS, SOCIAL_ORGS, MERCHANTS = 992, 164, 981
PUBLIC_SERVICES = 373
VENUES = 380
FUND_RAISED_CENTS = 533_000_000
EVENT_COUNTS = {
    domain.EVENT_JOINT_MEETING: 541,
    domain.EVENT_COUNCIL_SESSION: 441,
    domain.EVENT_CONVENIENCE_SERVICE: 2_179,
    domain.EVENT_VOLUNTEER_SERVICE: 1_487,
    domain.EVENT_EDUCATION: 490,
}
ISSUES_SETTLED = 589
NEW_VOLUNTEERS, RESIDENTS_TAKING_PART = 64_645, 66_186
COURTESY_PLANS = 69
#: Average yearly decline 2021 -> 2023 (January-October totals), in percent.
SAFETY_DECLINE_PCT = {"criminal_alerts": 21.20, "neighbour_disputes": 21.49, "property_disputes": 30.00}

#: Decimals written for each float column.
FLOAT_DECIMALS = {
    "lat": 5, "lon": 5, "budget_yuan": 2, "spent_yuan": 2, "amount_yuan": 2,
    "progress_pct": 1, "score": 1, "weight": 1, "target": 1, "max_score": 1,
}


def rng_for(area: str) -> np.random.Generator:
    """One generator per area, so a change in one area leaves the others' rows unchanged."""
    return np.random.default_rng([SEED, zlib.crc32(area.encode("utf-8"))])


def day_index(d) -> int:
    return int((np.datetime64(d, "D") - START).astype(int))


def as_date(day: int) -> np.datetime64:
    """Day index -> date; planned dates may lie after the data's end."""
    return START + np.timedelta64(int(day), "D")


def stem(community_name: str) -> str:
    """龙岭社区 -> 龙岭 (for names such as 龙岭股份公司)."""
    return community_name.removesuffix("社区")


def multinomial_exact(rng: np.random.Generator, total: int, weights) -> np.ndarray:
    """Split an exact integer total in proportion to weights."""
    w = np.asarray(weights, dtype=float)
    return rng.multinomial(total, w / w.sum())


def draw_cells(rng: np.random.Generator, n: int, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n`` (day, community) pairs from a days x communities intensity."""
    flat = weights.ravel() / weights.sum()
    idx = rng.choice(flat.size, size=n, p=flat)
    return np.divmod(idx, weights.shape[1])


def seconds(values) -> np.ndarray:
    return np.asarray(np.round(values), dtype="int64").astype("timedelta64[s]")


@dataclass
class World:
    """What later areas need from earlier ones (not all of it is written out)."""

    geo: geography.Geography
    communities: pd.DataFrame | None = None
    join_day: np.ndarray | None = None
    ramp: np.ndarray | None = None  # days x communities, 0 before a community joins, 1 once settled in
    season: np.ndarray | None = None  # per day
    compounds: pd.DataFrame | None = None
    anchors: dict = field(default_factory=dict)  # compound code -> (lon, lat)
    companies: dict = field(default_factory=dict)  # compound code -> [company 2021, 2022, 2023]
    partners: pd.DataFrame | None = None
    tables: dict = field(default_factory=dict)

    @property
    def pop(self) -> np.ndarray:
        return self.communities["population"].to_numpy(dtype=float)

    def activity(self, pop_power: float = 1.0) -> np.ndarray:
        """Days x communities intensity: population, roll-out and season."""
        return self.ramp * self.season[:, None] * self.pop[None, :] ** pop_power

    def compounds_of(self, code: str) -> pd.DataFrame:
        return self.compounds[self.compounds["community_code"] == code]


# --- geography, streets, communities, compounds --------------------------------------


def season_factor() -> np.ndarray:
    """A dip around Chinese New Year and a softer February, 1.0 elsewhere."""
    factor = np.ones(len(DAYS))
    months = DAYS.astype("datetime64[M]").astype(int) % 12 + 1
    factor[months == 2] = 0.85
    for ny in NEW_YEAR_DAYS:
        offset = (DAYS - ny).astype(int)
        factor[(offset >= -4) & (offset <= 8)] = 0.45
    return factor


def streets_and_communities(world: World) -> None:
    """Synthetic populations and the district roll-out (龙岭 first, the rest during 2021).

    Street totals come from vocab; each street is split over its communities by a
    Dirichlet draw. A community "joins" the Longling model on a date in 2021; the
    activity of every area ramps up over the two months after it joins.
    """
    rng = rng_for("communities")
    geo = world.geo
    street_start = {s.code: 31 + int(rng.integers(0, 120)) for s in geo.streets}
    street_start[next(s.code for s in geo.streets if s.name == PILOT_STREET)] = 31
    totals = {s.code: vocab.STREET_POPULATION[s.name] * rng.uniform(0.985, 1.015) for s in geo.streets}
    scale = DISTRICT_POPULATION / sum(totals.values())
    rows = []
    for street in geo.streets:
        members = [c for c in geo.communities if c.street_code == street.code]
        total = totals[street.code] * scale
        pops = np.round(rng.dirichlet(np.full(len(members), 6.0)) * total).astype(int)
        for community, pop in zip(members, pops, strict=True):
            pilot = community.name == PILOT_COMMUNITY and street.name == PILOT_STREET
            rows.append(
                {
                    "code": community.code,
                    "street_code": street.code,
                    "name": community.name,
                    "population": int(pop),
                    "households": int(round(pop / rng.uniform(2.45, 2.75))),
                    "is_pilot": pilot,
                    "lat": community.seed.y,
                    "lon": community.seed.x,
                    "street_name": street.name,
                    "join_day": 0 if pilot else street_start[street.code] + int(rng.integers(0, 120)),
                }
            )
    order = {c.code: i for i, c in enumerate(geo.communities)}
    frame = pd.DataFrame(rows).sort_values("code", key=lambda s: s.map(order)).reset_index(drop=True)
    world.join_day = frame.pop("join_day").to_numpy()
    world.communities = frame
    since = np.arange(len(DAYS))[:, None] - world.join_day[None, :]
    world.ramp = np.where(since >= 0, np.clip((since + 30) / 90, 0, 1), 0.0)
    world.ramp[:, frame.index[frame["is_pilot"]]] = 1.0
    world.season = season_factor()

    pops = frame.groupby("street_code")["population"].sum()
    world.tables["streets"] = pd.DataFrame(
        {
            "code": [s.code for s in geo.streets],
            "name": [s.name for s in geo.streets],
            "name_en": [s.name_en for s in geo.streets],
            "population": [int(pops[s.code]) for s in geo.streets],
            "lat": [s.label_point.y for s in geo.streets],
            "lon": [s.label_point.x for s in geo.streets],
        }
    )
    world.tables["communities"] = frame.drop(columns="street_name")


#: The compounds the article names, placed first in their community.
ARTICLE_COMPOUNDS = {"五联社区": ("千林山居", "小区", 1_260), "丹竹头社区": ("岭背小区", "城中村", 3_560)}


def _compound_name(rng, kind: str, community: str, used: set[str]) -> str:
    """A made-up estate, village or park name, unique in the district."""
    for _ in range(200):
        if kind == "小区":
            name = rng.choice(vocab.ESTATE_PREFIXES) + rng.choice(vocab.ESTATE_SUFFIXES)
        elif kind == "城中村":
            name = rng.choice(vocab.VILLAGE_NAMES) + "村"
            if name in used:
                name = stem(community) + name
        else:
            name = rng.choice(vocab.PARK_PREFIXES) + rng.choice(vocab.PARK_SUFFIXES)
        if name not in used:
            used.add(name)
            return str(name)
    raise RuntimeError("ran out of compound names")


def compounds(world: World) -> None:
    """3-12 compounds per community; every one has a party branch (the article: full coverage).

    The 540 retired SOE party members who moved their membership to where they
    live are spread over the residential estates (小区), more in larger ones.
    """
    rng = rng_for("compounds")
    rows, used = [], set()
    for comm in world.communities.itertuples():
        n = int(np.clip(round(comm.population / 6500 + rng.normal(0, 1.2)), 3, 12))
        kinds = list(rng.choice(["小区", "城中村", "园区"], size=n, p=[0.55, 0.3, 0.15]))
        if "小区" not in kinds:
            kinds[0] = "小区"
        named = ARTICLE_COMPOUNDS.get(comm.name)
        for i, kind in enumerate(kinds):
            if i == 0 and named:
                name, kind, households = named
                used.add(name)
            else:
                name = _compound_name(rng, kind, comm.name, used)
                median = {"小区": 900, "城中村": 1500, "园区": 300}[kind]
                households = int(np.clip(rng.lognormal(np.log(median), 0.55), 60, 5000))
            rate = {"小区": (0.02, 0.05), "城中村": (0.01, 0.03), "园区": (0.03, 0.08)}[kind]
            rows.append(
                {
                    "code": f"{comm.code}-{i + 1:02d}",
                    "community_code": comm.code,
                    "name": name,
                    "kind": kind,
                    "households": households,
                    "has_party_branch": True,
                    "party_members": max(3, int(households * rng.uniform(*rate))),
                }
            )
    frame = pd.DataFrame(rows)
    estates = frame["kind"] == "小区"
    retired = np.zeros(len(frame), dtype=int)
    retired[estates.to_numpy()] = multinomial_exact(rng, RETIRED_MEMBERS, frame.loc[estates, "households"])
    frame["retired_members_transferred"] = retired
    frame["party_members"] += retired
    world.compounds = frame
    world.tables["compounds"] = frame

    anchor_rng = rng_for("compound-anchors")
    for comm in world.geo.communities:
        codes = frame.loc[frame["community_code"] == comm.code, "code"]
        points = geography.random_points_in(comm.polygon, len(codes), anchor_rng)
        world.anchors.update({code: tuple(p) for code, p in zip(codes, points, strict=True)})


def property_ratings(world: World) -> None:
    """Star ratings (物业星级评价) of the estates' property companies, 2021-2023.

    Each company has a quality level; an estate's stars scatter around it and
    move by one star in some years (more often up: the rating scheme aims to
    lift service). A few estates change company; about one in ten has none.
    """
    rng = rng_for("property")
    quality = {c: rng.normal(3.3, 0.55) for c in vocab.PROPERTY_COMPANIES}
    popularity = rng.gamma(1.5, 1.0, len(vocab.PROPERTY_COMPANIES))
    popularity /= popularity.sum()
    rows = []
    for comp in world.compounds[world.compounds["kind"] == "小区"].itertuples():
        if rng.random() < 0.1:
            continue
        company = str(rng.choice(vocab.PROPERTY_COMPANIES, p=popularity))
        stars = float(np.clip(np.round(quality[company] + rng.normal(0, 0.6)), 1, 5))
        history = []
        for year in (2021, 2022, 2023):
            if year > 2021 and rng.random() < 0.06:
                company = str(rng.choice(vocab.PROPERTY_COMPANIES, p=popularity))
                stars = float(np.clip(np.round(quality[company] + rng.normal(0, 0.6)), 1, 5))
            elif year > 2021 and rng.random() < 0.3:
                stars = float(np.clip(stars + rng.choice([1, -1], p=[0.65, 0.35]), 1, 5))
            history.append(company)
            rows.append({"compound_code": comp.code, "year": year, "company": company, "stars": int(stars)})
        world.companies[comp.code] = history
    world.tables["property_ratings"] = pd.DataFrame(rows)


# --- partners, venues, fund ---------------------------------------------------------------


def _joined(rng, world: World, i: int, scale: float) -> np.datetime64:
    """A date after community ``i`` joins, earlier ones more likely."""
    day = world.join_day[i] + int(rng.exponential(scale))
    return DAYS[min(day, LAST_DAY)]


def _pick_name(rng, options: list[str], used: set[str]) -> str | None:
    """A random option not used yet in this community (None when all are taken)."""
    free = [o for o in options if o not in used]
    if not free:
        return None
    name = free[int(rng.integers(len(free)))]
    used.add(name)
    return name


def _enterprise_names(stem_: str, street: str) -> tuple[list[str], list[str]]:
    """Institutions (clinic, schools, bank branch, utilities) and made-up companies of a community."""
    institutions = sorted({t.format(stem=stem_, street=street, bank=bank)
                           for t in vocab.INSTITUTION_TEMPLATES for bank in vocab.BANKS})
    companies = ["深圳市" + w + t for w in vocab.COMPANY_WORDS for t in vocab.COMPANY_TRADES]
    return institutions, companies


def partner_units(world: World) -> None:
    """The local units taking part: 992 units and social organisations, 981 caring merchants.

    Of the 992, exactly 164 are community social organisations, which undertake
    the 373 public services; property companies are the ones serving the
    community's estates; every community with an urban village has its
    shareholding company (股份公司), as 南岭 and 丹竹头 in the article.
    """
    rng = rng_for("partners")
    comms = world.communities
    share = world.pop / world.pop.sum()
    orgs = 1 + multinomial_exact(rng, SOCIAL_ORGS - len(comms), share)
    property_by_comm = {}
    for i, comm in enumerate(comms.itertuples()):
        companies = sorted({world.companies[c][-1] for c in world.compounds_of(comm.code)["code"]
                            if c in world.companies})
        property_by_comm[i] = [c for c in companies if rng.random() < 0.8]
    villages = comms["code"].isin(world.compounds.loc[world.compounds["kind"] == "城中村", "community_code"])
    fixed = len(comms) + int(villages.sum())  # health centre + shareholding company
    n_property = sum(len(v) for v in property_by_comm.values())
    others = multinomial_exact(rng, PARTNER_UNITS - SOCIAL_ORGS - n_property - fixed, share)
    merchants = multinomial_exact(rng, MERCHANTS, share)
    shops = [w + k for w in vocab.SHOP_WORDS for k in vocab.SHOP_KINDS]

    rows = []
    for i, comm in enumerate(comms.itertuples()):
        s = stem(comm.name)
        used = {f"{s}社区健康服务中心"}
        units = [(f"{s}社区健康服务中心", "企事业单位", 0.6, 60)]
        if villages.iloc[i]:
            units.append((f"{s.removesuffix('村')}股份公司", "企事业单位", 1.0, 30))
        institutions, companies = _enterprise_names(s, comm.street_name)
        for _ in range(others[i]):
            first, second = (institutions, companies) if rng.random() < 0.4 else (companies, institutions)
            units.append((_pick_name(rng, first, used) or _pick_name(rng, second, used), "企事业单位", 0.45, 200))
        units += [(name, "物业服务企业", 0.6, 150) for name in property_by_comm[i]]
        org_names = [s + k for k in vocab.SOCIAL_ORG_KINDS]
        units += [(_pick_name(rng, org_names, used), "社区社会组织", 0.35, 200) for _ in range(orgs[i])]
        units += [(_pick_name(rng, shops, used), "爱心商家", 0.06, 250) for _ in range(merchants[i])]
        rows += [{"name": name, "kind": kind, "community_code": comm.code,
                  "is_party_cobuilding": bool(rng.random() < cobuild_p),
                  "joined_on": _joined(rng, world, i, scale), "public_services_undertaken": 0}
                 for name, kind, cobuild_p, scale in units]

    frame = pd.DataFrame(rows)
    frame["_k"] = frame["kind"].map({k: i for i, k in enumerate(domain.PARTNER_KINDS)})
    frame["_c"] = frame["community_code"].map({c: i for i, c in enumerate(comms["code"])})
    frame = frame.sort_values(["_c", "_k", "joined_on", "name"]).drop(columns=["_k", "_c"]).reset_index(drop=True)
    social = frame["kind"] == domain.PARTNER_SOCIAL_ORG_KIND
    frame.loc[social, "public_services_undertaken"] = multinomial_exact(
        rng, PUBLIC_SERVICES, rng.gamma(2.0, 1.0, int(social.sum()))
    )
    frame.insert(0, "code", [f"PU{i + 1:05d}" for i in range(len(frame))])
    world.partners = frame
    world.tables["partner_units"] = frame


#: Share of the venues beyond the service centres, by kind (vocab.VENUE_KINDS[1:]).
VENUE_SHARES = [0.24, 0.26, 0.2, 0.16, 0.14]


def _venue(rng, kind: str, comm, estates: list[str], units: list[str], parks: list[str]) -> tuple[list[str], str]:
    """Name options and the owner of one shared venue of ``kind``."""
    s = stem(comm.name)
    if kind == "广场":
        return [f"{s}文化广场", f"{s}公园广场"] + [f"{e}中心广场" for e in estates], f"{comm.name}工作站"
    if kind == "会议室":
        unit = str(rng.choice(units))
        return [f"{unit}会议室", f"{unit}多功能厅"], unit
    if kind == "文体场馆":
        return [f"{s}文体中心", f"{s}体育公园", f"{s}羽毛球馆"] + [f"{e}篮球场" for e in estates], f"{comm.name}工作站"
    if kind == "园区空间":
        park = str(rng.choice(parks))
        return [f"{park}共享空间", f"{park}职工之家"], f"{park}管理处"
    mall = str(rng.choice(vocab.MALLS))
    return [f"{mall}{s}店共享空间"], mall


def venues(world: World) -> None:
    """380 shared venues and spaces: every community's party-and-masses service centre, then others."""
    rng = rng_for("venues")
    comms = world.communities
    where = rng.choice(len(comms), size=VENUES - len(comms), p=world.pop / world.pop.sum())
    rows = []
    for i, comm in enumerate(comms.itertuples()):
        comps = world.compounds_of(comm.code)
        units = world.partners.loc[(world.partners["community_code"] == comm.code)
                                   & (world.partners["kind"] == "企事业单位"), "name"].tolist()
        parks = comps.loc[comps["kind"] == "园区", "name"].tolist()
        estates = comps.loc[comps["kind"] != "园区", "name"].tolist()
        used: set[str] = set()
        items = [("党群服务中心", f"{comm.name}党群服务中心", f"{comm.name}党委")]
        for _ in range(int((where == i).sum())):
            kind = str(rng.choice(vocab.VENUE_KINDS[1:], p=VENUE_SHARES))
            if kind == "园区空间" and not parks:
                kind = "会议室"
            options, owner = _venue(rng, kind, comm, estates, units, parks)
            items.append((kind, _pick_name(rng, options, used) or f"{stem(comm.name)}{kind}{len(items)}", owner))
        points = geography.random_points_in(world.geo.community(comm.code).polygon, len(items), rng)
        for j, ((kind, name, owner), (lon, lat)) in enumerate(zip(items, points, strict=True)):
            rows.append({"name": name, "kind": kind, "community_code": comm.code, "owner_unit": owner,
                         "opening_hours": "09:00-21:00" if j == 0 else str(rng.choice(vocab.OPENING_HOURS)),
                         "opened_on": _joined(rng, world, i, 10 if j == 0 else 250), "lat": lat, "lon": lon})
    frame = pd.DataFrame(rows)
    frame.insert(0, "code", [f"V{i + 1:04d}" for i in range(len(frame))])
    world.tables["venues"] = frame


def fund_entries(world: World) -> None:
    """The community service fund: 5.33 million yuan raised, part of it spent.

    Donations land in communities from mid-2021; one district charity
    matching grant balances the total to the exact figure. Spending is drawn
    from each community's own balance, so no community (and so not the
    district) ever spends more than it has raised by that date.
    """
    rng = rng_for("fund")
    comms = world.communities
    amounts = {  # yuan choices per source
        "企业捐赠": [5_000, 10_000, 20_000, 30_000, 50_000, 80_000, 100_000, 200_000],
        "股份公司捐赠": [20_000, 50_000, 100_000, 150_000, 200_000, 300_000],
        "个人捐赠": [200, 500, 666, 800, 1_000, 1_888, 2_000, 5_000, 8_888, 10_000],
        "慈善会配捐": [10_000, 20_000, 30_000, 50_000],
    }
    start = day_index("2021-05-01")
    weights = world.activity()
    weights[:start] = 0
    ins, total = [], 0
    while True:
        source = str(rng.choice(vocab.FUND_SOURCES, p=[0.22, 0.1, 0.58, 0.1]))
        cents = int(rng.choice(amounts[source])) * 100
        if total + cents > FUND_RAISED_CENTS - 8_000_000:
            break
        day, comm = draw_cells(rng, 1, weights)
        ins.append((int(day[0]), int(comm[0]), cents, source))
        total += cents
    # The balancing district match goes to the pilot community at the 2023 charity day.
    pilot = int(comms.index[comms["is_pilot"]][0])
    ins.append((day_index("2023-09-05"), pilot, FUND_RAISED_CENTS - total, "慈善会配捐"))

    outs = []
    for i in range(len(comms)):
        mine = sorted((d, c) for d, ci, c, _ in ins if ci == i)
        balance, k = 0, 0
        for month_start in range(start + 30, len(DAYS), 30):
            while k < len(mine) and mine[k][0] <= month_start:
                balance += mine[k][1]
                k += 1
            if balance > 500_000 and rng.random() < 0.45:
                cents = int(balance * rng.uniform(0.15, 0.6))
                day = min(month_start + int(rng.integers(0, 28)), LAST_DAY)
                outs.append((day, i, cents, str(rng.choice(vocab.FUND_PURPOSES, p=[0.4, 0.35, 0.25]))))
                balance -= cents
    rows = [{"community_code": comms["code"][c], "entry_date": DAYS[d], "direction": domain.FUND_IN,
             "amount_yuan": cents / 100, "source": src, "purpose": None} for d, c, cents, src in ins]
    rows += [{"community_code": comms["code"][c], "entry_date": DAYS[d], "direction": domain.FUND_OUT,
              "amount_yuan": cents / 100, "source": None, "purpose": p} for d, c, cents, p in outs]
    frame = pd.DataFrame(rows).sort_values(["entry_date", "direction", "community_code", "amount_yuan"],
                                           ascending=[True, True, True, False], kind="stable")
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    world.tables["fund_entries"] = frame.reset_index(drop=True)


# --- projects --------------------------------------------------------------------------------

PROJECT_STATUS_COUNTS = {"完成": 462, "验收": 28, "实施": 55, "立项": 12, "申报": 8, "暂停": 13}
#: Projects in progress past their planned end (the other 实施 projects are on schedule).
LATE_IN_PROGRESS = 20


@dataclass
class Timeline:
    applied: int
    approved: int
    planned_start: int
    planned_end: int
    actual_start: int
    actual_end: int
    accepted: int
    paused: int


def _timelines(rng, lo: int, hi: int, weights: np.ndarray, n: int = 400) -> list[Timeline]:
    """Candidate project timelines (day indices) with applications between ``lo`` and ``hi``."""
    w = weights[lo:hi + 1] / weights[lo:hi + 1].sum()
    applied = lo + rng.choice(len(w), size=n, p=w)
    approved = applied + rng.integers(10, 46, n)
    planned_start = approved + rng.integers(7, 41, n)
    duration = np.clip(rng.lognormal(np.log(150), 0.45, n), 45, 420).astype(int)
    planned_end = planned_start + duration
    actual_start = planned_start + np.maximum(0, rng.normal(5, 12, n)).astype(int)
    actual_end = actual_start + (duration * rng.lognormal(np.log(1.1), 0.35, n)).astype(int)  # most run late
    accepted = actual_end + rng.integers(15, 61, n)
    paused = actual_start + (duration * rng.uniform(0.2, 0.7, n)).astype(int)
    return [Timeline(*map(int, t)) for t in zip(applied, approved, planned_start, planned_end,
                                                 actual_start, actual_end, accepted, paused, strict=True)]


def _status_at_end(t: Timeline, paused: bool) -> str:
    if t.approved > LAST_DAY:
        return "申报"
    if t.actual_start > LAST_DAY:
        return "立项"
    if paused:
        return "暂停" if t.paused <= LAST_DAY and t.actual_end > LAST_DAY else "-"
    if t.actual_end > LAST_DAY:
        return "实施"
    return "验收" if t.accepted > LAST_DAY else "完成"


def _article_projects(world: World) -> list[dict]:
    """The five projects the article describes (vocab.ARTICLE_PROJECTS), all completed."""
    code = {(r.street_name, r.name): r.code for r in world.communities.itertuples()}
    longling = code[(PILOT_STREET, PILOT_COMMUNITY)]
    estate = world.compounds[(world.compounds["community_code"] == longling)
                             & world.compounds["code"].isin(world.companies.keys())].iloc[0]
    names = {"property": world.companies[estate["code"]][-1], **vocab.BUREAUS}
    records = []
    for p in vocab.ARTICLE_PROJECTS:
        record = dict(p, community_code=code[(p["street"], p["community"])], partners=p["partners"].format(**names))
        record["timeline"] = Timeline(*[day_index(d) for d in p["dates"]], paused=0)
        records.append(record)
    return records


def _project_partners(rng, world: World, comm_code: str) -> str:
    units = world.partners[(world.partners["community_code"] == comm_code)
                           & (world.partners["kind"] != domain.PARTNER_MERCHANT_KIND)]["name"].tolist()
    picked = list(rng.choice(units, size=min(len(units), int(rng.integers(1, 4))), replace=False))
    if rng.random() < 0.3:
        picked.append(str(rng.choice(list(vocab.BUREAUS.values()))))
    return "、".join(str(p) for p in picked)


def projects(world: World) -> None:
    """578 practice projects, their milestones and acceptance scores.

    Statuses at 2023-10-31 follow fixed counts (most completed); each project's
    dates are drawn so that they produce its status on that date. Difficulties
    solved add up to the article's 7,600+ (7,636).
    """
    rng = rng_for("projects")
    comms = world.communities
    pilot = int(comms.index[comms["is_pilot"]][0])
    counts = 2 + multinomial_exact(rng, PROJECTS - 12 - 2 * (len(comms) - 1),
                                   np.delete(world.pop * world.ramp.mean(axis=0), pilot))
    counts = np.insert(counts, pilot, 12)
    article = _article_projects(world)
    for a in article:
        counts[comms.index[comms["code"] == a["community_code"]][0]] -= 1
    statuses = [(s, s == "实施" and k < LATE_IN_PROGRESS) for s, n in PROJECT_STATUS_COUNTS.items() for k in range(n)]
    statuses = statuses[len(article):]  # the article's projects are all completed
    statuses = [statuses[k] for k in rng.permutation(len(statuses))]

    months = DAYS.astype("datetime64[M]").astype(int) % 12 + 1
    apply_weights = world.season * np.select([np.isin(months, [3, 4, 5]), months == 9, np.isin(months, [12, 1, 2])],
                                             [1.5, 1.2, 0.6], 1.0)
    categories = list(vocab.PROJECT_CATEGORIES)
    cat_p = np.array([vocab.PROJECT_CATEGORIES[c][0] for c in categories], dtype=float)
    has_company = set(world.partners.loc[world.partners["name"].str.endswith("股份公司"), "community_code"])
    records = []
    for i, comm in enumerate(comms.itertuples()):
        comps = world.compounds_of(comm.code)
        for k in range(counts[i]):
            lo, hi = world.join_day[i] + 7, LAST_DAY
            if i == pilot and k == 0:  # the pilot applies first, in January 2021
                (status, late), (lo, hi) = ("完成", False), (10, 28)
                statuses.remove((status, late))
            else:
                status, late = statuses.pop()
            timeline = next(t for _ in range(50) for t in _timelines(rng, lo, hi, apply_weights)
                            if _status_at_end(t, status == "暂停") == status
                            and (status != "实施" or late == (t.planned_end < LAST_DAY)))
            category = str(rng.choice(categories, p=cat_p / cat_p.sum()))
            _, factor, titles, needs, action = vocab.PROJECT_CATEGORIES[category]
            place = str(rng.choice(comps["name"])) if rng.random() < 0.6 else comm.name
            j = int(rng.integers(len(titles)))  # titles and needs pair up by position
            need = needs[j]
            lead = str(rng.choice(vocab.LEAD_UNITS, p=[0.42, 0.15, 0.1, 0.08, 0.08, 0.1, 0.07]))
            if lead == "股份公司" and comm.code not in has_company:
                lead = "社区党委"
            funding = str(rng.choice(vocab.FUNDING_SOURCES, p=[0.5, 0.15, 0.15, 0.12, 0.08]))
            if (funding == "股份公司出资" and comm.code not in has_company) or (
                    funding == "社区服务基金" and timeline.applied < day_index("2021-06-01")):
                funding = "政府资金"
            partners = _project_partners(rng, world, comm.code)
            records.append(dict(
                community_code=comm.code, title=titles[j].format(place=place), category=category,
                need=need, timeline=timeline, status=status, lead=lead, partners=partners, funding=funding,
                budget=float(np.clip(round(rng.lognormal(np.log(300_000 * factor), 0.6), -3), 50_000, 3_000_000)),
                residents=int(np.clip(rng.lognormal(np.log(150), 0.8), 12, 3_000)),
                description=f"针对居民反映的{need}问题，由{lead}牵头，联合{partners.split('、')[0]}等单位，{action}。",
            ))
    for a in article:
        records.append(dict(a, status="完成"))

    for r in records:
        t, status = r["timeline"], r["status"]
        if status in ("完成", "验收"):
            r["progress"] = 100.0
            r["spent"] = r["budget"] * rng.uniform(0.85, 1.0)
        elif status in ("实施", "暂停"):
            stop = LAST_DAY if status == "实施" else t.paused
            elapsed = (stop - t.actual_start) / max(1, t.planned_end - t.planned_start)
            r["progress"] = float(np.clip(100 * elapsed * rng.uniform(0.75, 1.0), 5, 95 if status == "实施" else 80))
            r["spent"] = r["budget"] * r["progress"] / 100 * rng.uniform(0.7, 1.0)
        else:
            r["progress"], r["spent"] = 0.0, 0.0
        r["spent"] = round(r["spent"], 2)
    weight = {"完成": 1.0, "验收": 0.9, "实施": 0.5, "暂停": 0.15, "立项": 0.0, "申报": 0.0}
    w = np.array([weight[r["status"]] * r["progress"] / 100 * r["residents"] ** 0.35 * rng.gamma(2.0, 1.0)
                  for r in records])
    done = np.array([r["status"] == "完成" for r in records])
    solved = done.astype(int) + multinomial_exact(rng, DIFFICULTIES_SOLVED - int(done.sum()), w)
    for r, n in zip(records, solved, strict=True):
        r["solved"] = int(n)

    records.sort(key=lambda r: (r["timeline"].applied, r["community_code"], r["title"]))
    per_year: dict[int, int] = {}
    rows = []
    for r in records:
        year = int(str(as_date(r["timeline"].applied))[:4])
        per_year[year] = per_year.get(year, 0) + 1
        r["code"] = f"LG-{year}-{per_year[year]:04d}"
        t, status = r["timeline"], r["status"]
        reached = domain.PROJECT_STATUSES.index(status) if status != "暂停" else 2

        def on(day, stage, _reached=reached):
            return as_date(day) if _reached >= stage else None

        rows.append({
            "code": r["code"], "title": r["title"], "community_code": r["community_code"],
            "category": r["category"], "need": r["need"], "status": status,
            "applied_on": as_date(t.applied), "approved_on": on(t.approved, 1),
            "planned_start": on(t.planned_start, 1), "planned_end": on(t.planned_end, 1),
            "actual_start": on(t.actual_start, 2),
            "actual_end": as_date(t.actual_end) if status in ("验收", "完成") else None,
            "budget_yuan": r["budget"], "spent_yuan": r["spent"], "funding_source": r["funding"],
            "lead_unit": r["lead"], "partners": r["partners"], "residents_participating": r["residents"],
            "difficulties_solved": int(r["solved"]), "progress_pct": round(r["progress"], 1),
            "description": r["description"],
        })
    world.tables["projects"] = pd.DataFrame(rows)
    world.tables["project_milestones"] = _milestones(rng_for("milestones"), records)
    world.tables["project_indicators"] = _indicators()
    world.tables["project_scores"] = _project_scores(rng_for("project-scores"), world, records)


def _milestones(rng, records: list[dict]) -> pd.DataFrame:
    """3-6 dated milestones per project; ``done_on`` only for those reached by 2023-10-31."""
    rows = []
    for r in records:
        t, status = r["timeline"], r["status"]
        reached = domain.PROJECT_STATUSES.index(status) if status != "暂停" else 2
        stop = t.paused if status == "暂停" else LAST_DAY
        mid_planned = (t.planned_start + t.planned_end) // 2
        mid_actual = (t.actual_start + t.actual_end) // 2
        survey = max(0, t.applied - int(rng.integers(10, 31)))
        steps = [  # (name, planned, done, reached)
            ("需求调研", survey, min(t.applied - 1, survey + int(rng.integers(-3, 8))), True),
            ("项目立项", (t.applied + t.planned_start) // 2, t.approved, reached >= 1),
            ("开工实施", t.planned_start, t.actual_start, reached >= 2),
            ("中期检查", mid_planned, mid_actual, reached >= 3 or (reached == 2 and mid_actual <= stop)),
            ("主体完工", t.planned_end, t.actual_end, reached >= 3),
            ("验收评估", t.planned_end + 30, t.accepted, status == "完成"),
        ]
        keep = [s for j, s in enumerate(steps) if j in (1, 2, 4) or rng.random() < 0.5]
        for seq, (name, planned, done, is_done) in enumerate(keep, start=1):
            rows.append({"project_code": r["code"], "seq": seq, "name": name, "planned_on": as_date(max(0, planned)),
                         "done_on": as_date(max(0, done)) if is_done else None})
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def _indicators() -> pd.DataFrame:
    """The 18 acceptance indicators; the article names the first four."""
    return pd.DataFrame(
        [{"code": f"P{i:02d}", "seq": i, "name": name, "name_en": name_en, "description": desc,
          "direction": direction, "weight": float(weight), "target": float(target), "max_score": 100.0,
          "assumed": assumed}
         for i, (name, name_en, desc, direction, weight, target, assumed)
         in enumerate(vocab.PROJECT_INDICATORS, start=1)]
    )


#: Indicators that are systematically weaker or stronger district-wide (points).
INDICATOR_EFFECT = {"项目策划群众参与度": -5, "共建单位参与度": -3, "项目可持续性": -7, "示范推广价值": -5,
                    "志愿者参与度": -4, "资金使用规范性": 5, "安全风险防控": 6, "社区书记参与度": 4}


def _project_scores(rng, world: World, records: list[dict]) -> pd.DataFrame:
    """Acceptance scores, one per indicator, for completed projects and scored 验收 ones.

    Scores (40-100) mix a street effect, a project effect, an indicator effect
    and a small yearly improvement. The two lower-is-better indicators are
    percentages: the budget variance comes from the project's own spending.
    """
    street_of = dict(zip(world.communities["code"], world.communities["street_code"], strict=True))
    street_effect = {s.code: rng.normal(0, 3) for s in world.geo.streets}
    pilot = world.communities.loc[world.communities["is_pilot"], "code"].iloc[0]
    rows = []
    for r in sorted(records, key=lambda r: r["code"]):
        t = r["timeline"]
        if not (r["status"] == "完成" or (r["status"] == "验收" and t.actual_end + 14 <= LAST_DAY)):
            continue
        year = int(str(as_date(t.actual_end + 14))[:4])
        base = 74 + street_effect[street_of[r["community_code"]]] + rng.normal(0, 5) + 2.5 * (year - 2021)
        base += 4 if r["community_code"] == pilot else 0
        for i, (name, *_, direction, _w, _t, _a) in enumerate(vocab.PROJECT_INDICATORS, start=1):
            if name == "预算执行偏差率":
                score = abs(1 - r["spent"] / r["budget"]) * 100
            elif direction == "lower":
                score = np.clip(rng.gamma(2.0, 4.0) - 1.5 * (year - 2021), 0, 60)
            else:
                score = np.clip(base + INDICATOR_EFFECT.get(name, 0) + rng.normal(0, 5), 40, 100)
            rows.append({"project_code": r["code"], "indicator_code": f"P{i:02d}", "year": year,
                         "score": round(float(score), 1)})
    return pd.DataFrame(rows)


# --- requests ------------------------------------------------------------------------------------

#: Hour-of-day weights per channel: the platform is used round the clock, the
#: stations in opening hours, visits in the morning, afternoon and early evening.
HOURS = {
    domain.REQUEST_CHANNEL_PLATFORM: [3, 2, 1, 1, 1, 2, 5, 12, 25, 35, 36, 32, 24, 26, 33, 34, 32, 29, 25, 26, 28, 24,
                                      16, 8],
    domain.REQUEST_CHANNEL_STATION: [0] * 8 + [4, 10, 12, 10, 5, 6, 10, 11, 10, 8, 6, 6, 4, 0, 0, 0],
    domain.REQUEST_CHANNEL_VISIT: [0] * 9 + [6, 8, 5, 0, 0, 6, 8, 6, 0, 0, 5, 4, 0, 0, 0],
}


@dataclass
class Channel:
    """How one intake channel behaves."""

    accept_hours: float  # median time to acceptance
    resolve_factor: float  # times the category's median time to resolve
    escalate_p: float  # share passed up to the street or district
    return_p: float  # share returned as out of scope
    stuck_p: float  # share not resolvable for now (long-term needs)
    weekend: float  # weekend intensity
    growth: tuple[float, float]  # intensity at the start and the end of the period


CHANNELS = {
    domain.REQUEST_CHANNEL_PLATFORM: Channel(1.5, 1.0, 0.05, 0.02, 0.004, 0.85, (0.6, 1.25)),
    domain.REQUEST_CHANNEL_STATION: Channel(0.2, 0.7, 0.04, 0.02, 0.025, 1.1, (0.3, 1.1)),
    domain.REQUEST_CHANNEL_VISIT: Channel(20.0, 2.0, 0.08, 0.0, 0.12, 0.15, (1.0, 1.0)),
}


#: Requests are resolved in this share of their category's median time (before a street's month factor, see
#: _handling_factors), so the better streets meet the bulletin's 90% on-time floor and the worse ones miss it.
RESOLVE_SPEED = 0.4
#: The street that leads the monthly bulletin (通报) from this month on: a unit first for months running.
BULLETIN_STAR_STREET, BULLETIN_STAR_FROM = "坂田街道", np.datetime64("2023-05")
#: Share of resolved requests reopened (重办) at an average street-month.
REOPEN_P = 0.02


@dataclass
class Handling:
    """How well each street handles its requests each month: a log factor, below 0 better than usual.

    Drawn from its own generator, so the request draws themselves are unchanged; it scales the
    time to acceptance, the time to resolve, the share returned and the share reopened, so the
    bulletin's ranks move from month to month.
    """

    log_factor: np.ndarray  # months x streets
    street_of_community: np.ndarray  # community index -> street index
    month_of_day: np.ndarray  # day index -> month index
    rng: np.random.Generator  # for the reopenings

    def of(self, day: np.ndarray, comm: np.ndarray) -> np.ndarray:
        return self.log_factor[self.month_of_day[day], self.street_of_community[comm]]


def _handling_factors(world: World) -> Handling:
    rng = rng_for("requests-handling")
    streets = [s.name for s in world.geo.streets]
    codes = {s.code: i for i, s in enumerate(world.geo.streets)}
    months = DAYS.astype("datetime64[M]")
    month_of_day = (months - months[0]).astype(int)
    n_months = int(month_of_day[-1]) + 1
    base = rng.normal(0.0, 0.22, len(streets))
    factor = base[None, :] + rng.normal(0.0, 0.3, (n_months, len(streets)))
    star, first = streets.index(BULLETIN_STAR_STREET), int((BULLETIN_STAR_FROM - months[0]).astype(int))
    others = [i for i in range(len(streets)) if i != star]
    factor[first:, star] = np.minimum(factor[first:, star], -1.4)
    factor[first:, others] = np.maximum(factor[first:, others], -0.2)
    street_of_community = np.array([codes[c] for c in world.communities["street_code"]])
    return Handling(factor, street_of_community, month_of_day, rng_for("requests-reopen"))


def _weekday_factor(weekend: float) -> np.ndarray:
    weekday = (DAYS.astype(int) + 3) % 7  # 0 = Monday
    return np.where(weekday >= 5, weekend, 1.0)


def _request_pool(rng, world: World, channel: str, size: int, handling: Handling) -> pd.DataFrame:
    """Candidate requests of one channel with their whole (possibly future) life cycle."""
    ch = CHANNELS[channel]
    growth = np.linspace(*ch.growth, len(DAYS))
    weights = world.activity() * (growth * _weekday_factor(ch.weekend))[:, None]
    day, comm = draw_cells(rng, size, weights)
    hours = np.array(HOURS[channel], dtype=float)
    hour = rng.choice(24, size=size, p=hours / hours.sum())
    submitted = DAYS[day].astype("datetime64[s]") + seconds(hour * 3600 + rng.integers(0, 3600, size))
    mix = np.array(vocab.CHANNEL_CATEGORY_WEIGHTS[channel], dtype=float)
    cat = rng.choice(len(mix), size=size, p=mix / mix.sum())
    level = handling.of(day, comm)
    accept_s = rng.lognormal(np.log(ch.accept_hours * 3600), 1.0, size) * 0.6 * np.exp(1.2 * level)
    accepted = submitted + seconds(np.clip(accept_s, 60, 3 * 86400))
    median = np.array([vocab.RESOLVE_MEDIAN_DAYS[c] for c in domain.REQUEST_CATEGORIES])[cat] * ch.resolve_factor
    escalated = rng.random(size) < ch.escalate_p * np.where(cat == 0, 2.5, 1.0)
    ttr = np.maximum(1800, rng.lognormal(np.log(median * 86400), 0.9) * np.where(escalated, 3.0, 1.0)
                     * RESOLVE_SPEED * np.exp(level))
    stuck = rng.random(size) < ch.stuck_p
    progress = accepted + seconds(ttr * rng.uniform(0.05, 0.35, size))
    escalate_at = progress + seconds(ttr * rng.uniform(0.05, 0.3, size))
    escalated |= stuck & (rng.random(size) < 0.6)
    resolved = np.where(stuck, np.datetime64("NaT"), accepted + seconds(ttr))
    returned = rng.random(size) < ch.return_p * np.exp(1.2 * level)
    # reopened (重办): resolved once, reopened, and resolved again at the request's own resolution time
    h = handling.rng
    reopens = (h.random(size) < REOPEN_P * np.exp(level)) & ~returned & ~stuck
    first_resolved = accepted + seconds(ttr * h.uniform(0.7, 0.85, size))
    reopened = accepted + seconds(ttr * h.uniform(0.87, 0.95, size))
    return pd.DataFrame({
        "channel": channel, "comm": comm, "cat": cat, "median": median, "ttr": ttr, "level": level,
        "submitted_at": submitted, "accepted_at": accepted, "progress_at": progress,
        "escalate_at": np.where(escalated, escalate_at, np.datetime64("NaT")),
        "resolved_at": np.where(returned, np.datetime64("NaT"), resolved),
        "returned_at": np.where(returned, submitted + seconds(rng.lognormal(np.log(4 * 3600), 0.8, size)),
                                np.datetime64("NaT")),
        "closed_at": resolved + seconds(rng.lognormal(np.log(1.5 * 86400), 0.8, size)),
        "closes": rng.random(size) < 0.85,  # the rest stay 已办结: the resident never confirmed
        "first_resolved_at": np.where(reopens, first_resolved, np.datetime64("NaT")),
        "reopened_at": np.where(reopens, reopened, np.datetime64("NaT")),
    })


def _pick(rng, pool: pd.DataFrame, resolved: int | None, unresolved: int | None) -> pd.DataFrame:
    """Pick exact counts from a pool in random order (a random sample stays a random sample).

    With ``unresolved=None`` the sample stops at the ``resolved``-th resolved
    request and keeps the unresolved ones met on the way (the natural backlog).
    """
    is_resolved = (pool["resolved_at"] <= END_TS).to_numpy()
    order = rng.permutation(len(pool))
    if resolved is None:
        return pool.iloc[order[:unresolved]]
    if unresolved is None:
        running = np.cumsum(is_resolved[order])
        if running[-1] < resolved:
            raise RuntimeError("request pool too small")
        return pool.iloc[order[: int(np.searchsorted(running, resolved)) + 1]]
    res = order[is_resolved[order]][:resolved]
    unres = order[~is_resolved[order]][:unresolved]
    if len(res) < resolved or len(unres) < unresolved:
        raise RuntimeError("request pool too small")
    return pool.iloc[np.sort(np.concatenate([res, unres]))]


def _settle_status(frame: pd.DataFrame) -> pd.DataFrame:
    """Cut every life cycle at 2023-10-31 23:59:59 and derive the status there."""
    f = frame.copy()
    nat = np.datetime64("NaT")
    returned = f["returned_at"].notna() & (f["returned_at"] <= END_TS)
    pending_return = f["returned_at"].notna() & ~returned
    f["returned_at"] = f["returned_at"].where(returned)
    f["accepted_at"] = f["accepted_at"].where((f["accepted_at"] <= END_TS) & f["returned_at"].isna() & ~pending_return)
    resolved = f["resolved_at"] <= END_TS
    f["resolved_at"] = f["resolved_at"].where(resolved)
    quick = resolved & (f["ttr"] < 2 * 86400) & f["escalate_at"].isna()  # settled within two days: no 办理中 step
    f["progress_at"] = f["progress_at"].where(f["accepted_at"].notna() & (f["progress_at"] <= END_TS) & ~quick)
    f["escalate_at"] = f["escalate_at"].where(f["accepted_at"].notna() & (f["escalate_at"] <= END_TS))
    # a reopening is kept only when the request is resolved again by the end (then both steps lie before it)
    f["first_resolved_at"] = f["first_resolved_at"].where(resolved)
    f["reopened_at"] = f["reopened_at"].where(resolved)
    closed = resolved & f["closes"] & (f["closed_at"] <= END_TS)
    f["closed_at"] = f["closed_at"].where(closed, nat)
    f["status"] = np.select(
        [returned, closed, resolved, f["accepted_at"].isna(), f["escalate_at"].notna(), f["progress_at"].notna()],
        ["已退回", "已关闭", "已办结", "待受理", "已上报", "办理中"],
        "已受理",
    )
    return f


def _handling_unit(cat: str, escalated: bool, street: str, community: str) -> str:
    local, upper = vocab.HANDLING_UNITS[cat]
    return (upper if escalated else local).format(street=street, community=community,
                                                  street_short=street.removesuffix("街道"))


def _satisfaction(rng, f: pd.DataFrame) -> np.ndarray:
    """Mostly 4-5; lower when the request took much longer than usual or its street handles requests
    worse that month (Handling); often missing unless closed."""
    n = len(f)
    worse = rng_for("requests-satisfaction").random(n) < np.clip(0.05 + 0.4 * f["level"].to_numpy(), 0, 0.6)
    slow = (f["ttr"] > 2.5 * f["median"] * 86400).to_numpy() | worse
    good = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.01, 0.02, 0.05, 0.30, 0.62])
    poor = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.06, 0.09, 0.2, 0.35, 0.30])
    value = np.where(slow, poor, good).astype(float)
    asked = np.where(f["status"] == "已关闭", 0.93, np.where(f["status"] == "已办结", 0.25, 0.0))
    return np.where(rng.random(n) < asked, value, np.nan)


def requests(world: World) -> None:
    """Resident requests from three channels, with their status history.

    平安码上办: exactly 31,712 resolved plus the open backlog on 2023-10-31;
    居民谈心: 2,115 collected, 1,802 resolved; 智慧平安服务站: 6,000, most resolved.
    """
    rng = rng_for("requests")
    handling = _handling_factors(world)
    picked = [
        _pick(rng, _request_pool(rng, world, domain.REQUEST_CHANNEL_PLATFORM, 40_000, handling), PLATFORM_RESOLVED,
              None),
        _pick(rng, _request_pool(rng, world, domain.REQUEST_CHANNEL_STATION, STATION_REQUESTS, handling), None,
              STATION_REQUESTS),
        _pick(rng, _request_pool(rng, world, domain.REQUEST_CHANNEL_VISIT, 3_000, handling), VISITS_RESOLVED,
              VISITS - VISITS_RESOLVED),
    ]
    f = _settle_status(pd.concat(picked, ignore_index=True))
    f["_ch"] = f["channel"].map({c: i for i, c in enumerate(domain.REQUEST_CHANNELS)})
    f = f.sort_values(["submitted_at", "_ch", "comm"], kind="stable").reset_index(drop=True)
    year = f["submitted_at"].dt.year
    f["id"] = "R" + year.astype(str) + (f.groupby(year).cumcount() + 1).map("{:06d}".format)
    if not (f["submitted_at"].dt.date.astype(str) == str(END)).any():
        raise RuntimeError("no request on the last day")

    comms = world.communities
    f["community_code"] = comms["code"].to_numpy()[f["comm"]]
    f["category"] = np.array(domain.REQUEST_CATEGORIES)[f["cat"]]
    compound = pick_compounds(rng, world, f["community_code"].to_numpy(), 0.9)
    f["compound_code"] = compound
    f["lon"], f["lat"] = scatter_points(rng, world, f["community_code"].to_numpy(), compound)

    street_names = {s.code: s.name for s in world.geo.streets}
    streets = {c: street_names[s] for c, s in zip(comms["code"], comms["street_code"], strict=True)}
    names = dict(zip(comms["code"], comms["name"], strict=True))
    f["handling_unit"] = [
        _handling_unit(cat, esc, streets[c], names[c])
        for cat, esc, c in zip(f["category"], f["escalate_at"].notna(), f["community_code"], strict=True)
    ]
    f["satisfaction"] = _satisfaction(rng, f)
    f["requester_name"] = synthetic_names(rng, len(f))
    f["requester_phone"] = [str(p) + f"{n:08d}" for p, n in zip(
        rng.choice(vocab.PHONE_PREFIXES, len(f)), rng.integers(0, 10**8, len(f)), strict=True)]
    f["description"] = [str(rng.choice(vocab.REQUEST_TEXTS[cat])) for cat in f["category"]]
    world.tables["requests"] = f
    world.tables["request_status_history"] = _status_history(f)


def pick_compounds(rng, world: World, communities: np.ndarray, share: float, kinds=("小区", "城中村", "园区")) -> list:
    """A compound of each row's community (weighted by households) for ``share`` of rows, else None."""
    picked = np.full(len(communities), None, dtype=object)
    eligible = world.compounds[world.compounds["kind"].isin(kinds)]
    for code, group in eligible.groupby("community_code"):
        idx = np.flatnonzero(communities == code)
        weights = group["households"].to_numpy(dtype=float)
        picked[idx] = rng.choice(group["code"].to_numpy(), size=len(idx), p=weights / weights.sum())
    picked[rng.random(len(communities)) >= share] = None
    return [None if p is None else str(p) for p in picked]


def _status_history(f: pd.DataFrame) -> pd.DataFrame:
    """One row per status change, in time order; the last one is the request's status."""
    steps = [("待受理", "submitted_at"), ("已退回", "returned_at"), ("已受理", "accepted_at"),
             ("办理中", "progress_at"), ("已上报", "escalate_at"), ("已办结", "first_resolved_at"),
             ("办理中", "reopened_at"), ("已办结", "resolved_at"), ("已关闭", "closed_at")]
    parts = []
    for order, (status, column) in enumerate(steps):
        part = f.loc[f[column].notna(), ["id", column]].rename(columns={"id": "request_id", column: "changed_at"})
        part["status"], part["_o"] = status, order
        parts.append(part)
    history = pd.concat(parts).sort_values(["request_id", "changed_at", "_o"]).reset_index(drop=True)
    history["seq"] = history.groupby("request_id").cumcount() + 1
    last = history.groupby("request_id")["status"].last()
    if not (last.reindex(f["id"]).to_numpy() == f["status"].to_numpy()).all():
        raise RuntimeError("status history does not end in the request's status")
    return history


def synthetic_names(rng, n: int) -> list[str]:
    """Surname plus one or two given-name characters; made up, but shaped like real names."""
    chars = np.array(list(vocab.GIVEN_CHARS))
    surname = rng.choice(vocab.SURNAMES, n)
    first, second = rng.choice(chars, n), rng.choice(chars, n)
    two = rng.random(n) < 0.7
    return [s + a + (b if t else "") for s, a, b, t in zip(surname, first, second, two, strict=True)]


def scatter_points(rng, world: World, communities: np.ndarray, compounds: list) -> tuple[np.ndarray, np.ndarray]:
    """Points inside each community's cell: near the compound's anchor when there is one."""
    xy = np.zeros((len(communities), 2))
    for code in np.unique(communities):
        idx = np.flatnonzero(communities == code)
        poly = world.geo.community(code).polygon
        points = geography.random_points_in(poly, len(idx), rng)
        anchors = np.array([world.anchors.get(compounds[i], (np.nan, np.nan)) if compounds[i] else (np.nan, np.nan)
                            for i in idx])
        near = (anchors + rng.normal(0, 0.0015, anchors.shape)).round(geography.DECIMALS)
        ok = ~np.isnan(near[:, 0])
        ok[ok] = shapely.contains_xy(poly, near[ok, 0], near[ok, 1])
        xy[idx] = np.where(ok[:, None], near, points)
    return xy[:, 0], xy[:, 1]


def micro_wishes(world: World) -> None:
    """About 1,000 micro wishes (微心愿) posted from spring 2021; exactly 868 fulfilled."""
    rng = rng_for("wishes")
    size = 2_500
    weights = world.activity(0.7)
    weights[: day_index("2021-03-15")] = 0
    day, comm = draw_cells(rng, size, weights)
    posted = DAYS[day].astype("datetime64[s]") + seconds(rng.integers(8 * 3600, 22 * 3600, size))
    hard = rng.random(size) < 0.15  # wishes that wait long for someone to take them on
    claimed = posted + seconds(rng.lognormal(np.log(2 * 86400), 1.0, size) * np.where(hard, 40, 1))
    claimed = np.where(rng.random(size) < 0.04, np.datetime64("NaT"), claimed)  # nobody has taken these on
    fulfilled = claimed + seconds(rng.lognormal(np.log(7 * 86400), 0.8, size))
    pool = pd.DataFrame({"comm": comm, "posted_at": posted, "claimed_at": claimed, "resolved_at": fulfilled})
    f = _pick(rng, pool, WISHES_FULFILLED, WISHES - WISHES_FULFILLED).sort_values("posted_at", kind="stable")
    f = f.reset_index(drop=True)
    f["fulfilled_at"] = f["resolved_at"].where(f["resolved_at"] <= END_TS)
    f["claimed_at"] = f["claimed_at"].where(f["claimed_at"] <= END_TS)
    f["status"] = np.select([f["fulfilled_at"].notna(), f["claimed_at"].notna()], ["已实现", "已认领"], "已发布")
    kinds = rng.choice(domain.WISH_CLAIMER_KINDS, len(f), p=[0.35, 0.2, 0.3, 0.15])
    f["claimer_kind"] = np.where(f["claimed_at"].notna(), kinds, None)
    f["title"] = rng.choice(vocab.WISH_TITLES, len(f))
    f["community_code"] = world.communities["code"].to_numpy()[f["comm"]]
    year = f["posted_at"].dt.year
    f["id"] = "W" + year.astype(str) + (f.groupby(year).cumcount() + 1).map("{:05d}".format)
    world.tables["micro_wishes"] = f


# --- resources ------------------------------------------------------------------------------------

#: Typical beneficiaries of one use, by kind.
BENEFICIARIES = {"帮扶救助": 4, "法律援助": 15, "心理健康": 12, "安全防范": 60, "文体教育": 45, "医疗健康": 70,
                 "环境设施": 200, "政务服务": 120}


def catalogue_and_uses(world: World) -> None:
    """The district resource list (42) and service list (38), and each community's uses of them.

    A handful of items are never chosen by any community, which the supply
    view should show. Uses start when the lists are published (April 2021).
    """
    items = [(f"R{i:02d}", domain.CATALOGUE_RESOURCE, *item) for i, item in enumerate(vocab.RESOURCE_LIST, 1)]
    items += [(f"S{i:02d}", domain.CATALOGUE_SERVICE, *item) for i, item in enumerate(vocab.SERVICE_LIST, 1)]
    catalogue = pd.DataFrame(
        [{"code": code, "list_kind": lk, "name": name, "kind": kind, "provider_unit": vocab.BUREAUS[bureau],
          "description": desc} for code, lk, name, kind, bureau, desc in items]
    )
    world.tables["catalogue_items"] = catalogue

    rng = rng_for("resource-uses")
    n = 3_200
    popularity = rng.lognormal(0, 0.8, len(catalogue))
    unused = rng.choice(np.r_[3:42, 45:80], size=5, replace=False)  # never the article's named items
    popularity[unused] = 0
    weights = world.activity(0.7)
    weights[: day_index("2021-04-01")] = 0
    day, comm = draw_cells(rng, n, weights)
    item = rng.choice(len(catalogue), size=n, p=popularity / popularity.sum())
    median = catalogue["kind"].map(BENEFICIARIES).to_numpy()[item]
    frame = pd.DataFrame({
        "item_code": catalogue["code"].to_numpy()[item],
        "community_code": world.communities["code"].to_numpy()[comm],
        "used_on": DAYS[day],
        "beneficiaries": np.maximum(1, np.round(rng.lognormal(np.log(median), 0.7))).astype(int),
    }).sort_values(["used_on", "item_code", "community_code"], kind="stable").reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, n + 1))
    world.tables["resource_uses"] = frame


# --- participation ----------------------------------------------------------------------------------

#: kind -> (population power, share with a compound, participants median, sigma, weekend factor)
EVENT_SPEC = {
    domain.EVENT_JOINT_MEETING: (0.3, 0.0, 18, 0.3, 0.3),
    domain.EVENT_COUNCIL_SESSION: (0.5, 1.0, 22, 0.35, 1.2),
    domain.EVENT_CONVENIENCE_SERVICE: (0.7, 0.6, 120, 0.6, 1.8),
    domain.EVENT_VOLUNTEER_SERVICE: (0.6, 1.0, 25, 0.5, 1.5),
    domain.EVENT_EDUCATION: (0.6, 0.8, 45, 0.5, 1.5),
}


def participation_events(world: World) -> None:
    """Joint meetings, compound council sessions, convenience services, volunteer services, education.

    Council sessions belong to a residential compound (一小区一议事会) and
    settle the 589 compound issues between them.
    """
    rng = rng_for("events")
    frames = []
    for kind, n in EVENT_COUNTS.items():
        power, with_compound, median, sigma, weekend = EVENT_SPEC[kind]
        day, comm = draw_cells(rng, n, world.activity(power) * _weekday_factor(weekend)[:, None])
        codes = world.communities["code"].to_numpy()[comm]
        kinds = ("小区", "城中村") if kind == domain.EVENT_COUNCIL_SESSION else ("小区", "城中村", "园区")
        compound = pick_compounds(rng, world, codes, with_compound, kinds)
        settled = (multinomial_exact(rng, ISSUES_SETTLED, rng.gamma(1.5, 1.0, n))
                   if kind == domain.EVENT_COUNCIL_SESSION else np.zeros(n, dtype=int))
        frames.append(pd.DataFrame({
            "community_code": codes, "compound_code": compound, "kind": kind, "held_on": DAYS[day],
            "participants": np.maximum(3, np.round(rng.lognormal(np.log(median), sigma, n))).astype(int),
            "issues_settled": settled,
        }))
    frame = pd.concat(frames).sort_values(["held_on", "community_code", "kind"], kind="stable").reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    world.tables["participation_events"] = frame


def _monthly(values: np.ndarray) -> np.ndarray:
    """Average a days x communities array by calendar month."""
    month = DAYS.astype("datetime64[M]")
    return np.stack([values[month == m].mean(axis=0) for m in MONTHS])


def volunteer_months(world: World) -> None:
    """New volunteers (64,645) and residents taking part (66,186), per community and month.

    Recruitment peaks in March (学雷锋月), December (volunteers' day) and in
    spring 2022 (epidemic control), and is strongest in the first year.
    """
    rng = rng_for("volunteers")
    month_no = MONTHS.astype(int) % 12 + 1
    season = np.select([month_no == 3, month_no == 12, month_no == 2], [1.6, 1.3, 0.6], 1.0)
    season[np.isin(MONTHS, np.arange(np.datetime64("2022-03"), np.datetime64("2022-06")))] *= 1.4
    active = _monthly(world.ramp) * world.pop[None, :]
    t = np.linspace(0, 1, len(MONTHS))[:, None]
    new = multinomial_exact(rng, NEW_VOLUNTEERS, (active * season[:, None] * (1.3 - 0.5 * t)).ravel())
    taking_part = multinomial_exact(rng, RESIDENTS_TAKING_PART, (active * (0.7 + 0.6 * t)).ravel())
    new, taking_part = new.reshape(active.shape), taking_part.reshape(active.shape)
    base = world.pop * rng.uniform(0.002, 0.005, len(world.pop))
    volunteers = np.round(base[None, :] + 0.85 * np.cumsum(new, axis=0)).astype(int)
    rows = [{"community_code": code, "month": MONTHS[m].astype("datetime64[D]"), "new_volunteers": int(new[m, c]),
             "active_volunteers": int(volunteers[m, c]), "residents_taking_part": int(taking_part[m, c])}
            for c, code in enumerate(world.communities["code"]) for m in range(len(MONTHS))]
    world.tables["volunteer_months"] = pd.DataFrame(rows)


def courtesy_plans(world: World) -> None:
    """69 volunteer courtesy plans (礼遇计划) over health insurance, shopping, transport and more."""
    rng = rng_for("courtesy")
    merchants = world.partners.loc[world.partners["kind"] == domain.PARTNER_MERCHANT_KIND, "name"].unique()
    providers = {"健康保险": "龙岗区志愿者联合会", "公共交通": vocab.BUREAUS["交通"], "医疗服务": vocab.BUREAUS["卫健"],
                 "教育培训": vocab.BUREAUS["人社"], "政务优待": "中共龙岗区委宣传部"}
    plans = []
    for domain_name, templates in vocab.COURTESY_TEMPLATES.items():
        for template in templates:
            if "{who}" not in template:
                plans.append((template, domain_name, providers[domain_name]))
            elif domain_name == "文化旅游":
                plans += [(template.format(who=site), domain_name, site) for site in vocab.CULTURE_SITES[:4]]
    template_pool = vocab.COURTESY_TEMPLATES["生活消费"]
    for merchant in rng.permutation(merchants):
        if len(plans) == COURTESY_PLANS:
            break
        name = str(rng.choice(template_pool)).format(who=merchant)
        if name not in {p[0] for p in plans}:
            plans.append((name, "生活消费", str(merchant)))
    start = day_index("2021-03-05")
    days = np.sort(rng.integers(start, len(DAYS), len(plans)))
    order = rng.permutation(len(plans))
    world.tables["courtesy_plans"] = pd.DataFrame(
        [{"code": f"CP{k + 1:02d}", "name": plans[i][0], "domain": plans[i][1], "provider": plans[i][2],
          "started_on": DAYS[days[k]]} for k, i in enumerate(order)]
    )


# --- evaluation and outcomes --------------------------------------------------------------------------

#: Dimensions that are systematically stronger or weaker district-wide (points).
DIMENSION_EFFECT = [6, -2, 1, -4, 3, 0, 2, -3, 1, -6]
EVALUATION_YEARS = (2021, 2022, 2023)


def evaluation(world: World) -> None:
    """The 10-dimension evaluation per community and street, 2021-2023 (2023 is an interim score).

    Scores improve over time for most units, at different speeds; the pilot
    community leads. A street's score is its communities' population-weighted mean.
    """
    rng = rng_for("evaluation")
    world.tables["evaluation_dimensions"] = pd.DataFrame(
        [{"code": f"E{i:02d}", "seq": i, "name": name, "name_en": name_en, "description": desc,
          "data_source": source, "direction": "higher", "weight": float(weight), "target": float(target),
          "assumed": assumed}
         for i, (name, name_en, desc, source, weight, target, assumed)
         in enumerate(vocab.EVALUATION_DIMENSIONS, start=1)]
    )
    comms = world.communities
    street_effect = {s.code: rng.normal(0, 3) for s in world.geo.streets}
    n_c, n_d = len(comms), len(DIMENSION_EFFECT)
    unit = np.array([street_effect[s] for s in comms["street_code"]]) + rng.normal(0, 4, n_c)
    unit += np.where(comms["is_pilot"], 8, 0)
    slope = rng.normal(4, 2.5, n_c)
    scores = np.empty((n_c, len(EVALUATION_YEARS), n_d))
    for y, year in enumerate(EVALUATION_YEARS):
        scores[:, y, :] = (68 + unit[:, None] + np.array(DIMENSION_EFFECT)[None, :]
                           + slope[:, None] * (year - 2021) + rng.normal(0, 3, (n_c, n_d)))
    scores = np.clip(scores, 40, 100).round(1)
    rows = []
    for street in world.geo.streets:
        mask = (comms["street_code"] == street.code).to_numpy()
        mean = np.average(scores[mask], axis=0, weights=world.pop[mask])
        mean = np.clip(mean + rng.normal(0, 0.8, mean.shape), 40, 100).round(1)
        rows += [{"unit_level": "street", "unit_code": street.code, "year": year, "dimension_code": f"E{d + 1:02d}",
                  "score": float(mean[y, d])} for y, year in enumerate(EVALUATION_YEARS) for d in range(n_d)]
    for c, code in enumerate(comms["code"]):
        rows += [{"unit_level": "community", "unit_code": code, "year": year, "dimension_code": f"E{d + 1:02d}",
                  "score": float(scores[c, y, d])} for y, year in enumerate(EVALUATION_YEARS) for d in range(n_d)]
    world.tables["evaluation_scores"] = pd.DataFrame(rows)


#: Monthly cases per 1,000 residents in 2021, and the month-of-year pattern.
SAFETY_RATES = {"criminal_alerts": 0.65, "neighbour_disputes": 0.23, "property_disputes": 0.11}
SAFETY_SEASON = {
    "criminal_alerts": [1.1, 0.8, 0.95, 0.95, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.05, 1.15],
    "neighbour_disputes": [1.0, 0.75, 0.95, 1.0, 1.05, 1.1, 1.15, 1.15, 1.05, 1.0, 0.95, 0.95],
    "property_disputes": [1.05, 0.75, 1.0, 1.0, 1.0, 1.1, 1.15, 1.1, 1.0, 1.0, 0.95, 1.0],
}


def calibrated_totals(t2021: int, pct: float) -> tuple[int, int]:
    """January-October totals for 2021 and 2023 whose average yearly decline rounds to ``pct``.

    The 2021 total moves as little as possible (with few cases, not every
    total has a 2023 partner that rounds right); the 2023 total is the one
    closest to the exact rate, at least 0.001 points inside the rounding
    window, so float noise in the app's computation cannot tip it.
    """
    def off(t21: int, t23: int) -> float:
        return abs((1 - (t23 / t21) ** 0.5) * 100 - pct)

    for shift in sorted(range(-300, 301), key=lambda k: (abs(k), k)):
        t21 = t2021 + shift
        guess = int(t21 * (1 - pct / 100) ** 2)
        best = min(range(guess - 3, guess + 4), key=lambda t: off(t21, t))
        if off(t21, best) < 0.004:
            return t21, best
    raise RuntimeError("no calibrated totals")


def _add_or_remove(rng, counts: np.ndarray, expected: np.ndarray, diff: int) -> np.ndarray:
    """Add ``diff`` cases in proportion to ``expected``, or remove ``-diff`` existing cases at random."""
    if diff > 0:
        return counts + multinomial_exact(rng, diff, expected.ravel()).reshape(counts.shape)
    if diff < 0:
        return counts - rng.multivariate_hypergeometric(counts.ravel(), -diff).reshape(counts.shape)
    return counts


def safety_months(world: World) -> None:
    """Monthly safety outcomes per community, declining at the article's average yearly rates.

    Counts are Poisson around population x rate x season x a community-specific
    trend (a few communities rise). The January-October district totals of
    2021 and 2023 are then nudged, a case at a time, so that
    1 - (T2023 / T2021) ** 0.5 rounds to 21.20 %, 21.49 % and 30.00 %.
    """
    rng = rng_for("safety")
    n_c = len(world.pop)
    month_no = MONTHS.astype(int) % 12 + 1
    year = MONTHS.astype(int) // 12 + 1970
    t = np.arange(len(MONTHS)) / 12
    rising = rng.choice(np.flatnonzero(~world.communities["is_pilot"].to_numpy()), size=4, replace=False)
    jan_oct = month_no <= 10
    table = {}
    for measure, rate in SAFETY_RATES.items():
        decline = -np.log(1 - SAFETY_DECLINE_PCT[measure] / 100)
        k = decline + rng.normal(0, 0.08, n_c)
        k[rising] = -rng.uniform(0.05, 0.12, len(rising))
        season = np.array(SAFETY_SEASON[measure])[month_no - 1]
        expected = (world.pop * rate / 1000 * rng.uniform(0.7, 1.3, n_c))[None, :] * season[:, None] \
            * np.exp(-k[None, :] * t[:, None])
        counts = rng.poisson(expected)
        t2021, t2023 = calibrated_totals(int(counts[jan_oct & (year == 2021)].sum()), SAFETY_DECLINE_PCT[measure])
        for y, total in ((2021, t2021), (2023, t2023)):
            rows = jan_oct & (year == y)
            counts[rows] = _add_or_remove(rng, counts[rows], expected[rows], total - int(counts[rows].sum()))
        table[measure] = counts
    rows = [{"community_code": code, "month": MONTHS[m].astype("datetime64[D]"),
             **{measure: int(table[measure][m, c]) for measure in SAFETY_RATES}}
            for c, code in enumerate(world.communities["code"]) for m in range(len(MONTHS))]
    world.tables["safety_months"] = pd.DataFrame(rows)


# --- output ------------------------------------------------------------------------------------------


def _format(column, values: pd.Series) -> list[str]:
    """CSV text for one column: ISO dates, true/false, fixed decimals, empty for NULL."""
    kind = column.type
    missing = values.isna().to_numpy()
    if isinstance(kind, Boolean):
        text = ["true" if v else "false" for v in values]
    elif isinstance(kind, DateTime):
        text = pd.to_datetime(values).dt.strftime("%Y-%m-%d %H:%M:%S").tolist()
    elif isinstance(kind, Date):
        text = pd.to_datetime(values).dt.strftime("%Y-%m-%d").tolist()
    elif isinstance(kind, Float):
        digits = FLOAT_DECIMALS[column.name]
        text = [f"{v:.{digits}f}" if not m else "" for v, m in zip(values, missing, strict=True)]
    elif isinstance(kind, Integer):
        text = [str(int(v)) if not m else "" for v, m in zip(values, missing, strict=True)]
    else:
        text = [str(v) if not m else "" for v, m in zip(values, missing, strict=True)]
    return ["" if m else v for v, m in zip(text, missing, strict=True)]


def write_table(out_dir: Path, table, frame: pd.DataFrame) -> None:
    """Write one table's CSV with exactly the schema's columns, in order."""
    columns = [c.name for c in table.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{table.name}: missing columns {missing}")
    text = pd.DataFrame({c.name: _format(c, frame[c.name].reset_index(drop=True)) for c in table.columns})
    text.to_csv(out_dir / f"{table.name}.csv", index=False, lineterminator="\n", encoding="utf-8")


def generate(out_dir: Path = OUT_DIR) -> World:
    """Build every table and the schematic geography, and write them under ``out_dir``."""
    world = World(geography.build_geography(rng_for("geography")))
    for area in (streets_and_communities, compounds, property_ratings, partner_units, venues, fund_entries,
                 projects, requests, micro_wishes, catalogue_and_uses, participation_events, volunteer_months,
                 courtesy_plans, evaluation, safety_months):
        area(world)
    out_dir.mkdir(parents=True, exist_ok=True)
    for table in schema.DATA_TABLES:
        write_table(out_dir, table, world.tables[table.name])
    geography.write_geojson(world.geo, out_dir / "geo")
    return world


if __name__ == "__main__":
    generate()
