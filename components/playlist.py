"""演示模式 playlists: the TOML format, its validation, where shows are stored, and slide sequencing.

No Streamlit here: the show page hands in the geography and the data's span, and this
module answers with a :class:`Show` or a :class:`PlaylistError` whose issues each name the
slide (number and title) and the field, in Chinese and English through the catalogue.

A show file holds an optional ``title`` / ``title_en`` and one ``[[slide]]`` table per
slide (see ``config/shows/default.toml``). The repository's default show is read-only;
shows edited in the app are written atomically under ``<LONGGANG_DATA_DIR>/shows/``.

Sequencing is a small pure state machine (:class:`Playback`) driven by a clock the
caller passes in, so auto-advance, pause, back and forward are unit-tested without time.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from components.i18n import text
from data_access import geography
from data_access.bulletin import month_for
from data_access.database import default_sqlite_path
from data_access.scope import parse_period

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHOW_NAME = "default"
DEFAULT_SHOW_PATH = REPO_ROOT / "config" / "shows" / f"{DEFAULT_SHOW_NAME}.toml"

#: The panels a slide may show, in the order of the district story.
PANELS = ("overview", "map", "projects", "requests", "resources", "scorecards", "bulletin", "followups")
#: Map measures (the keys of components.maps.MEASURES; kept here so this module stays light).
MAP_MEASURES = ("requests_per_1000", "resolution_rate", "median_days", "projects", "projects_completed_share",
                "composite", "resources_used", "volunteers_per_1000")
DEFAULT_MAP_MEASURE = "requests_per_1000"
SLIDE_FIELDS = ("panel", "title", "title_en", "duration_s", "street", "community", "period", "measure")
SHOW_FIELDS = ("title", "title_en", "slide")
MIN_DURATION_S = 5
MAX_DURATION_S = 600
MAX_SLIDES = 60
MAX_TITLE_LENGTH = 80
MAX_FILE_BYTES = 64_000
#: Show names are file stems and URL values: short, lower-case, no path characters.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_QUARTER_SHORT = re.compile(r"^(\d{4})[Qq]([1-4])$")


@dataclass(frozen=True)
class Slide:
    """One saved view: which panel, which scope (street, community, period), which measure."""

    panel: str
    title: str
    duration_s: int
    title_en: str = ""
    street: str | None = None
    community: str | None = None
    period: str = "all"
    measure: str | None = None

    def heading(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title


@dataclass(frozen=True)
class Show:
    name: str
    slides: tuple[Slide, ...]
    title: str = ""
    title_en: str = ""

    def heading(self, lang: str) -> str:
        return (self.title_en if lang == "en" and self.title_en else self.title) or self.name

    @property
    def durations(self) -> list[int]:
        return [s.duration_s for s in self.slides]


@dataclass(frozen=True)
class Geography:
    """What validation checks codes and periods against (from the database, handed in)."""

    street_codes: frozenset[str]
    #: community code -> its street code
    street_of: Mapping[str, str]
    data_start: date
    reference: date

    @classmethod
    def from_frames(cls, streets, communities, data_start: date, reference: date) -> Geography:
        return cls(frozenset(streets["code"].tolist()), geography.street_of(communities), data_start, reference)


@dataclass(frozen=True)
class Issue:
    """One problem: a catalogue key and its values; ``slide`` is 1-based (None: the whole file)."""

    key: str
    values: dict = field(default_factory=dict)
    slide: int | None = None
    slide_title: str = ""

    def message(self, lang: str = "zh") -> str:
        separator = ", " if lang == "en" else "、"
        values = {k: separator.join(v) if isinstance(v, tuple | list) else v for k, v in self.values.items()}
        body = text(self.key, lang, **values)
        if self.slide is None:
            return body
        where = text("show.err.where", lang, n=self.slide, title=self.slide_title or text("show.err.untitled", lang))
        return f"{where}{body}"


class PlaylistError(ValueError):
    """A show file that cannot be used; ``issues`` name each slide and field at fault."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(issue.message("zh") + " / " + issue.message("en") for issue in issues))

    def message(self, lang: str = "zh") -> str:
        return "\n".join(issue.message(lang) for issue in self.issues)


# --- parsing and validation --------------------------------------------------------------------------------


def normalise_period(value: str) -> str:
    """``2023Q3`` and ``2023-q3`` are read as the app's key ``2023-Q3``."""
    match = _QUARTER_SHORT.match(value.replace("-", "")) if isinstance(value, str) else None
    return f"{match.group(1)}-Q{match.group(2)}" if match else value


def _duration(value) -> int | None:
    """Whole seconds within the limits, or None (bools, text, fractions, NaN are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (math.isnan(value) or not value.is_integer()):
        return None
    value = int(value)
    return value if MIN_DURATION_S <= value <= MAX_DURATION_S else None


def _short(value) -> str:
    return str(value)[:40]


def _slide(raw, number: int, geo: Geography | None, issues: list[Issue]) -> Slide | None:
    if not isinstance(raw, dict):
        issues.append(Issue("show.err.slide_table", {}, number))
        return None
    title = raw.get("title")
    shown_title = title.strip()[:MAX_TITLE_LENGTH] if isinstance(title, str) else ""
    found: list[Issue] = []

    def problem(key: str, **values) -> None:
        found.append(Issue(key, values, number, shown_title))

    for name in raw:
        if name not in SLIDE_FIELDS:
            problem("show.err.unknown_field", field=_short(name), fields=SLIDE_FIELDS)
    if not isinstance(title, str) or not title.strip():
        problem("show.err.title")
    elif len(title.strip()) > MAX_TITLE_LENGTH:
        problem("show.err.title_long", limit=MAX_TITLE_LENGTH)
    title_en = raw.get("title_en", "")
    if not isinstance(title_en, str) or len(title_en.strip()) > MAX_TITLE_LENGTH:
        problem("show.err.title_en", limit=MAX_TITLE_LENGTH)
        title_en = ""
    panel = raw.get("panel")
    if panel is None:
        problem("show.err.panel_missing", panels=PANELS)
    elif panel not in PANELS:
        problem("show.err.panel", value=_short(panel), panels=PANELS)
    duration = _duration(raw.get("duration_s"))
    if "duration_s" not in raw:
        problem("show.err.duration_missing", low=MIN_DURATION_S, high=MAX_DURATION_S)
    elif duration is None:
        problem("show.err.duration", value=_short(raw.get("duration_s")), low=MIN_DURATION_S, high=MAX_DURATION_S)

    street, community = raw.get("street"), raw.get("community")
    for name, value in (("street", street), ("community", community)):
        if value is not None and not isinstance(value, str):
            problem("show.err.code_text", field=name, value=_short(value))
    street = street.strip() or None if isinstance(street, str) else None
    community = community.strip() or None if isinstance(community, str) else None
    if geo is not None:
        if street and street not in geo.street_codes:
            problem("show.err.street", value=_short(street))
            street = None
        if community:
            if community not in geo.street_of:
                problem("show.err.community", value=_short(community))
                community = None
            elif street and geo.street_of[community] != street:
                problem("show.err.community_street", value=community, street=street)
            else:
                street = geo.street_of[community]

    period = raw.get("period", "all")
    if not isinstance(period, str):
        problem("show.err.period", value=_short(period))
        period = "all"
    period = normalise_period(period.strip())
    if panel == "bulletin":
        # the bulletin is monthly: a month (2023-10), or a period whose latest complete month it shows
        if geo is not None and month_for(period, geo.data_start, geo.reference) is None:
            problem("show.err.period_bulletin", value=_short(period))
    elif panel == "followups":
        # 督办事项 are today's work list, not figures of a period: a period would be silently ignored
        if period != "all":
            problem("show.err.period_followups", value=_short(period))
    elif geo is not None and parse_period(period, geo.data_start, geo.reference) is None:
        problem("show.err.period", value=_short(period))

    measure = raw.get("measure")
    if measure is not None:
        if panel != "map":
            problem("show.err.measure_panel")
        elif measure not in MAP_MEASURES:
            problem("show.err.measure", value=_short(measure), measures=MAP_MEASURES)
    issues.extend(found)
    if found:
        return None
    return Slide(panel=panel, title=title.strip(), duration_s=duration, title_en=title_en.strip(), street=street,
                 community=community, period=period,
                 measure=(measure or DEFAULT_MAP_MEASURE) if panel == "map" else None)


def parse_show(source: str, name: str = DEFAULT_SHOW_NAME, geo: Geography | None = None) -> Show:
    """The show a TOML text describes, or :class:`PlaylistError` naming every slide and field at fault.

    Without ``geo`` codes and periods are checked for form only (for tests of the format alone).
    """
    if len(source.encode("utf-8")) > MAX_FILE_BYTES:
        raise PlaylistError([Issue("show.err.too_big", {"limit": MAX_FILE_BYTES // 1000})])
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise PlaylistError([Issue("show.err.toml", {"detail": str(error)[:160]})]) from None
    issues: list[Issue] = []
    for key in raw:
        if key not in SHOW_FIELDS:
            issues.append(Issue("show.err.unknown_show_field", {"field": _short(key)}))
    title, title_en = raw.get("title", ""), raw.get("title_en", "")
    if not isinstance(title, str) or not isinstance(title_en, str):
        issues.append(Issue("show.err.show_title"))
        title, title_en = "", ""
    slides_raw = raw.get("slide", [])
    if not isinstance(slides_raw, list) or not slides_raw:
        issues.append(Issue("show.err.empty"))
        raise PlaylistError(issues)
    if len(slides_raw) > MAX_SLIDES:
        issues.append(Issue("show.err.too_many", {"limit": MAX_SLIDES}))
        raise PlaylistError(issues)
    slides = [_slide(item, number, geo, issues) for number, item in enumerate(slides_raw, start=1)]
    if issues:
        raise PlaylistError(issues)
    return Show(name=name, slides=tuple(slides), title=title.strip()[:MAX_TITLE_LENGTH],
                title_en=title_en.strip()[:MAX_TITLE_LENGTH])


# --- where shows live ---------------------------------------------------------------------------------------


def shows_dir(data_dir: Path | str | None = None) -> Path:
    """Shows saved from the app: ``<LONGGANG_DATA_DIR>/shows``."""
    base = Path(data_dir) if data_dir is not None else default_sqlite_path().parent
    return base / "shows"


def valid_name(name) -> bool:
    return isinstance(name, str) and bool(NAME_PATTERN.match(name))


def show_names(data_dir: Path | str | None = None) -> list[str]:
    """The default show first, then the saved ones by name."""
    folder = shows_dir(data_dir)
    saved = sorted(p.stem for p in folder.glob("*.toml") if valid_name(p.stem) and p.stem != DEFAULT_SHOW_NAME) \
        if folder.is_dir() else []
    return [DEFAULT_SHOW_NAME, *saved]


def show_path(name: str, data_dir: Path | str | None = None) -> Path | None:
    """The file a show name refers to, or None when the name is malformed or nothing is stored."""
    if not valid_name(name):
        return None
    if name == DEFAULT_SHOW_NAME:
        return DEFAULT_SHOW_PATH
    path = shows_dir(data_dir) / f"{name}.toml"
    return path if path.is_file() else None


def read_show_source(name: str, data_dir: Path | str | None = None) -> str | None:
    path = show_path(name, data_dir)
    return path.read_text(encoding="utf-8") if path is not None else None


def load_show(name: str, geo: Geography | None = None, data_dir: Path | str | None = None) -> Show | None:
    """The named show (None when there is none); an invalid stored file raises :class:`PlaylistError`."""
    source = read_show_source(name, data_dir)
    return None if source is None else parse_show(source, name, geo)


def save_show(name: str, source: str, geo: Geography | None, data_dir: Path | str | None = None,
              before_write: Callable[[Show, bool], object] | None = None) -> Show:
    """Validate, then write ``<data dir>/shows/<name>.toml`` atomically (temp file + rename).

    The default show's name is refused (the repository's file is never overwritten), and an
    invalid text raises :class:`PlaylistError` before anything is written. ``before_write(show,
    replaces)`` runs between the two (the page writes the audit record there: if it raises, nothing
    is written).
    """
    if not valid_name(name):
        raise PlaylistError([Issue("show.err.name", {"value": _short(name)})])
    if name == DEFAULT_SHOW_NAME:
        raise PlaylistError([Issue("show.err.default_readonly", {"name": DEFAULT_SHOW_NAME})])
    show = parse_show(source, name, geo)
    folder = shows_dir(data_dir)
    if before_write is not None:
        before_write(show, (folder / f"{name}.toml").exists())
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(source)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, folder / f"{name}.toml")
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return show


# --- sequencing ---------------------------------------------------------------------------------------------


def step(index: int, count: int, delta: int) -> int:
    """The slide ``delta`` away from ``index``, wrapping round both ends."""
    return (index + delta) % count if count else 0


def override_durations(durations: Iterable[int], seconds: int | None) -> list[int]:
    """Every slide ``seconds`` long (rehearsals, tests), or the show's own durations."""
    durations = list(durations)
    return [seconds] * len(durations) if seconds else durations


def parse_seconds(value: str | None) -> int | None:
    """A URL ``seconds=`` override: whole seconds in the slide limits (2 allowed for tests), else None."""
    if value is None or not str(value).strip().isdigit():
        return None
    seconds = int(str(value).strip())
    return seconds if 2 <= seconds <= MAX_DURATION_S else None


@dataclass(frozen=True)
class Playback:
    """Where a running show is: the slide, when it began (clock seconds), and when it was paused."""

    index: int = 0
    started: float = 0.0
    paused_at: float | None = None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None


def start(now: float, index: int = 0, count: int = 1) -> Playback:
    return Playback(index=step(index, count, 0), started=now)


def elapsed(playback: Playback, now: float) -> float:
    """Seconds the current slide has been on screen (frozen while paused)."""
    return (playback.paused_at if playback.paused else now) - playback.started


def remaining(playback: Playback, durations: list[int], now: float) -> float:
    return max(0.0, durations[playback.index] - elapsed(playback, now))


def tick(playback: Playback, durations: list[int], now: float) -> Playback:
    """Advance past every slide whose time is up, keeping the cadence exact.

    A show that fell behind by more than a whole round (a sleeping laptop) restarts
    the current slide's clock rather than racing through the slides it missed.
    """
    if playback.paused or not durations:
        return playback
    index, started = playback.index, playback.started
    if now - started >= sum(durations):
        return replace(playback, index=step(index, len(durations), 1), started=now)
    while now - started >= durations[index]:
        started += durations[index]
        index = step(index, len(durations), 1)
    return replace(playback, index=index, started=started)


def go(playback: Playback, count: int, delta: int, now: float) -> Playback:
    """Back (-1) or forward (+1) by hand: the new slide gets its full time (still paused if paused)."""
    return Playback(index=step(playback.index, count, delta), started=now,
                    paused_at=now if playback.paused else None)


def restarted(playback: Playback, now: float) -> Playback:
    """The same slide with its full time from ``now``: its time counts from when it is on screen,
    so a slow draw on a busy server does not eat into it."""
    return Playback(index=playback.index, started=now, paused_at=now if playback.paused else None)


def toggle_pause(playback: Playback, now: float) -> Playback:
    """Pause (the clock stops), or resume with the time that was left."""
    if playback.paused:
        return Playback(index=playback.index, started=playback.started + (now - playback.paused_at))
    return replace(playback, paused_at=now)
