"""Benchmarks of normviz: each module here is one runnable benchmark, run from the project root
as ``.venv/bin/python -m bench.<name> [--help]``; their shared helpers live in
:mod:`bench.support`. Not part of the installed package."""
