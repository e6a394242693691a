"""The server warms its process before serving: the lessons' imports and costly first uses."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from normviz.serving.warm import WARM_ROOTS, page_imports, warm_imports

ROOT = Path(__file__).resolve().parents[2]


def _in_new_process(code: str) -> dict:
    """Run ``code`` in a new Python process at the project's root; return the JSON object its
    last printed line holds."""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180,
        check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


PAGES = sorted((ROOT / "pages").glob("*.py"))


def test_page_imports_are_the_lessons_heavy_modules():
    found = page_imports(PAGES)
    # What the lessons import at their top or inside functions (samples: inside a try).
    for name in ("torch", "normviz.training", "normviz.figures.layers_cube_svg", "normviz.samples"):
        assert name in found
    assert all(name.split(".")[0] in WARM_ROOTS for name in found)
    assert not any(name.startswith(("streamlit", "pages")) for name in found)


def test_warm_imports_skips_names_that_are_no_module_and_raises_for_missing_ones():
    assert warm_imports(["normviz", "normviz.not_a_module"]) == ["normviz"]
    with pytest.raises(ModuleNotFoundError):
        warm_imports(["no_such_package_here.sub"])


def test_serve_warms_every_page_import_and_the_optimizers_before_serving():
    code = textwrap.dedent("""
        import json, sys
        import serve
        from normviz.serving.warm import page_imports
        names = page_imports(sorted(serve.HERE.joinpath("pages").glob("*.py")))
        def loaded(name):  # a module imported, or a name its imported parent defines
            parent, _, attr = name.rpartition(".")
            return name in sys.modules or hasattr(sys.modules.get(parent), attr)
        missing = [n for n in names if not loaded(n)]
        print(json.dumps({"missing": missing, "dynamo": "torch._dynamo" in sys.modules,
                          "pandas": "pandas" in sys.modules, "steps": sorted(serve.WARMED)}))
    """)
    result = _in_new_process(code)
    assert result["missing"] == []
    assert result["dynamo"]  # the first optimizer imported torch._dynamo before any visitor
    assert result["pandas"]  # what a custom component's first mount would import (below)
    # No lesson draws Plotly: not warmed.
    assert result["steps"] == ["first views", "image sample", "imports", "optimizers"]


def test_the_layers_first_view_at_its_defaults_draws_no_cube_tile_on_a_warmed_server():
    """The five cube tiles (~0.4 s of a fresh server's first /layers run) are drawn before the
    server serves: the page's first run at its defaults finds them built (one miss: the
    warm-up's)."""
    code = textwrap.dedent("""
        import json
        import serve
        from streamlit.testing.v1 import AppTest
        from normviz.figures.layers_cube_row import row_tiles
        warmed = row_tiles.cache_info()
        at = AppTest.from_file("app.py", default_timeout=60)
        at.switch_page("pages/layers.py")
        at.run()
        after = row_tiles.cache_info()
        print(json.dumps({"warmed": [warmed.hits, warmed.misses],
                          "after": [after.hits, after.misses],
                          "images": len(at.get("image")), "error": bool(at.exception)}))
    """)
    result = _in_new_process(code)
    assert result["warmed"] == [0, 1] and not result["error"]
    assert result["after"] == [1, 1]  # the page asked for the row once, and it was there
    assert result["images"] == 5  # the row drawn: five tiles


def test_the_images_first_view_at_its_defaults_computes_nothing_on_a_warmed_server():
    """The default sample's decoding, statistics, grid and grid block (~0.25 s of a fresh
    server's first /images run) are made before the server serves: the page's first run at its
    defaults prepares no image and builds no grid tile, and its grid links its pictures (the
    block was built with the media route in place, not with inlined pictures)."""
    code = textwrap.dedent("""
        import json
        import serve
        from streamlit.testing.v1 import AppTest
        from normviz import image_view
        calls = {"prepare_image": 0, "grid_tile": 0}
        def counted(name):
            real = getattr(image_view, name)
            def count(*args, **kwargs):
                calls[name] += 1
                return real(*args, **kwargs)
            setattr(image_view, name, count)
        for name in calls:
            counted(name)
        at = AppTest.from_file("app.py", default_timeout=60)
        at.switch_page("pages/images.py")
        at.run()
        grid = next(h.proto.body for h in at.get("html") if 'class="nv-grid"' in h.proto.body)
        print(json.dumps({"calls": calls, "error": bool(at.exception),
                          "linked": grid.count("/_nv/media/"),
                          "inlined": grid.count("data:image")}))
    """)
    result = _in_new_process(code)
    assert not result["error"]
    assert result["calls"] == {"prepare_image": 0, "grid_tile": 0}
    assert result["linked"] > 0 and result["inlined"] == 0


def test_a_custom_components_first_mount_imports_pandas():
    """Why pandas is warmed: Streamlit looks for data frames in a v2 component's data."""
    code = textwrap.dedent("""
        import sys
        from streamlit.components.v2.bidi_component.serialization import serialize_mixed_data
        from streamlit.proto.BidiComponent_pb2 import BidiComponent
        before = "pandas" in sys.modules
        serialize_mixed_data({"frames": [1, 2]}, BidiComponent())  # as the cube's data
        print(before, "pandas" in sys.modules)
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        check=True,
    )  # fmt: skip
    assert out.stdout.split() == ["False", "True"]
