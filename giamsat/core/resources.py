"""Where shipped files are: profiles, the demo site, model artefacts, Elasticsearch templates.

Everything giamsat ships lives inside the ``giamsat`` package and is found through
``importlib.resources``, so the same code works from a source checkout (where ``giamsat/nlp``
and friends are links to the top-level folders) and from an installed wheel (where they are
plain sub-packages). Nothing here reads the environment.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


def package_path(*parts: str) -> Path:
    """A shipped file or folder as a real path (the wheel is always installed unzipped)."""
    return Path(str(files("giamsat").joinpath(*parts)))


@cache
def checkout_root() -> Path | None:
    """The source checkout this package runs from, or None when installed from a wheel.

    Only used for development defaults (``../shared/data``); a province's installation never
    depends on it.
    """
    here = Path(str(files("giamsat"))).resolve()
    root = here.parent
    return root if (root / "pyproject.toml").is_file() else None
