"""演示模式 playlists: the TOML format and its messages, where shows are stored, and slide sequencing."""

from __future__ import annotations

from datetime import date

import pytest

from components import playlist
from components.playlist import Geography, Playback, PlaylistError
from data_access import geography

BUJI, PINGHU = "440307014", "440307003"
LONGLING = "440307014003"
GEO = Geography(frozenset({BUJI, PINGHU}), {LONGLING: BUJI, "440307003002": PINGHU}, date(2021, 1, 1),
                date(2023, 10, 31))


def show_text(*slides: str, head: str = 'title = "测试演示"') -> str:
    return head + "\n" + "\n".join(f"[[slide]]\n{body}\n" for body in slides)


GOOD = 'panel = "overview"\ntitle = "总览"\nduration_s = 15'


def error_of(source: str, geo: Geography | None = GEO) -> PlaylistError:
    with pytest.raises(PlaylistError) as caught:
        playlist.parse_show(source, "t", geo)
    return caught.value


# --- the format ----------------------------------------------------------------------------------------------


def test_the_default_show_is_valid_and_tells_the_whole_district_story(db):
    start, reference = geography.data_range(db)
    geo = Geography.from_frames(geography.streets(db), geography.communities(db), start, reference)
    show = playlist.load_show("default", geo)
    assert show.name == "default" and len(show.slides) >= 6
    assert set(playlist.PANELS) <= {s.panel for s in show.slides}
    assert all(s.title and s.title_en and s.duration_s >= playlist.MIN_DURATION_S for s in show.slides)
    assert any(s.community == LONGLING and s.street == BUJI for s in show.slides)  # the street follows the community
    assert all(s.measure in playlist.MAP_MEASURES for s in show.slides if s.panel == "map")
    assert show.heading("en") != show.heading("zh")


def test_a_valid_slide_keeps_its_scope_and_defaults():
    source = show_text(GOOD, 'panel = "map"\ntitle = "地图"\ntitle_en = "Map"\nduration_s = 30\n'
                             f'street = "{BUJI}"\nperiod = "2023Q3"\nmeasure = "median_days"')
    show = playlist.parse_show(source, "t", GEO)
    first, second = show.slides
    assert (first.panel, first.period, first.street, first.measure) == ("overview", "all", None, None)
    assert (second.street, second.period, second.measure, second.duration_s) == (BUJI, "2023-Q3", "median_days", 30)
    assert second.heading("en") == "Map" and first.heading("en") == "总览"  # no English title: the Chinese one
    assert show.durations == [15, 30]


def test_a_map_slide_without_a_measure_gets_the_default_one():
    show = playlist.parse_show(show_text('panel = "map"\ntitle = "地图"\nduration_s = 10'), "t", GEO)
    assert show.slides[0].measure == playlist.DEFAULT_MAP_MEASURE


def test_an_unknown_panel_is_named_with_its_slide():
    error = error_of(show_text(GOOD, 'panel = "maps"\ntitle = "各街道"\nduration_s = 10'))
    message = error.message("zh")
    assert "第 2 张幻灯片（各街道）" in message and "maps" in message and "panel" in message
    assert "Slide 2 (各街道): unknown panel “maps”" in error.message("en")
    assert "overview, map, projects" in error.message("en")


@pytest.mark.parametrize("duration", ["0", "-5", '"20"', "1000000000", "2.5", "true", "601", "nan"])
def test_a_bad_duration_is_named_with_its_slide(duration):
    error = error_of(show_text(GOOD, f'panel = "requests"\ntitle = "诉求"\nduration_s = {duration}'))
    assert len(error.issues) == 1
    message = error.message("zh")
    assert message.startswith("第 2 张幻灯片（诉求）") and "duration_s" in message and "5 到 600" in message


def test_a_missing_duration_or_title_is_named():
    error = error_of(show_text('panel = "overview"\ntitle = "总览"', 'panel = "overview"\nduration_s = 10'))
    first, second = error.message("zh").splitlines()
    assert first.startswith("第 1 张幻灯片（总览）") and "duration_s" in first
    assert second.startswith("第 2 张幻灯片（无标题）") and "title" in second
    assert "Slide 2 (untitled)" in error.message("en")


@pytest.mark.parametrize(("fields", "expected"), [
    ('street = "440307999"', "街道代码（street）「440307999」不存在"),
    ('community = "440307014999"', "社区代码（community）「440307014999」不存在"),
    (f'street = "{PINGHU}"\ncommunity = "{LONGLING}"', f"社区「{LONGLING}」不属于街道「{PINGHU}」"),
    ("street = 440307014", "street 须为加引号的代码文字"),
])
def test_a_scope_that_does_not_exist_is_named(fields, expected):
    error = error_of(show_text(f'panel = "overview"\ntitle = "范围"\nduration_s = 10\n{fields}'))
    assert error.message("zh").startswith("第 1 张幻灯片（范围）")
    assert expected in error.message("zh")


@pytest.mark.parametrize("period", ['"2030"', '"2020"', '"2023-Q5"', '"2023Q4x"', '"last year"', "2023", '"2023-Q4"'])
def test_a_bad_period_is_named(period):
    # the data ends 2023-10-31, inside 2023-Q4: that quarter exists; 2030, 2020 and the rest do not
    source = show_text(f'panel = "overview"\ntitle = "时段"\nduration_s = 10\nperiod = {period}')
    if period == '"2023-Q4"':
        assert playlist.parse_show(source, "t", GEO).slides[0].period == "2023-Q4"
        return
    message = error_of(source).message("zh")
    assert message.startswith("第 1 张幻灯片（时段）") and "period" in message


@pytest.mark.parametrize("period", ['"2023-10"', '"2021-01"', '"all"', '"2023"', '"2022-Q2"'])
def test_a_bulletin_slide_takes_a_month_or_a_period(period):
    source = show_text(f'panel = "bulletin"\ntitle = "通报"\nduration_s = 20\nperiod = {period}')
    slide = playlist.parse_show(source, "t", GEO).slides[0]
    assert (slide.panel, slide.period, slide.measure) == ("bulletin", period.strip('"'), None)


@pytest.mark.parametrize("period", ['"2023-11"', '"2020-12"', '"2023-W42"', '"2023-13"', '"2030"'])
def test_a_bulletin_slide_outside_the_data_is_named(period):
    source = show_text(f'panel = "bulletin"\ntitle = "通报"\nduration_s = 20\nperiod = {period}')
    message = error_of(source).message("zh")
    assert message.startswith("第 1 张幻灯片（通报）") and "通报面板" in message and "2023-10" in message
    assert "bulletin panel" in error_of(source).message("en")


def test_only_the_bulletin_takes_a_month():
    message = error_of(show_text('panel = "requests"\ntitle = "诉求"\nduration_s = 20\nperiod = "2023-10"'))
    assert "季度" in message.message("zh") and "通报面板" not in message.message("zh")


def test_a_bad_measure_or_a_measure_off_the_map_is_named():
    error = error_of(show_text('panel = "map"\ntitle = "地图"\nduration_s = 10\nmeasure = "crime"',
                               'panel = "projects"\ntitle = "项目"\nduration_s = 10\nmeasure = "projects"'))
    first, second = error.message("zh").splitlines()
    assert first.startswith("第 1 张幻灯片（地图）") and "crime" in first and "requests_per_1000" in first
    assert second.startswith("第 2 张幻灯片（项目）") and "只有地图面板" in second


def test_an_unknown_field_is_named_so_typos_do_not_pass_silently():
    message = error_of(show_text(GOOD + "\ndurations = 10")).message("zh")
    assert "第 1 张幻灯片（总览）" in message and "durations" in message


@pytest.mark.parametrize("source", ['title = "空"', 'title = "空"\nslide = []', ""])
def test_an_empty_playlist_is_refused(source):
    error = error_of(source)
    assert "没有幻灯片" in error.message("zh") and "no slides" in error.message("en")


def test_a_toml_syntax_error_is_reported():
    assert "TOML" in error_of('[[slide]]\npanel = "overview\n').message("zh")


def test_every_problem_of_every_slide_is_reported_at_once():
    error = error_of(show_text('panel = "x"\ntitle = "一"\nduration_s = 0', GOOD,
                               'panel = "overview"\ntitle = "三"\nduration_s = 10\nperiod = "1999"'))
    assert [issue.slide for issue in error.issues] == [1, 1, 3]
    assert "第 1 张幻灯片（一）" in str(error) and "Slide 3 (三)" in str(error)  # both languages in the exception


def test_without_geography_the_form_alone_is_checked():
    show = playlist.parse_show(show_text(GOOD + '\nstreet = "440307999"\nperiod = "2023"'), "t", None)
    assert show.slides[0].street == "440307999"


# --- storage -------------------------------------------------------------------------------------------------


def test_save_writes_atomically_and_lists_the_show(tmp_path):
    source = show_text(GOOD)
    saved = playlist.save_show("team-a", source, GEO, data_dir=tmp_path)
    path = tmp_path / "shows" / "team-a.toml"
    assert saved.name == "team-a" and path.read_text(encoding="utf-8") == source
    assert playlist.show_names(tmp_path) == ["default", "team-a"]
    assert playlist.load_show("team-a", GEO, data_dir=tmp_path).slides == saved.slides
    assert not [p for p in (tmp_path / "shows").iterdir() if p.suffix == ".tmp"]


def test_an_invalid_edit_keeps_the_stored_file(tmp_path):
    source = show_text(GOOD)
    playlist.save_show("team-a", source, GEO, data_dir=tmp_path)
    with pytest.raises(PlaylistError):
        playlist.save_show("team-a", show_text('panel = "nope"\ntitle = "坏"\nduration_s = 10'), GEO, data_dir=tmp_path)
    assert (tmp_path / "shows" / "team-a.toml").read_text(encoding="utf-8") == source
    assert sorted(p.name for p in (tmp_path / "shows").iterdir()) == ["team-a.toml"]


def test_the_default_show_is_never_overwritten(tmp_path):
    before = playlist.DEFAULT_SHOW_PATH.read_bytes()
    with pytest.raises(PlaylistError) as caught:
        playlist.save_show("default", show_text(GOOD), GEO, data_dir=tmp_path)
    assert "默认演示" in caught.value.message("zh")
    assert playlist.DEFAULT_SHOW_PATH.read_bytes() == before and not (tmp_path / "shows").exists()


@pytest.mark.parametrize("name", ["", "../etc", "Team", "a/b", "x" * 41, "-lead", "中文"])
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(PlaylistError) as caught:
        playlist.save_show(name, show_text(GOOD), GEO, data_dir=tmp_path)
    assert "名称" in caught.value.message("zh")
    assert playlist.show_path(name, tmp_path) is None


def test_unknown_and_malformed_names_load_nothing(tmp_path):
    assert playlist.load_show("nobody", GEO, data_dir=tmp_path) is None
    assert playlist.load_show("../config/shows/default", GEO, data_dir=tmp_path) is None


# --- sequencing ----------------------------------------------------------------------------------------------

DURATIONS = [10, 20, 5]


def test_slides_advance_at_their_own_interval_and_wrap():
    pb = playlist.start(100.0)
    assert playlist.tick(pb, DURATIONS, 109.9).index == 0
    pb = playlist.tick(pb, DURATIONS, 110.0)
    assert (pb.index, pb.started) == (1, 110.0)
    pb = playlist.tick(pb, DURATIONS, 131.0)  # 20 s later: slide 3, which began at 130
    assert (pb.index, pb.started) == (2, 130.0)
    assert playlist.remaining(pb, DURATIONS, 131.0) == 4.0
    pb = playlist.tick(pb, DURATIONS, 135.0)
    assert (pb.index, pb.started) == (0, 135.0)  # wrapped round to the first slide


def test_a_late_tick_catches_up_without_drift():
    pb = playlist.tick(playlist.start(0.0), DURATIONS, 31.0)  # 10 + 20 passed: the third slide since 30
    assert (pb.index, pb.started) == (2, 30.0)


def test_a_show_asleep_for_more_than_a_round_moves_on_by_one():
    pb = playlist.tick(playlist.start(0.0), DURATIONS, 1000.0)
    assert (pb.index, pb.started) == (1, 1000.0)


def test_pause_freezes_the_slide_and_resume_keeps_the_time_left():
    pb = playlist.toggle_pause(playlist.start(0.0), 4.0)
    assert pb.paused and playlist.tick(pb, DURATIONS, 500.0) == pb
    assert playlist.remaining(pb, DURATIONS, 500.0) == 6.0
    pb = playlist.toggle_pause(pb, 500.0)
    assert not pb.paused and playlist.remaining(pb, DURATIONS, 500.0) == 6.0
    assert playlist.tick(pb, DURATIONS, 505.9).index == 0 and playlist.tick(pb, DURATIONS, 506.0).index == 1


def test_back_and_forward_wrap_and_give_the_slide_its_full_time():
    pb = playlist.go(playlist.start(0.0), 3, -1, 7.0)
    assert (pb.index, pb.started, pb.paused) == (2, 7.0, False)
    pb = playlist.go(pb, 3, +1, 8.0)
    assert (pb.index, playlist.remaining(pb, DURATIONS, 8.0)) == (0, 10.0)
    paused = playlist.go(playlist.toggle_pause(pb, 9.0), 3, +1, 12.0)
    assert paused.index == 1 and paused.paused and playlist.remaining(paused, DURATIONS, 99.0) == 20.0


def test_a_restarted_slide_gets_its_full_time_and_stays_paused():
    pb = playlist.restarted(Playback(index=1, started=0.0), 50.0)
    assert (pb.index, playlist.remaining(pb, DURATIONS, 50.0)) == (1, 20.0)
    paused = playlist.restarted(Playback(index=1, started=0.0, paused_at=3.0), 50.0)
    assert paused.paused and playlist.remaining(paused, DURATIONS, 90.0) == 20.0


def test_start_wraps_a_start_slide_and_step_handles_ends():
    assert playlist.start(0.0, 5, 3) == Playback(index=2, started=0.0)
    assert [playlist.step(i, 3, 1) for i in range(3)] == [1, 2, 0]
    assert playlist.step(0, 0, 1) == 0


def test_a_rehearsal_override_sets_every_duration():
    assert playlist.override_durations(DURATIONS, 3) == [3, 3, 3]
    assert playlist.override_durations(DURATIONS, None) == DURATIONS
    assert [playlist.parse_seconds(v) for v in ("5", " 7 ", "2", "1", "0", "-3", "abc", "601", "", None)] == \
        [5, 7, 2, None, None, None, None, None, None, None]


def test_the_followups_panel_takes_a_scope_but_no_period_or_measure():
    show = playlist.parse_show(show_text('panel = "followups"\ntitle = "督办"\nduration_s = 20\nstreet = "440307014"'),
                               "t", GEO)
    assert show.slides[0].panel == "followups" and show.slides[0].street == BUJI and show.slides[0].period == "all"
    assert playlist.parse_show(show_text('panel = "followups"\ntitle = "督办"\nduration_s = 20\nperiod = "all"'),
                               "t", GEO).slides[0].period == "all"
    error = error_of(show_text(GOOD, 'panel = "followups"\ntitle = "督办"\nduration_s = 20\nperiod = "2023"\n'
                                     'measure = "composite"'))
    zh = error.message("zh")
    assert "第 2 张幻灯片（督办）" in zh and "督办事项面板不按时段筛选" in zh and "「2023」" in zh
    assert "measure" in zh and len(error.issues) == 2
    assert "the follow-up panel is not filtered by period" in error.message("en")
