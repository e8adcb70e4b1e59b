"""Entry point: page config, the shared scope sidebar, navigation. Nothing else."""

import streamlit as st

from components import data
from components.i18n import text
from components.scope_sidebar import current_language, render_scope_sidebar, show_scope_notice

st.set_page_config(page_title="龙岗区基层社会治理看板", page_icon="🏘️", layout="wide")

try:
    render_scope_sidebar()
except Exception as error:  # the database is missing, damaged or unreachable
    st.error(text("error.database", current_language(), detail=type(error).__name__))
    if st.button(text("error.retry", current_language())):
        data.reset()
        st.rerun()
    st.stop()

lang = current_language()
# A url_path must differ from its file's name: when a session's first request names a page,
# Streamlit first looks in pages/ as in its older multipage mode, and a file whose name
# matches the path would run alone, without this entry point and its sidebar.
pages = [
    st.Page("pages/overview_page.py", title=text("nav.overview", lang), icon=":material/dashboard:", default=True,
            url_path="overview"),
]
page = st.navigation(pages)
show_scope_notice()
page.run()
