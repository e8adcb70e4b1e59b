"""The benchmark's pure parts: which empty page a page is timed against."""

from bench.browser_timing import baseline_of


def test_the_baseline_loads_the_same_front_end_libraries_as_the_page():
    base = "http://127.0.0.1:9999"
    assert baseline_of(base, False, False) == ("empty", "http://127.0.0.1:9999/")
    assert baseline_of(base, True, False) == ("empty+map", "http://127.0.0.1:9999/?map=1")
    assert baseline_of(base + "/", False, True) == ("empty+plotly", "http://127.0.0.1:9999/?plotly=1")
    assert baseline_of(base, True, True) == ("empty+map+plotly", "http://127.0.0.1:9999/?map=1&plotly=1")
