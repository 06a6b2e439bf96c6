"""The wheel carries ui/ and assets/sounds/, and they are found installed or not."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from retrocoach.resources import data_dir, data_file

ROOT = Path(__file__).parents[2]


def test_a_checkout_finds_its_ui_and_sounds() -> None:
    assert data_dir("ui") == ROOT / "ui"
    assert data_dir("sounds") == ROOT / "assets" / "sounds"
    assert data_file("ui", "themes/dark.qss").read_text().startswith("/* retrocoach")
    with pytest.raises(FileNotFoundError, match=re.escape("no ui file 'nope.qss'")):
        data_file("ui", "nope.qss")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("retrocoach-*.whl")
    return built


def test_the_wheel_ships_the_look_the_sounds_and_the_entry_point(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "retrocoach/_data/ui/themes/dark.qss" in names
    assert "retrocoach/_data/sounds/README.md" in names
    assert "retrocoach/cli.py" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "retrocoach = retrocoach.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_an_installed_wheel_finds_its_data_inside_the_package(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "from retrocoach.resources import data_dir, data_file;"
        "print(data_dir('ui'));print(data_dir('sounds'));"
        "print(data_file('ui', 'themes/light.qss').stat().st_size)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,  # not the checkout
        env={"PYTHONPATH": str(site), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    ui, sounds, size = result.stdout.split()
    assert Path(ui) == site / "retrocoach" / "_data" / "ui"
    assert Path(sounds) == site / "retrocoach" / "_data" / "sounds"
    assert int(size) > 0
