"""Where the look (ui/) and the cue sounds (assets/sounds/) are, installed or not.

A wheel carries them inside the package (retrocoach/_data/...); a checkout keeps them
at the top of the tree, where designers edit them. Both are found the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

Kind = Literal["ui", "sounds"]

_PACKAGE = Path(__file__).resolve().parent
_IN_CHECKOUT: dict[str, Path] = {
    "ui": _PACKAGE.parent / "ui",
    "sounds": _PACKAGE.parent / "assets" / "sounds",
}


def data_dir(kind: Kind) -> Path:
    """The folder holding `kind`'s files; FileNotFoundError names both places tried."""
    installed = _PACKAGE / "_data" / kind
    if installed.is_dir():
        return installed
    checkout = _IN_CHECKOUT[kind]
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"retrocoach's {kind} files are in neither {installed} nor {checkout}")


def data_file(kind: Kind, name: str) -> Path:
    path = data_dir(kind) / name
    if not path.is_file():
        raise FileNotFoundError(f"no {kind} file {name!r} in {path.parent}")
    return path
