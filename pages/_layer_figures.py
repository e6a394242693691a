"""The layers page's cached data and figures: built once per setting, shared read-only.

Defined here, not in the page script: Streamlit runs a page's file again on every rerun, and
each ``@st.cache_*`` decorator met there hashes its function's source again (~8 ms each, ~50 ms
a run for the page's six). An imported module's decorators run once per server.

Built figures are shared read-only values (``st.cache_resource``: no unpickling per rerun). The
animated cube and the running statistics are the plain dicts the SVG frame player takes
(pages/_cube_view.py); the moments and the batch noise are HTML strings. No Plotly figure: the
browser never loads Plotly's chart module for this page. On a class server every rerun of this
page rebuilding (or even deep-copying) them starved the live lab sessions.
"""

from __future__ import annotations

import streamlit as st
import torch

from normviz import layer_studies as studies
from normviz import tensors
from normviz.figures import layers as fig
from normviz.figures.layers_cube_svg import cube_payload, cube_svg
from normviz.figures.layers_moments import moments_html
from normviz.figures.layers_noise_html import batch_noise_html
from normviz.figures.layers_running_svg import running_payload, running_svg

try:  # bundled photographs, when the samples module is there
    from normviz.samples import load_sample
except ImportError:  # pragma: no cover - depends on the repository state
    load_sample = None


@st.cache_resource(max_entries=32, show_spinner=False)
def batch(source: str, n: int, c: int, side: int, offsets: tuple[float, ...]) -> torch.Tensor:
    """The (N, C, H, W) batch the lesson shows; shared, never modified (no unpickling a run)."""
    if source == "synthetic":
        co, cs, so, ss = offsets
        return tensors.synthetic_batch(
            n, c, side, side, channel_offset=co, channel_scale=cs, sample_offset=so,
            sample_scale=ss, seed=0,
        )  # fmt: skip
    image = load_sample("coffee").pixels if load_sample else tensors.synthetic_image(192, 256)
    return tensors.crop_batch(image, n, c, side, seed=0)


@st.cache_resource(max_entries=64, show_spinner=False)
def cube(key: tuple, kind: str, groups: int | None, _x: torch.Tensor, layout: str = "nct"):
    """(animated cube's player payload, its alt text, its CubeInfo) of ``kind`` on ``key``."""
    info = studies.cube_info(_x, kind, groups, layout)
    view = cube_svg(info)
    return cube_payload(view), view.label, info


@st.cache_resource(max_entries=32, show_spinner=False)
def moments_figure(key: tuple, kind: str, groups: int | None, _x: torch.Tensor) -> str:
    """HTML heatmaps of the moments before and after on the batch ``key``, labelled by their
    alt text.

    Tables, not a Plotly figure: a browser mounted the four annotated Plotly heatmaps in ~400 ms
    on every switch to their tab, the tables in a few (normviz.figures.layers_moments)."""
    moments = studies.moments_study(_x, kind, groups)
    return moments_html(fig.moments_info(*moments), fig.moments_alt(*moments))


@st.cache_resource(max_entries=64, show_spinner=False)
def running(momentum: float, convention: str, batch_size: int):
    """(trace, the frame player's payload) of the running statistics of one stream.

    Drawn as SVG panels the player reveals batch by batch (pages/_cube_view.py): the Plotly
    animation cost the browser 0.5-1 s to draw again on every change of its controls."""
    trace = studies.running_study(momentum, convention, batch_size, seed=0)
    tau = studies.time_constant(momentum, convention)
    return trace, running_payload(running_svg(trace, *studies.POPULATION, tau=tau))


@st.cache_resource(max_entries=8, show_spinner=False)
def noise_figure(trials: int):
    """(BatchNoise, its chart as HTML, labelled by its alt text) for ``trials`` draws per batch
    size: a Plotly chart cost the browser its 4.7 MB module and a draw on every change."""
    noise = studies.noise_study(trials)
    return noise, batch_noise_html(noise, alt=fig.batch_noise_alt(noise))
