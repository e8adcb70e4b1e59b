"""预警 (alerts) and 督办 (follow-up): open alerts by severity and age; follow-up items by role."""

from datetime import date, timedelta

import streamlit as st

from components import audit_trail, data, formatting
from components.alert_tables import alerts_table, followup_table, history_table
from components.downloads import csv_download
from components.guard import require_entry_point
from components.scope_sidebar import current_language, current_scope, place_label, translator
from data_access import alerts, followup, geography
from data_access.scope import DISTRICT_ROLE
from jobs import alerts as alert_job
from jobs import rules as alert_rules
from jobs.rules import RuleError, load_rules

require_entry_point()  # outside app.py (the older pages/ mode): a refusal, nothing else

#: the alerts listed on screen, most severe and oldest first (the download holds them all): a city's
#: district list ran to 2,400 rows, most of the page's time, which nobody reads down to the end
ALERTS_SHOWN = 500

T, lang = translator(), current_language()
scope = current_scope()
role = scope.role
own_street = scope.role_street
db = data.database()
actor = st.session_state.get("auth_user") or role
address = audit_trail.client_address()

st.title(T("alerts.title"))
st.caption(T("alerts.intro"))

try:
    rule_names = {r.id: r.name for r in load_rules()}
    alert_job.evaluate_if_stale(db)  # data loaded or imported since the last evaluation: evaluate now
except RuleError as error:
    st.error(T("alerts.rules_error", error=str(error)))
    rule_names = {}
run = alerts.last_run(db)
if run is not None:
    st.caption(T("alerts.last_run", at=f"{run['at']:%Y-%m-%d %H:%M}", date=f"{run['data_as_of']:%Y-%m-%d}"))

streets = data.cached(geography.streets, scope)
place = place_label(scope.without_community(), streets, data.cached(geography.communities, scope), lang)
street_names = dict(zip(streets["code"], streets["name_en" if lang == "en" else "name"], strict=True))
tab_alerts, tab_followup = st.tabs([T("alerts.tab.alerts"), T("alerts.tab.followup")])

with tab_alerts:
    if role == DISTRICT_ROLE and st.button(T("alerts.evaluate"), key="alerts_evaluate", icon=":material/refresh:"):
        try:
            conditions, result = alert_job.evaluate(db)
            st.success(T("alerts.evaluated", n=len(conditions), opened=result.opened, updated=result.updated,
                         closed=result.closed))
        except RuleError as error:
            st.error(T("alerts.rules_error", error=str(error)))
    if role == DISTRICT_ROLE:
        with st.expander(T("alerts.rules.edit"), icon=":material/tune:"):
            st.caption(T("alerts.rules.in_force", path=alert_rules.rules_path().name))
            with st.form("alerts_rules_form"):
                source = st.text_area(T("alerts.rules.source"), value=alert_rules.rules_source(), height=400,
                                      key="alerts_rules_source")
                check_col, save_col, reset_col = st.columns(3)
                check = check_col.form_submit_button(T("alerts.rules.check"))
                save = save_col.form_submit_button(T("alerts.rules.save"), type="primary")
                reset = reset_col.form_submit_button(T("alerts.rules.reset"))
            try:
                if check:
                    st.success(T("alerts.rules.ok", n=len(alert_rules.parse_rules_text(source))))
                elif save:  # checked, then audited, then written: no record, no change
                    checked = alert_rules.parse_rules_text(source)
                    audit_trail.record("alert_rule_edit", target=alert_rules.edited_rules_path().name,
                                       rows=len(checked), detail="saved, sha256 " + audit_trail.digest(source))
                    st.success(T("alerts.rules.saved", n=len(alert_rules.save_rules(source))))
                elif reset:
                    audit_trail.record("alert_rule_edit", target=alert_rules.edited_rules_path().name,
                                       detail="reset to the shipped rules")
                    alert_rules.reset_rules()
                    st.session_state.pop("alerts_rules_source", None)
                    st.success(T("alerts.rules.was_reset"))
            except RuleError as error:
                st.error(str(error))
            except audit_trail.AuditError:
                audit_trail.refuse(lang)
    left, middle, right = st.columns([2, 2, 1])
    street_options = [""] + list(street_names)
    default_street = scope.effective_street or ""
    street = left.selectbox(T("alerts.filter.street"), street_options,
                            index=street_options.index(default_street) if default_street in street_options else 0,
                            format_func=lambda c: street_names.get(c, T("alerts.filter.all")), key="alerts_street",
                            disabled=bool(own_street))
    rule = middle.selectbox(T("alerts.filter.rule"), [""] + list(rule_names), key="alerts_rule",
                            format_func=lambda r: rule_names.get(r, T("alerts.filter.all")))
    include_closed = right.checkbox(T("alerts.filter.closed"), key="alerts_closed")
    status = None if include_closed else alerts.OPEN
    chosen = {"status": status, "street": street or None, "rule": rule or None}
    frame = alerts.list_alerts(db, role, **chosen, limit=ALERTS_SHOWN)
    open_counts = alerts.alert_counts(db, role, street or None, rule or None)
    per_severity = dict(zip(open_counts["severity"], open_counts["n"].astype(int), strict=True))
    tiles = st.columns(4)
    tiles[0].metric(T("alerts.count.total"), sum(per_severity.values()))
    for tile, severity in zip(tiles[1:], ("high", "medium", "low"), strict=True):
        tile.metric(T("alerts.count.severity", severity=T(f"alerts.severity.{severity}")),
                    per_severity.get(severity, 0))
    if frame.empty:
        ever = alerts.list_alerts(db, role, status=None, limit=1)
        st.info(T("alerts.none") if len(ever) else T("alerts.never"))
    else:
        listed = sum(per_severity.values()) if status else int(alerts.alert_counts(db, role, **chosen)["n"].sum())
        if listed > len(frame):
            st.caption(T("alerts.shown", shown=formatting.count(len(frame), lang),
                         total=formatting.count(listed, lang)))
        table = alerts_table(frame, rule_names, lang)
        link = T("alerts.col.link")
        st.dataframe(table, hide_index=True, width="stretch", key="alerts_table", height=min(36 + 35 * len(table), 720),
                     column_config={link: st.column_config.LinkColumn(link, display_text=T("alerts.link"))})
        shown_place = " › ".join([place.split(" › ")[0], street_names[street]]) if street else place

        def every_alert():
            """Every alert of the filters, read on the click."""
            return alerts_table(alerts.list_alerts(db, role, **chosen, limit=None), rule_names, lang).drop(
                columns=[link])

        csv_download(every_alert if listed > len(frame) else table.drop(columns=[link]), "alerts", shown_place,
                     lang, key="download-alerts")

with tab_followup:
    today = date.today()
    if role == DISTRICT_ROLE:
        with st.expander(T("followup.create"), icon=":material/add_task:"):
            # the most severe and oldest open ones: the first tab's list when it shows just those
            unfiltered = chosen == {"status": alerts.OPEN, "street": None, "rule": None}
            open_alerts = frame if unfiltered else alerts.list_alerts(db, role, limit=ALERTS_SHOWN)
            alert_labels = {int(i): f"#{i} {reason}" for i, reason in zip(open_alerts["id"], open_alerts["reason"],
                                                                          strict=True)}
            communities = data.cached(geography.communities, scope)
            units = {("street", c): n for c, n in street_names.items()}
            units.update({("community", c): f"{s} · {n}" for c, n, s in
                          zip(communities["code"], communities["name"], communities["street_name"], strict=True)})
            with st.form("followup_create", clear_on_submit=True):
                alert_id = st.selectbox(T("followup.from_alert"), [None, *alert_labels],
                                        format_func=lambda a: alert_labels.get(a, T("followup.no_alert")))
                unit = st.selectbox(T("followup.unit"), list(units), format_func=lambda u: units[u])
                task = st.text_area(T("followup.task"))
                due_on = st.date_input(T("followup.due"), value=today + timedelta(days=14))
                note = st.text_input(T("followup.note"))
                if st.form_submit_button(T("followup.submit"), type="primary"):
                    try:
                        item_id = followup.create_item(
                            db, actor=actor, role=role, task=task, due_on=due_on, alert_id=alert_id,
                            unit_level=unit[0], unit_code=unit[1], note=note, address=address)
                        st.success(T("followup.created", id=item_id))
                    except followup.FollowupError as error:
                        st.error(str(error))
                    except audit_trail.AuditError:
                        audit_trail.refuse(lang)
    items = followup.list_items(db, role, reference=today,
                                street=scope.effective_street if not own_street else None)
    if items.empty:
        st.info(T("followup.none"))
    else:
        item_table = followup_table(items, lang)
        st.dataframe(item_table, hide_index=True, width="stretch", key="followup_table")
        csv_download(item_table, "followups", place, lang, key="download-followups")
        labels = {int(i["id"]): f"#{i['id']} {i['unit_name']} · {i['task'][:30]}" for i in items.to_dict("records")}
        item_id = st.selectbox(T("followup.pick"), list(labels), format_func=labels.get, key="followup_pick")
        item = items[items["id"] == item_id].iloc[0]
        st.subheader(T("followup.history"))
        st.dataframe(history_table(followup.history(db, item_id, role), lang), hide_index=True, width="stretch")

        def act(action, **kwargs) -> None:
            try:
                action(db, item_id, actor=actor, role=role, address=address, **kwargs)
                st.success(T("followup.saved"))
                st.rerun()
            except followup.FollowupError as error:
                st.error(str(error))
            except audit_trail.AuditError:
                audit_trail.refuse(lang)

        if own_street and item["status"] == followup.OPEN:
            with st.form("followup_street"):
                note = st.text_area(T("followup.progress_note"))
                explanation = st.text_area(T("followup.explanation"))
                progress_col, done_col = st.columns(2)
                if progress_col.form_submit_button(T("followup.add_progress")):
                    act(followup.add_progress, note=note)
                if done_col.form_submit_button(T("followup.mark_done"), type="primary"):
                    act(followup.mark_done, explanation=explanation)
        elif role == DISTRICT_ROLE and item["status"] == followup.DONE:
            with st.form("followup_verify"):
                note = st.text_area(T("followup.verify_note"))
                verify_col, back_col = st.columns(2)
                if verify_col.form_submit_button(T("followup.verify"), type="primary"):
                    act(followup.verify, note=note)
                if back_col.form_submit_button(T("followup.send_back")):
                    act(followup.send_back, note=note)
        elif role == DISTRICT_ROLE and item["status"] == followup.OPEN:
            with st.form("followup_district_note"):
                note = st.text_area(T("followup.progress_note"))
                if st.form_submit_button(T("followup.add_progress")):
                    act(followup.add_progress, note=note)
        elif not own_street and role != DISTRICT_ROLE:
            st.caption(T("followup.read_only"))
