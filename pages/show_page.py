"""演示模式 Presenter show: a playlist of saved views, full screen, advancing by itself.

Without ``?show=`` this is the launcher: pick a show, see its slides, start it dark or light,
and (district role only) edit and save a show. With ``?show=<name>&theme=dark|light`` it is the
show: sidebar and menus hidden, each slide drawn for its own scope, and a control bar that
ticks once a second on the server (a fragment), so nothing is fetched from anywhere else.
"""

import re
import time
from datetime import date

import pandas as pd
import streamlit as st

from components import audit_trail, deck, formatting, playlist, show_charts, show_slides, tables
from components.audit_trail import audited_bytes
from components.data import cached, data_context, map_shapes
from components.downloads import csv_download
from components.guard import require_entry_point
from components.login import may_import, session_role
from components.scope_sidebar import current_language, period_label, place_label, translator
from components.sections import lazy_expander
from data_access import bulletin, geography
from data_access.scope import Scope, parse_period

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

T, lang, ctx = translator(), current_language(), data_context()
streets, communities = cached(geography.streets), cached(geography.communities)
geo = playlist.Geography.from_frames(streets, communities, ctx.start, ctx.reference)
PLAY_KEY = "show_playback"
SHOW_PARAMS = ("show", "theme", "slide", "seconds")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def shown(value: str) -> str:
    """A value from the link, cut short and with Markdown escaped, to name it in a message."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value)[:40])


def slide_scope(slide: playlist.Slide) -> Scope:
    """The slide's own scope, within the session's role (a street role keeps to its street)."""
    key = slide.period
    month = bulletin.month_for(key, ctx.start, ctx.reference) if slide.panel == "bulletin" else None
    if month is not None and month.key == key:  # a bulletin slide's month: the year it falls in
        key = str(month.year)
    period = parse_period(key, ctx.start, ctx.reference) or parse_period("all", ctx.start, ctx.reference)
    scope = Scope(period=period, street=slide.street, community=slide.community, role=session_role())
    if scope.role_street and slide.street and slide.street != scope.role_street:
        scope = Scope(period=period, role=scope.role)
    return scope


def slide_period_label(slide: playlist.Slide, scope: Scope) -> str:
    """The period a slide shows: the bulletin's month on a bulletin slide, today on the 督办 slide (its items'
    status now), the scope's period otherwise."""
    if slide.panel == "followups":
        return T("show.followups.as_at", date=formatting.day(date.today(), lang))
    month = bulletin.month_for(slide.period, ctx.start, ctx.reference) if slide.panel == "bulletin" else None
    if month is not None:
        return T("show.bulletin.month", year=month.year, month=month.number)
    return period_label(scope.period, lang)


def scope_line(scope: Scope, slide: playlist.Slide) -> str:
    place = place_label(scope, streets, communities, lang)
    return T("show.scope", place=place, period=slide_period_label(slide, scope))


def show_label(name: str) -> str:
    return T("show.default_name") if name == playlist.DEFAULT_SHOW_NAME else name


def start_show(name: str, theme: str) -> None:
    st.session_state.pop(PLAY_KEY, None)
    st.query_params["show"] = name
    st.query_params["theme"] = theme


def leave_show() -> None:
    for key in SHOW_PARAMS:
        st.query_params.pop(key, None)
    st.session_state.pop(PLAY_KEY, None)


# --- the launcher --------------------------------------------------------------------------------------------


def slide_table(show: playlist.Show) -> pd.DataFrame:
    rows = []
    for number, slide in enumerate(show.slides, start=1):
        scope = slide_scope(slide)
        rows.append({"n": number, "title": slide.heading(lang), "panel": T(f"show.panel.{slide.panel}"),
                     "scope": place_label(scope, streets, communities, lang),
                     "period": slide_period_label(slide, scope), "duration": slide.duration_s})
    return pd.DataFrame(rows)


def editor(name: str) -> None:
    """The TOML editor, for the district office only, drawn when its expander is opened."""
    if not may_import():
        st.subheader(T("show.edit.title"))
        st.caption(T("show.edit.read_only"))
        return
    lazy_expander(T("show.edit.title"), "show-editor", lambda: edit_form(name))


def edit_form(name: str) -> None:
    st.caption(T("show.edit.help"))
    source = st.text_area(T("show.edit.source"), value=playlist.read_show_source(name) or "", height=420,
                          key=f"show_source_{name}")
    suggested = "" if name == playlist.DEFAULT_SHOW_NAME else name
    new_name = st.text_input(T("show.edit.name"), value=suggested, max_chars=40, key=f"show_save_name_{name}")
    check_col, save_col, _ = st.columns([1, 1, 6])
    check = check_col.button(T("show.edit.check"), key="show_check", icon=":material/rule:")
    save = save_col.button(T("show.edit.save"), key="show_save", type="primary", icon=":material/save:")
    if check:
        try:
            checked = playlist.parse_show(source, new_name or name, geo)
        except playlist.PlaylistError as error:
            st.error(T("show.edit.invalid") + "\n\n" + _bullets(error))
        else:
            st.success(T("show.edit.ok", n=len(checked.slides)))
    if save:
        def audited(show: playlist.Show, replaces: bool) -> None:  # checked, then audited, then written
            audit_trail.record("show_edit", target=show.name, rows=len(show.slides), file_name=f"{show.name}.toml",
                               detail=("replaced" if replaces else "new") + ", sha256 " + audit_trail.digest(source))

        try:
            saved = playlist.save_show(new_name.strip(), source, geo, before_write=audited)
        except playlist.PlaylistError as error:
            st.error(T("show.edit.failed") + "\n\n" + _bullets(error))
        except audit_trail.AuditError:
            audit_trail.refuse(lang)
        else:
            st.session_state["show_flash"] = T("show.edit.saved", name=saved.name, n=len(saved.slides))
            st.session_state["show_pick_pending"] = saved.name
            st.rerun()


def _bullets(error: playlist.PlaylistError) -> str:
    return "\n".join(f"- {line}" for line in error.message(lang).splitlines())


def launcher() -> None:
    st.title(T("show.title"))
    st.caption(T("show.intro"))
    flash = st.session_state.pop("show_flash", None)
    if flash:
        st.success(flash)
    names = playlist.show_names()
    pending = st.session_state.pop("show_pick_pending", None)
    if pending in names:
        st.session_state["show_pick"] = pending
    if st.session_state.get("show_pick") not in names:
        st.session_state["show_pick"] = playlist.DEFAULT_SHOW_NAME
    name = st.selectbox(T("show.pick"), names, format_func=show_label, key="show_pick")
    try:
        show = playlist.load_show(name, geo)
    except playlist.PlaylistError as error:
        st.error(T("show.invalid_stored", name=name, detail=_bullets(error)))
        show = None
    if show is not None:
        st.subheader(show.heading(lang))
        dark, light, _ = st.columns([1.4, 1.2, 4])
        dark.button(T("show.start_dark"), key="show_start_dark", type="primary", icon=":material/slideshow:",
                    on_click=start_show, args=(name, "dark"))
        light.button(T("show.start_light"), key="show_start_light", icon=":material/slideshow:",
                     on_click=start_show, args=(name, "light"))
        st.caption(T("show.link_hint", url=f"/show?show={name}&theme=dark"))
        table = slide_table(show)
        minutes = f"{table['duration'].sum() / 60:.1f}"
        st.markdown(f"**{T('show.slides', n=len(table), minutes=minutes)}**")
        headers = {c: T(f"show.col.{c}") for c in table.columns}
        st.html(tables.small_table_html(table.rename(columns=headers)))
        csv_download(table, f"show_{name}", show.heading(lang), lang, headers=headers, key="download-show",
                     follows_scope=False)
        st.download_button(T("deck.download"), help=T("deck.help"), file_name=f"show_{name}.pptx",
                           data=audited_bytes(lambda: deck.build_show_deck(
                               show, cached, start=ctx.start, reference=ctx.reference, role=session_role(), lang=lang,
                               shapes=map_shapes()), target="deck", scope=name, file_name=f"show_{name}.pptx"),
                           mime=deck.PPTX_MIME, key="download-show-pptx", icon=":material/slideshow:",
                           on_click="ignore")
    editor(name)


# --- the show ------------------------------------------------------------------------------------------------


def _move(delta: int, count: int) -> None:
    state = st.session_state[PLAY_KEY]
    state["pb"] = playlist.go(state["pb"], count, delta, time.monotonic())


def _toggle() -> None:
    state = st.session_state[PLAY_KEY]
    state["pb"] = playlist.toggle_pause(state["pb"], time.monotonic())


def _exit() -> None:
    st.session_state["show_leave"] = True


@st.fragment(run_every=1.0)
def control_bar(count: int, durations: list[int], shown: int) -> None:
    """Once a second: advance when the slide's time is up (a full rerun draws the next slide),
    otherwise redraw the countdown; the buttons (and ←, →, Space) move or pause."""
    if st.session_state.pop("show_leave", False):
        leave_show()
        st.rerun(scope="app")
    state = st.session_state.get(PLAY_KEY)
    if state is None:
        return
    now = time.monotonic()
    state["pb"] = pb = playlist.tick(state["pb"], durations, now)
    if pb.index != shown:
        st.rerun(scope="app")
    left = playlist.remaining(pb, durations, now)
    status = T("show.paused") if pb.paused else T("show.countdown", s=int(left + 0.999))
    with st.container(key="show-controls"):
        cols = st.columns([1.1, 1.1, 1.1, 6, 1.3], vertical_alignment="center")
        cols[0].button(T("show.prev"), key="show_prev", icon=":material/skip_previous:", shortcut="Left",
                       on_click=_move, args=(-1, count))
        cols[1].button(T("show.resume") if pb.paused else T("show.pause"), key="show_pause", shortcut="Space",
                       icon=":material/play_arrow:" if pb.paused else ":material/pause:", on_click=_toggle)
        cols[2].button(T("show.next"), key="show_next", icon=":material/skip_next:", shortcut="Right",
                       on_click=_move, args=(1, count))
        cols[3].markdown(show_charts.status_html(T("show.counter", n=pb.index + 1, total=count), status,
                                                 T("show.keys"), 1 - left / durations[pb.index]),
                         unsafe_allow_html=True)
        cols[4].button(T("show.exit"), key="show_exit", icon=":material/close:", on_click=_exit)


def presenter(name: str) -> None:
    theme = st.query_params.get("theme", show_charts.DEFAULT_THEME)
    notices = []
    if theme not in show_charts.THEMES:
        notices.append(T("show.bad_theme", value=shown(theme)))
        theme = show_charts.DEFAULT_THEME
    st.markdown(show_charts.page_css(theme), unsafe_allow_html=True)
    st.html(show_charts.TOUCH_SCRIPT, unsafe_allow_javascript=True)  # tap or swipe to move (a tablet)
    try:
        show = playlist.load_show(name, geo)
    except playlist.PlaylistError as error:
        st.error(T("show.invalid_stored", name=shown(name), detail=_bullets(error)))
        st.button(T("show.exit"), key="show_exit_bad", icon=":material/close:", on_click=leave_show)
        return
    if show is None:
        names = (", " if lang == "en" else "、").join(playlist.show_names())
        st.error(T("show.unknown", name=shown(name), names=names))
        st.button(T("show.exit"), key="show_exit_bad", icon=":material/close:", on_click=leave_show)
        return
    count = len(show.slides)
    seconds_param = st.query_params.get("seconds")
    seconds = playlist.parse_seconds(seconds_param)
    if seconds_param is not None and seconds is None:
        notices.append(T("show.bad_seconds", value=shown(seconds_param), high=playlist.MAX_DURATION_S))
    slide_param = st.query_params.get("slide", "1")
    first = int(slide_param) - 1 if slide_param.isdigit() and 1 <= int(slide_param) <= count else 0
    if slide_param != "1" and first == 0:
        notices.append(T("show.bad_slide", value=shown(slide_param), n=count))
    durations = playlist.override_durations(show.durations, seconds)

    run = (name, theme, seconds, first, count)
    now = time.monotonic()
    state = st.session_state.get(PLAY_KEY)
    if state is None or state.get("run") != run:
        state = {"run": run, "pb": playlist.start(now, first, count)}
    state["pb"] = playlist.tick(state["pb"], durations, now)
    st.session_state[PLAY_KEY] = state
    index = state["pb"].index
    slide = show.slides[index]
    scope = slide_scope(slide)

    st.markdown(show_charts.header_html(slide.heading(lang), scope_line(scope, slide),
                                        T("show.as_of", date=formatting.day(ctx.reference, lang)),
                                        T("show.counter", n=index + 1, total=count)), unsafe_allow_html=True)
    for notice in notices:
        st.warning(notice)
    show_slides.render(slide, scope, lang, theme, ctx, key=f"show-{index}")
    if state.get("drawn") != index:  # a new slide: its time counts from now, when it is on screen
        state["pb"], state["drawn"] = playlist.restarted(state["pb"], time.monotonic()), index
    control_bar(count, durations, index)


requested = st.query_params.get("show")
if requested is None:
    launcher()
else:
    presenter(requested)
