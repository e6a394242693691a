"""normviz: watch normalization and regularization happen on real data.

The package is pure computation and figure building: it never imports streamlit, and it imports
torch only in the modules that need it (``layers``, ``training``), so the image lesson stays light.

Modules
-------
io          upload bytes or a path -> validated image array
intensity   scaling, clipping, log, z-score, equalization, histograms, transfer curves
samples     bundled sample images and seeded synthetic tensors
layers      BatchNorm / LayerNorm / InstanceNorm / GroupNorm statistics and running statistics
toydata     seeded 2D classification datasets
training    the stepping trainer of the regularization lab
figures     pure Plotly builders, one per view
"""

from normviz._checks import ImageError

__all__ = ["ImageError"]
__version__ = "0.1.0"
