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
14 ms as figures), and the layers lesson's running statistics, cached and sent again on every
rerun. The layers lesson's animated cube is no Plotly figure: inline SVG, one frame per set
(:mod:`~normviz.figures.layers_cube_svg`), played by the page's own component.

Modules: :mod:`~normviz.figures.images` (image lesson), :mod:`~normviz.figures.layers`,
:mod:`~normviz.figures.layers_cube`, :mod:`~normviz.figures.layers_cube_svg` and
:mod:`~normviz.figures.layers_cube_row` (layers lesson),
:mod:`~normviz.figures.lab` (regularization lab: ``_curves``, ``_weights``, ``_boundary``,
``_studies``, ``_alt``, ``_style``).
"""
