"""builder: a static site generator for annotated news archives.

The build reads like a table of contents in `builder.build`; `builder.cli`
is the command line (`python -m builder build|check|new|serve|deploy`).
"""

__version__ = "0.1.0"
