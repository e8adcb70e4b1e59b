"""Entry point: page config, the shared scope sidebar, navigation. Nothing else."""

import streamlit as st

from components.guard import run_page, show_error
from components.i18n import text
from components.login import established_role, login_pages, may_import
from components.responsive import inject_layout_css
from components.scope_sidebar import current_language, render_alert_badge, render_scope_sidebar, show_scope_notice

st.set_page_config(page_title="龙岗区基层社会治理看板", page_icon="🏘️", layout="wide")
inject_layout_css()  # phones and tablets: tiles wrap, nothing widens the page


def dashboard_pages(lang: str, with_data_page: bool) -> list[st.Page]:
    """Every page of the dashboard in the reader's language; the data page is the district office's only.

    A url_path must differ from its file's name: when a session's first request names a page,
    Streamlit first looks in pages/ as in its older multipage mode, and a file whose name
    matches the path would run alone (each page then refuses: components/guard.py).
    """
    pages = [
        st.Page("pages/overview_page.py", title=text("nav.overview", lang), icon=":material/dashboard:",
                default=True, url_path="overview"),
        st.Page("pages/map_page.py", title=text("nav.map", lang), icon=":material/map:", url_path="map"),
        st.Page("pages/projects_page.py", title=text("nav.projects", lang), icon=":material/task:",
                url_path="projects"),
        st.Page("pages/requests_page.py", title=text("nav.requests", lang), icon=":material/support_agent:",
                url_path="requests"),
        st.Page("pages/bulletin_page.py", title=text("nav.bulletin", lang), icon=":material/campaign:",
                url_path="bulletin"),
        st.Page("pages/alerts_page.py", title=text("nav.alerts", lang), icon=":material/notifications_active:",
                url_path="alerts"),
        st.Page("pages/resources_page.py", title=text("nav.resources", lang), icon=":material/hub:",
                url_path="resources"),
        st.Page("pages/scorecards_page.py", title=text("nav.scorecards", lang), icon=":material/leaderboard:",
                url_path="scorecards"),
        st.Page("pages/participation_page.py", title=text("nav.participation", lang), icon=":material/groups:",
                url_path="participation"),
        st.Page("pages/show_page.py", title=text("nav.show", lang), icon=":material/slideshow:", url_path="show"),
    ]
    if with_data_page:
        pages.append(st.Page("pages/data_page.py", title=text("nav.data", lang), icon=":material/upload_file:",
                             url_path="data"))
        pages.append(st.Page("pages/audit_page.py", title=text("nav.audit", lang), icon=":material/policy:",
                             url_path="audit"))
    return pages


if established_role() is None:
    # Nobody logged in (a users file exists): the login form is the navigation's only page, at every
    # page's address, so a shared link opens its page once the reader has logged in. st.navigation
    # runs on every run, so Streamlit never returns to serving the files of pages/ on their own.
    addresses = [page.url_path for page in dashboard_pages(current_language(), with_data_page=True)]
    run_page(st.navigation(login_pages(addresses), position="hidden"))
    st.stop()

try:
    render_scope_sidebar()
except Exception as error:  # the database is missing, damaged or unreachable
    show_error(error)
    st.stop()

pages = dashboard_pages(current_language(), with_data_page=may_import())
page = st.navigation(pages)
render_alert_badge(next((p for p in pages if p.url_path == "alerts"), None))
show_scope_notice()
run_page(page)  # an error inside a page: a message and a retry, never a traceback
