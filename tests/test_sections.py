"""Lazy sections and expanders (components/sections.py): only what is open runs."""

from streamlit.testing.v1 import AppTest


def _sections_app() -> None:
    import streamlit as st

    from components.sections import render_sections

    ran = []
    render_sections("participation", {"monthly": lambda: ran.append("monthly"),
                                      "party": lambda: ran.append("party")}, "zh")
    st.write(",".join(ran))


def _expander_app() -> None:
    import streamlit as st

    from components.sections import lazy_expander

    expanded = st.query_params.get("open") == "1"
    lazy_expander("明细", "detail", lambda: st.dataframe({"a": [1, 2]}), expanded=expanded)
    st.write("after")


def test_only_the_open_section_runs_and_the_link_chooses_it():
    at = AppTest.from_function(_sections_app).run()
    assert [m.value for m in at.markdown] == ["monthly"]
    assert "section" not in at.query_params  # the first section leaves the link clean

    at = AppTest.from_function(_sections_app)
    at.query_params["section"] = "party"
    at.run()
    assert [m.value for m in at.markdown] == ["party"]

    at = AppTest.from_function(_sections_app)
    at.query_params["section"] = "nonsense"
    at.run()
    assert [m.value for m in at.markdown] == ["monthly"]


def test_a_collapsed_lazy_expander_draws_nothing_inside():
    at = AppTest.from_function(_expander_app).run()
    assert not at.exception
    assert len(at.expander) == 1 and not at.dataframe
    assert at.markdown[-1].value == "after"

    at = AppTest.from_function(_expander_app)
    at.query_params["open"] = "1"
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1
