"""normviz.image_links.values_on_screen: the page's widget states -> the values its URL writes."""

from __future__ import annotations

from normviz.image_links import IMAGE_LINKS, values_on_screen


def test_no_state_gives_the_defaults_and_an_empty_query():
    values = values_on_screen({}, False, {})
    assert values == IMAGE_LINKS.defaults()
    assert IMAGE_LINKS.to_query(values) == {}


def test_state_is_read_by_widget_key_and_round_trips_through_the_url():
    state = {
        "img_sample": "rocket", "img_technique": "clip", "img_param_clip_mode": "percentiles",
        "img_param_q": [2.0, 97.5], "img_param_clip_per_channel": True, "img_log_counts": True,
        "img_param_tiles": 4,  # another technique's: not written
    }  # fmt: skip
    values = values_on_screen(state, False, {})
    assert values["q"] == (2.0, 97.5) and values["per_channel"] is True
    assert "tiles" not in values
    query = IMAGE_LINKS.to_query(values)
    # rocket opens with clip: the technique is its default and is left out
    assert query == {"sample": "rocket", "q": "2.0,97.5", "per_channel": "on", "log_counts": "on"}
    assert IMAGE_LINKS.parse(query) == (values, [])


def test_a_value_equal_to_the_image_default_is_written_as_the_default():
    state = {"img_technique": "clip", "img_param_clip_mode": "manual",
             "img_param_low": 0.0, "img_param_high": 200.0}  # fmt: skip
    values = values_on_screen(state, True, {"low": 0.0, "high": 255.0})
    assert values["source"] == "upload" and "sample" not in values
    assert values["low"] is None and values["high"] == 200.0
    assert IMAGE_LINKS.to_query(values) == {
        "source": "upload",
        "technique": "clip",
        "bounds": "manual",
        "high": "200.0",
    }
