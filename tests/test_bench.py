"""The benchmark's pure parts: which empty page a page is timed against, and how page runs at two
scales take turns."""

import os
from pathlib import Path

from bench import run
from bench.browser_support import AppPage
from bench.browser_timing import baseline_of


def test_the_baseline_loads_the_same_front_end_libraries_as_the_page():
    base = "http://127.0.0.1:9999"
    assert baseline_of(base, False, False) == ("empty", "http://127.0.0.1:9999/")
    assert baseline_of(base, True, False) == ("empty+map", "http://127.0.0.1:9999/?map=1")
    assert baseline_of(base + "/", False, True) == ("empty+plotly", "http://127.0.0.1:9999/?plotly=1")
    assert baseline_of(base, True, True) == ("empty+map+plotly", "http://127.0.0.1:9999/?map=1&plotly=1")


def test_page_runs_take_turns_between_the_scales(monkeypatch):
    """seed, city, seed, city …: each run with its own folder and that folder's scope parameters."""
    calls = []

    def timed(script, params):
        calls.append((Path(os.environ["LONGGANG_DATA_DIR"]).name, script, params))
        return 0.010 * len(calls)  # seconds; later runs slower, as a machine that slows down

    monkeypatch.setattr(run, "app_pages", lambda: [AppPage("pages/a.py", "a")])
    monkeypatch.setattr(run, "scopes_of", lambda url: {"district": {}, "community": {"community": url.split("/")[-2]}})
    monkeypatch.setattr(run.data_work, "timed_page_run", timed)
    monkeypatch.setenv("LONGGANG_DATA_DIR", "/elsewhere")
    folders = {"seed": Path("/tmp/seed"), "city": Path("/tmp/city")}
    frames = run.measure_page_runs(folders, 3, lambda _message: None)
    assert [c[0] for c in calls] == ["seed", "city"] * 6
    assert {tuple(c[2].items()) for c in calls if c[0] == "city"} == {(), (("community", "city"),)}
    assert {tuple(c[2].items()) for c in calls if c[0] == "seed"} == {(), (("community", "seed"),)}
    seed, city = frames["seed"].set_index("scope"), frames["city"].set_index("scope")
    # district: seed ran 10, 30, 50 ms and city 20, 40, 60 ms
    assert seed.loc["district", "run_ms"] == 30 and city.loc["district", "run_ms"] == 40
    assert (seed.loc["district", "run_min"], seed.loc["district", "run_max"]) == (10, 50)
    assert list(city.index) == ["district", "community"]
