"""Check families, one small module each; importing them registers their checks."""

from __future__ import annotations

from functools import cache


@cache
def load_all() -> None:
    from . import learned, names, projects, selfeval, values  # noqa: F401
