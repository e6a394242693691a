"""Pure Plotly figure builders: records in, figures out. One module (or package) per lesson.

Every figure has one style, as in Optuna's visualization:

- an ``*_info`` function computes a small record (a NamedTuple of arrays) from the data, tested
  on its own without Plotly (``histogram_info``, ``curves_info``, ``moments_info``,
  ``boundary_info``..., or a record a compute module returns, such as ``CubeInfo``);
- a ``plot_*`` function only draws such a record (empty input gives an empty, labelled figure);
- fonts, colours, margins, titles, legends and axes come from :mod:`normviz.figures._theme`.

Builders return a plain ``plotly.graph_objects.Figure``, except where the
:class:`~normviz.figures._spec.FigureSpec` pays (built and sent without Plotly's object tree,
read-only): the lab's curves, weights and boundary, redrawn on every tick (2 ms a tick against
14 ms as figures). The layers lesson draws no Plotly figure: its animated cube and running
statistics are inline SVG played frame by frame by the page's own component
(:mod:`~normviz.figures.layers_cube_svg`, :mod:`~normviz.figures.layers_running_svg`), its
moments and batch noise HTML (:mod:`~normviz.figures.layers_moments`,
:mod:`~normviz.figures.layers_noise_html`).

Modules: :mod:`~normviz.figures.images` (image lesson), :mod:`~normviz.figures.layers`,
:mod:`~normviz.figures.layers_cube`, :mod:`~normviz.figures.layers_cube_svg`,
:mod:`~normviz.figures.layers_cube_row`, :mod:`~normviz.figures.layers_moments`,
:mod:`~normviz.figures.layers_running_svg` and :mod:`~normviz.figures.layers_noise_html`
(layers lesson),
:mod:`~normviz.figures.lab` (regularization lab: ``_curves``, ``_weights``, ``_boundary``,
``_studies``, ``_alt``, ``_style``).
"""
