"""Image normalization: rescale, clip, log, z-score and equalize a photo; watch the histograms."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from normviz import ImageError, image_alt, image_text, image_view, intensity, io
from normviz.figures import images as fig
from normviz.figures.table_html import table_html
from normviz.literal import literal
from normviz.samples import SAMPLES
from pages import _image_controls as controls
from pages import _image_links as links
from pages import _image_widgets as w
from pages._code_view import code_view
from pages._held import begin, held
from pages._router import ensure_router
from pages._warm_widgets import warm_widgets

ensure_router()

FULL_RUN = "img_full_run"  # set by the whole page's run, read by the lesson fragment
CODE_BOX = "img_code"  # the expander of the code on screen (its key: .st-key-img_code)
FORMATS = list(io.UPLOAD_EXTENSIONS)


st.title("Image normalization")
st.markdown(image_text.definition())
links.init_from_url()
notes_slot = st.empty()  # the link's messages about an image that cannot be read

src, pick = st.columns([3, 2], vertical_alignment="bottom")
upload = src.file_uploader(
    image_text.upload_label(), type=FORMATS, key="img_upload", on_change=links.image_changed,
)  # fmt: skip
sample = pick.selectbox(
    "…or a sample", list(SAMPLES), format_func=lambda k: SAMPLES[k].title, key="img_sample",
    on_change=controls.use_sample_technique, disabled=upload is not None,
    **held("img_sample", SAMPLES),
)  # fmt: skip
try:
    if upload is not None:
        data = upload.getvalue()
        hkey, name, sample = w.upload_key(upload), upload.name, None
        file = name
    else:
        data, hkey, name = None, w.sample_key(sample), sample
        file = SAMPLES[sample].path.name
    with st.spinner("Reading the image and computing its statistics once…"):
        prep = w.prepare(hkey, name, data, sample)
except ImageError as err:
    links.show_notes(notes_slot)
    st.error(literal(str(err)), icon=":material/broken_image:")  # it may quote the file
    st.info("Try another file (PNG, JPEG or TIFF work best), or remove it to use a sample.")
    st.stop()
except Exception:
    links.show_notes(notes_slot)
    st.error("This file could not be read as an image.", icon=":material/broken_image:")
    st.info("Try another file (PNG, JPEG or TIFF work best), or remove it to use a sample.")
    st.stop()

title = SAMPLES[sample].title if sample is not None else name  # what the alt texts call it
st.caption(image_text.image_caption(name, prep.shape, prep.dtype, SAMPLES.get(sample)))
for note in prep.notes:
    st.info(note, icon=":material/info:")


@st.fragment
def lesson(prep: w.Prepared, hkey: str, upload: bool, source: tuple, title: str, file: str) -> None:
    """Everything the technique and its settings change: a setting reruns only this part.

    ``source`` is ``(data, sample, name)``, the image as read (bound into the downloads).
    The image, its statistics and the comparison grid below are drawn by the full run only.
    """
    if not st.session_state.pop(FULL_RUN, False):
        begin()  # a run of this part alone: its own record of widget state written (_held)
    data, sample, name = source
    names = fig.channel_names(prep.stats.mean.size)
    h, wd = prep.shape[:2]
    notes_slot = st.empty()  # the link's messages, drawn once the controls have checked them
    keys = list(intensity.TECHNIQUES)
    with st.container(border=True):
        # The select gets the room of its longest title ("Auto contrast (percentile stretch)"),
        # the parameters the whole width below it.
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        key = left.selectbox(
            "Technique", keys, format_func=lambda k: intensity.TECHNIQUES[k].title,
            key="img_technique", on_change=links.changed, **held("img_technique", keys),
        )  # fmt: skip
        # No help= tooltip here: it opens above the button, over whatever lies there whenever the
        # pointer rests on the button -- as it does right after picking a technique whose list
        # entry lay over the button -- and the next click there hit the tooltip.
        right.button(
            "Reset to defaults", key="img_reset", on_click=links.reset,
            icon=":material/restart_alt:",
        )  # fmt: skip
        params = controls.params(key, prep, names)
        st.caption("Reset to defaults: every setting back to its default; the address loses them.")
    refs = w.references(prep) if intensity.TECHNIQUES[key].needs_reference else []
    links.sync_url(links.current(upload, image_view.image_defaults(prep, refs)))
    links.show_notes(notes_slot)
    tech = intensity.TECHNIQUES[key]
    state = (hkey, key, image_view.frozen_params(params))  # identifies everything drawn below
    res = w.result(*state, prep, params)
    d_lo, d_hi = res.display

    log_y = controls.log_counts()  # one count scale for both histograms: their shapes compare
    before, after = st.columns(2, gap="medium")
    with before:
        st.subheader("Before")
        st.image(prep.jpeg, width="stretch", alt=image_alt.input_image_alt(
            title, prep.shape, prep.input_range, prep.stats.mean, names,
        ))  # fmt: skip
        i_lo, i_hi = prep.input_range
        st.caption(image_text.input_display_note(i_lo, i_hi))
        marks = image_view.clip_marks(key, params)
        bounds = tuple(marks.values()) if marks else ()
        # HTML pictures, not Plotly charts: the page loads no Plotly at all (see _chart_html).
        with st.container(key="img_hist_before"):
            # The chart and its alt text from the same histogram and options.
            seen = {"names": names, "x_range": prep.input_range, "log_y": log_y, "markers": marks}
            st.html(w.cached_html(("before", hkey, log_y, bounds), lambda: fig.histogram_html(
                prep.stats.fine, **seen, alt=image_alt.histogram_alt(prep.stats.fine, **seen),
            )))  # fmt: skip
    with after:
        st.subheader(f"After: {tech.title}")
        st.image(res.jpeg, width="stretch", alt=image_alt.output_image_alt(
            title, tech.title, res.display, res.stats.minimum, res.stats.maximum,
            res.stats.mean, names,
        ))  # fmt: skip
        o_lo, o_hi = float(np.min(res.stats.minimum)), float(np.max(res.stats.maximum))
        st.caption(image_text.output_display_note(res.display, o_lo, o_hi))
        if tech.output_range is None:  # unbounded, or in input units: show the display mapping
            unit = image_text.bar_unit(key)
            # A picture in HTML, not a chart: a Plotly chart here was one more remounted per
            # change (the mapping is the same: normviz.figures.images.display_bar_info).
            st.html(fig.display_bar_html(
                d_lo, d_hi, unit=unit, alt=image_alt.display_bar_alt(d_lo, d_hi, unit),
            ))  # fmt: skip
        with st.container(key="img_hist_after"):
            made = {"names": names, "x_range": res.display, "log_y": log_y}
            st.html(w.cached_html(("after", *state, log_y), lambda: fig.histogram_html(
                res.hist, **made, x_title="output",
                alt=image_alt.histogram_alt(res.hist, **made, what="the output"),
            )))  # fmt: skip

    curve_col, table_col = st.columns(2, gap="medium")
    curve_names = ("Y",) if params.get("mode") == "luminance" else names
    with curve_col:
        empty = image_text.no_curve_note(key)
        st.markdown("**Transfer curve**")
        with st.container(key="img_curve"):
            st.html(w.cached_html(("curve", *state), lambda: fig.transfer_html(
                res.curve, names=curve_names, x_range=prep.input_range, display_range=res.display,
                y_range=image_view.curve_y_range(key, res.display), empty_message=empty,
                alt=image_alt.transfer_alt(res.curve, names=curve_names, empty_message=empty),
            )))  # fmt: skip
    with table_col:
        st.markdown("**Statistics per channel**")
        rows = image_view.stats_table(prep.stats, res.stats, names)
        # A plain HTML table (no grid component to load): at 853 px (1280x720 at 150 %) this
        # column is ~250 px, and the table scrolls its five columns sideways there, unclipped.
        st.html(table_html(rows, label="Statistics per channel"))
        st.caption(image_text.stats_caption(prep.shape, prep.preview.shape))

    st.subheader("The formula, with this image's numbers")
    st.latex(image_text.formula(key, params, prep.stats, names).latex)
    use, pitfalls = image_text.use_and_pitfalls(key)
    c1, c2 = st.columns(2, gap="medium")
    c1.markdown(f"**When to use it.** {use}")
    c2.markdown(f"**Pitfalls.** {pitfalls}")
    note = image_text.kind_note(key)
    if note.level == "warning":
        st.warning(note.text, icon=":material/warning:")
    else:
        st.info(note.text, icon=":material/info:")
    # Drawn with the lesson, closed (no on_change: opening it is instant). Highlighted on the
    # server (pages/_code_view.py), not by st.code: a code box, even closed, made the first view
    # load and compile Streamlit's code highlighter (~0.4 s of main thread); drawn only while
    # open, its opening cost a rerun and that load (~1.2 s).
    with st.expander("Code for what is on screen", icon=":material/code:", key=CODE_BOX):
        image_file, ref_file = w.code_files(prep, file, params)
        code = image_text.snippet(key, params, prep.stats, prep.dtype, image_file.name, ref_file)
        code_view(code, key="img_code_box", label="Python code for what is on screen")

    # Computed on click, outside the script thread: everything is bound now, nothing read later.
    bound = (data, sample, key, prep, dict(params))
    stem = f"{name.rsplit('.', 1)[0]}-{key}"
    png_col, npy_col = st.columns(2)
    # Short labels (they fit a 1280x720 screen at 150 % and a phone); the help says the rest.
    png_col.download_button(
        f"PNG, {wd} × {h}, 16-bit", data=partial(w.png_download, *bound), file_name=f"{stem}.png",
        mime="image/png", key="img_download", on_click="ignore", icon=":material/download:",
        help=f"The result at full resolution ({wd} × {h} pixels), as a 16-bit PNG.",
    )  # fmt: skip
    png_col.caption(image_text.download_note(d_lo, d_hi))
    shape = f"{h} × {wd}{' × 3' if len(names) == 3 else ''}"
    npy_col.download_button(
        f"NumPy, {shape}, float32", data=partial(w.npy_download, *bound), file_name=f"{stem}.npy",
        mime="application/octet-stream", key="img_download_npy", on_click="ignore",
        icon=":material/data_array:",
        help="The output values at full resolution, an array of shape "
        f"({shape.replace(' × ', ', ')}) in a float32 .npy file (np.load reads it).",
    )  # fmt: skip
    npy_col.caption(image_text.npy_note())


st.session_state[FULL_RUN] = True
lesson(prep, hkey, upload is not None, (data, sample, name), title, file)

st.subheader("All techniques on this image")
# One HTML block of sized pictures, not 26 elements (columns of st.image) whose pictures each
# moved the page's layout as they loaded: a sample switch cost the browser ~0.1 s more.
with st.container(key="img_grid"):
    st.html(w.grid_html(hkey, prep, title))

w.warm_samples()  # the other samples, ready before they are picked (once per process)
warm_widgets()  # the parameters' sliders and button groups, loaded while the page idles
