"""builder: a static site generator for annotated news archives.

The build reads like a table of contents in `builder.build`; `builder.cli`
is the command line (`python -m builder init|build|check|new|serve|deploy`).
"""

__version__ = "0.1.0"  # the one place of the version: pyproject.toml reads it (hatch)
DISTRIBUTION = "news-archive-builder"  # the name on PyPI ("builder" there is another project)
