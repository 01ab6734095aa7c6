"""The drafting assistant: a FastAPI app (HTTP API + offline web page).

``indicatorqa serve`` runs it; :func:`indicatorqa.web.app.create_app` builds it.
Imported lazily so that the command line works without the web dependencies.
"""

from __future__ import annotations


def create_app(*args, **kwargs):
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["create_app"]
