"""Normalization layers: which elements BatchNorm, LayerNorm, InstanceNorm, GroupNorm, RMSNorm pool.

Every sentence that states a number or a behaviour comes from normviz.layer_text or
normviz.layer_captions, built from the records that computed it; the kinds, their formulas and
their parameters' ranges come from the table normviz.layer_kinds.LAYER_KINDS (through
normviz.layer_links for the widgets). This page only holds widgets, caching and layout.
"""

from __future__ import annotations

import streamlit as st

from normviz import layer_captions as captions
from normviz import layer_studies as studies
from normviz import layer_text as text
from normviz import layers, tensors
from normviz.figures.layers_cube_row import row_tiles
from normviz.layer_kinds import formulas, groups_for
from normviz.layer_links import CONVENTIONS, SOURCES, TABS
from pages import _layer_links as links
from pages._code_view import code_view
from pages._cube_view import cube_view
from pages._held import begin, held
from pages._layer_figures import batch, cube, load_sample, moments_figure, noise_figure
from pages._layer_figures import running as running_figure
from pages._router import ensure_router
from pages._warm_widgets import warm_widgets

ensure_router()

TILE_WIDTH = 150  # px: a small cube and its title ("InstanceNorm" in bold needs ~105 px)
OFFSETS = ("ch_offset", "ch_scale", "s_offset", "s_scale")
NAMES = layers.KIND_NAMES
FULL_RUN = "lay_full_run"  # set by the whole page's run, read by the lesson's fragment


st.title("Normalization layers")
st.markdown(text.intro_text())
links.init_from_url()
notes_slot = st.empty()  # messages about the link, filled once the view is known
on = {"on_change": links.changed}
values: dict = {}


def _seed(name: str):
    """The table's Param for ``name`` under the values read so far; its widget holds a value."""
    return links.seed(name, values)


def _read(p, value):
    """Note the value a widget returned (later parameters may depend on it) and return it."""
    values[p.name] = value
    return value


with st.container(border=True):
    # Two rows: in one row of five, the data choice and the layer's name were cut off on a
    # 1280x720 screen at 150 %. Filled in reading-dependency order (the layer's choices may
    # depend on the sizes), placed data + layer first, then the sizes.
    first, sizes = st.columns([1.5, 1.3]), st.columns(3)
    top = [first[0], *sizes, first[1]]
    p = _seed("source")
    source = _read(p, top[0].segmented_control(
        p.label, p.choices, format_func=SOURCES.get, key=p.key, required=True, **on,
        **held(p.key, name="default"),
    ) or p.default)  # fmt: skip
    p = _seed("n")
    n = _read(p, top[1].slider(p.label, p.lo, p.hi, step=p.step, key=p.key, **on, **held(p.key)))
    p = _seed("c")
    c = _read(p, top[2].select_slider(p.label, p.choices, key=p.key, **on, **held(p.key)))
    p = _seed("side")
    side = _read(p, top[3].slider(p.label, p.lo, p.hi, step=p.step, key=p.key, **on, **held(p.key)))
    p = _seed("kind")
    kind = _read(p, top[4].selectbox(
        p.label, p.choices, format_func=NAMES.get, key=p.key, **on, **held(p.key, p.choices)
    ))  # fmt: skip
    offsets = (0.0, 0.0, 0.0, 0.0)
    if source == "synthetic":
        knobs = st.columns(4)
        offsets = tuple(
            _read(p, knob.slider(p.label, p.lo, p.hi, step=p.step, key=p.key, **on, **held(p.key)))
            for knob, p in zip(knobs, [_seed(name) for name in OFFSETS], strict=True)
        )
    else:
        st.caption(captions.source_caption(n, side, photo=load_sample is not None))
    st.button(
        "Reset to defaults", key="lay_reset", on_click=links.reset, icon=":material/restart_alt:",
        help="Every setting of this lesson back to its default; the address loses its settings.",
    )  # fmt: skip
x = batch(source, n, c, side, offsets)


@st.fragment
def lesson(x, key: tuple, kind: str, n: int, c: int, side: int) -> None:
    """The tabs: a tab switch or a control in the open tab reruns only this part.

    A rerun of the fragment alone reuses the arguments of the last full run (the batch and the
    settings above it, which only a full run changes). Only the open tab's body runs (the
    others keep their headers): a browser then mounts only the charts the reader looks at.
    """
    if not st.session_state.pop(FULL_RUN, False):
        begin()  # a run of this part alone: its own record of widget state written (_held)
    p = _seed("tab")
    # st.tabs sends the open tab's index in every run: it needs no held().
    tabs = st.tabs(list(TABS.values()), key=p.key, on_change=links.changed)
    p = _seed("groups")
    if tabs[2].open:  # the groups slider lives on the GroupNorm tab; the other tabs use its value
        with tabs[2]:
            groups = _read(p, st.select_slider(p.label, p.choices, key=p.key, **on, **held(p.key)))
    else:
        groups = _read(p, st.session_state[p.key])
    g_kind = groups_for(kind, groups)
    behaviour = studies.set_behaviour(x.shape, kind, g_kind)
    degenerate = text.degenerate_text(behaviour)

    if tabs[0].open:  # only the open tab runs and draws
        with tabs[0]:
            left, right = st.columns([3, 2])
            with left:
                # An SVG and its own player: Plotly's chart module is not loaded for it.
                view, _, info = cube(key, kind, g_kind, x)
                cube_view(view, key="lay_cube_chart")
            with right:
                st.markdown(f"#### {NAMES[kind]}")
                for formula in formulas(kind):
                    st.latex(formula)
                st.markdown(text.cube_text(info, behaviour))
                if degenerate:
                    st.warning(degenerate)
                st.info(text.layer_note(kind, g_kind))  # about the chosen layer
            # Five tiles of one width in a row that wraps: five columns were 75 px wide beside the
            # sidebar, and broke "InstanceNorm" mid-word. A tile keeps room for its title.
            with st.container(horizontal=True, key="lay_tiles_row"):
                for i, (title, picture, alt) in enumerate(row_tiles(tuple(x.shape), groups)):
                    with st.container(key=f"lay_cube_tile{i}", width=TILE_WIDTH):
                        st.markdown(title)
                        # PNG as it is: "auto" re-encoded every tile as a JPEG on every run.
                        st.image(picture, alt=alt, width="stretch", output_format="PNG")
            st.caption(
                "After Figure 2 of Wu & He, *Group Normalization* (ECCV 2018): shaded, the "
                "elements that share one mean and variance (RMSNorm: one mean square); axes as in "
                "the cube above."
            )

    if tabs[1].open:  # only the open tab runs and draws
        with tabs[1]:
            st.html(moments_figure(key, kind, g_kind, x))  # tables, labelled by the alt text
            st.markdown(text.after_text(studies.after_moments(x, kind, g_kind), c // groups))
            if degenerate:
                st.warning(degenerate)

    if tabs[2].open:  # only the open tab runs and draws
        with tabs[2]:
            check = studies.groupnorm_check(x)
            metrics = captions.groupnorm_metrics(check)
            for col, metric in zip(st.columns(len(metrics)), metrics, strict=True):
                col.metric(metric.label, metric.value)
            st.markdown(text.groupnorm_text(check))
            st.warning(captions.GROUPNORM_MISCONCEPTION)
            cube_view(cube(key, "group", groups, x)[0], key="lay_gn_chart")

    if tabs[3].open:  # only the open tab runs and draws
        with tabs[3]:
            emb = tensors.synthetic_tokens(2, 1, 256, seed=0).reshape(2, 256)
            st.markdown(captions.embedding_text(emb))
            p = _seed("tokens")
            tok_kind = _read(p, st.segmented_control(
                p.label, p.choices, format_func=NAMES.get, key=p.key, required=True, **on,
                **held(p.key, name="default"),
            ) or p.default)  # fmt: skip
            tokens = tensors.synthetic_tokens(2, 6, 8, seed=0)
            st.latex(captions.token_sets_tex())
            cube_view(cube(("tokens",), tok_kind, None, tokens, "ntd")[0], key="lay_tok_chart")
            st.markdown(text.padding_text(studies.padding_effect(tokens, 3), tokens.shape[0]))
            st.markdown(text.WHY_LAYERNORM)

    if tabs[4].open:  # only the open tab runs and draws
        with tabs[4]:
            cols = st.columns([1, 1.4, 1, 1])
            p = _seed("convention")
            conv = _read(p, cols[0].radio(
                p.label, p.choices, format_func=CONVENTIONS.get, key=p.key, horizontal=True, **on,
                **held(p.key, p.choices),
            ))  # fmt: skip
            p = _seed("momentum")
            m = _read(p, cols[1].slider(
                p.label, p.lo, p.hi, step=p.step, key=p.key, **on, **held(p.key)
            ))  # fmt: skip
            p = _seed("stream_batch")
            bsz = _read(
                p, cols[2].select_slider(p.label, p.choices, key=p.key, **on, **held(p.key))
            )
            p = _seed("mode")
            mode = _read(p, cols[3].radio(
                p.label, p.choices, key=p.key, horizontal=True, **on, **held(p.key, p.choices)
            ))  # fmt: skip
            trace, running_chart = running_figure(m, conv, bsz)
            cube_view(running_chart, key="lay_running_chart")  # SVG panels and their player
            st.markdown(text.settle_text(trace, *studies.POPULATION))
            st.latex(captions.CONVENTIONS_TEX)
            st.markdown(captions.momentum_text(conv, m, studies.POPULATION))
            st.markdown(text.running_text(trace, mode))
            st.markdown(captions.buffers_text(c))

    if tabs[5].open:  # only the open tab runs and draws
        with tabs[5]:
            p = _seed("trials")
            trials = _read(p, st.select_slider(p.label, p.choices, key=p.key, **on, **held(p.key)))
            noise, noise_chart = noise_figure(trials)
            with st.container(key="lay_noise_chart"):  # HTML, labelled by its alt text
                st.html(noise_chart)
            st.markdown(captions.batch_size_text(noise, trials))

    if tabs[6].open:  # only the open tab runs and draws
        with tabs[6]:
            code = text.torch_snippet(kind, n, c, side, groups)
            code_view(code, key="lay_code_box", label="PyTorch code for this layer")
    links.sync_url(links.current())  # the whole view's settings, the tab's among them


st.session_state[FULL_RUN] = True
lesson(x, (source, n, c, side, offsets), kind, n, c, side)
links.show_notes(notes_slot)
warm_widgets()  # the later tabs' radios and metrics, loaded while the page idles
