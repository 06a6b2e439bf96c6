"""Gym members kept on this machine (retrocoach.members): one profile file each, found
by name whatever its case, renamed and deleted without leaving a stray file, broken
files left out and said once, and never a half-written or overwritten file."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from retrocoach.members import MemberBook, MemberError
from retrocoach.userdata import UserData
from retrocoach.workouts.fileformat import dump_profile, load_profile
from retrocoach.workouts.profile import RunnerProfile, Units

# Every field away from its default, so a field that is not kept shows.
ZOE = RunnerProfile(
    name="Zoë Ortiz",
    walk_kmh=4.5,
    run_kmh=10.5,
    backward_factor=0.65,
    backward_max_kmh=7.5,
    forward_max_kmh=14.0,
    hr_max=182,
    hr_rest=52,
    hr_ceiling=168,
    turn_speed_kmh=2.5,
    turn_time_s=7.0,
    units=Units.MPH,
)


@pytest.fixture
def book(tmp_path: Path) -> MemberBook:
    return MemberBook(tmp_path / "members")


def files(book: MemberBook) -> list[str]:
    """Every file in the members folder, temporary ones included."""
    return sorted(path.name for path in book.folder.iterdir())


def names(book: MemberBook) -> list[str]:
    return [member.name for member in book.members()]


def test_every_field_survives_a_save_and_a_fresh_read(book: MemberBook) -> None:
    defaults = RunnerProfile()
    changed = [
        f.name for f in dataclasses.fields(ZOE) if getattr(ZOE, f.name) == getattr(defaults, f.name)
    ]
    assert changed == []  # the test itself: nothing left at its default

    path = book.save(ZOE)

    again = MemberBook(book.folder)
    assert again.members() == [ZOE]
    assert again.get("zoë ortiz") == ZOE
    assert again.problems == []
    # The documented profile format, readable like the person's own profile.toml.
    assert path.parent == book.folder and path.suffix == ".toml"
    assert load_profile(path) == ZOE
    assert path.read_text(encoding="utf-8") == dump_profile(ZOE)


def test_the_members_folder_is_in_the_persons_configuration_folder(tmp_path: Path) -> None:
    data = UserData(tmp_path / "retrocoach")
    path = MemberBook(data.members_dir).save(ZOE)
    assert path.parent == tmp_path / "retrocoach" / "members"


def test_an_empty_book_reads_nothing_and_creates_nothing(book: MemberBook) -> None:
    assert book.members() == []
    assert book.get("Ana") is None
    book.delete("Ana")  # nothing to delete is fine
    assert book.problems == []
    assert not book.folder.exists()


def test_members_are_listed_by_name_whatever_the_case(book: MemberBook) -> None:
    for name in ("dave", "Carl", "bob", "Ana"):
        book.save(RunnerProfile(name=name))
    # Plain string order would put "Carl" before "bob".
    assert names(book) == ["Ana", "bob", "Carl", "dave"]


def test_a_member_is_found_by_name_ignoring_case_and_spaces(book: MemberBook) -> None:
    book.save(ZOE)
    assert book.get("  ZOË ORTIZ ") == ZOE
    assert book.get("Zoe Ortiz") is None  # another name, though its file name is alike


def test_names_are_kept_without_surrounding_spaces(book: MemberBook) -> None:
    path = book.save(RunnerProfile(name="  Ana Ortiz\t"))
    assert names(book) == ["Ana Ortiz"]
    assert load_profile(path).name == "Ana Ortiz"
    with pytest.raises(MemberError):
        book.save(RunnerProfile(name="Ana Ortiz"))  # the same member, spaces or not


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_member_needs_a_name(book: MemberBook, blank: str) -> None:
    with pytest.raises(MemberError, match="needs a name"):
        book.save(RunnerProfile(name=blank))
    assert book.members() == []
    assert not book.folder.exists()


def test_a_taken_name_is_refused_whatever_its_case(book: MemberBook) -> None:
    ana = RunnerProfile(name="Ana", walk_kmh=4.0)
    book.save(ana)
    before = files(book)

    with pytest.raises(MemberError) as refused:
        book.save(RunnerProfile(name="ANA", walk_kmh=6.0))

    assert '"Ana"' in str(refused.value)  # the member as the coach knows them
    assert isinstance(refused.value, ValueError)
    assert book.members() == [ana]
    assert files(book) == before


def test_renaming_onto_another_members_name_is_refused(book: MemberBook) -> None:
    ana, bob = RunnerProfile(name="Ana", walk_kmh=4.0), RunnerProfile(name="Bob", walk_kmh=6.0)
    book.save(ana)
    book.save(bob)

    with pytest.raises(MemberError, match='"Bob"'):
        book.save(dataclasses.replace(ana, name="bob"), replacing="Ana")

    assert book.members() == [ana, bob]


def test_saving_under_the_same_name_changes_the_member_in_place(book: MemberBook) -> None:
    first = book.save(RunnerProfile(name="Ana", walk_kmh=4.0))
    again = book.save(RunnerProfile(name="Ana", walk_kmh=4.8), replacing="ana")

    assert again == first
    assert book.members() == [RunnerProfile(name="Ana", walk_kmh=4.8)]
    assert files(book) == [first.name]


def test_a_rename_moves_the_member_and_leaves_no_old_file(book: MemberBook) -> None:
    book.save(RunnerProfile(name="Bob"))
    old = book.save(dataclasses.replace(ZOE, name="Ana"))

    new = book.save(dataclasses.replace(ZOE, name="Anna"), replacing="ANA")

    assert names(book) == ["Anna", "Bob"]
    assert book.get("Ana") is None
    assert book.get("Anna") == dataclasses.replace(ZOE, name="Anna")
    assert not old.exists()
    assert new.exists() and len(files(book)) == 2


def test_a_change_of_case_is_a_rename_too(book: MemberBook) -> None:
    book.save(RunnerProfile(name="ana"))
    book.save(RunnerProfile(name="Ana"), replacing="ana")
    assert names(book) == ["Ana"]
    assert len(files(book)) == 1


def test_names_whose_file_names_would_be_alike_get_files_of_their_own(book: MemberBook) -> None:
    saved = {
        name: book.save(RunnerProfile(name=name, walk_kmh=walk))
        for name, walk in (("José", 4.0), ("Jose", 4.5), ("JOSE!", 5.0), ("jose 2", 5.5))
    }

    assert len(set(saved.values())) == 4  # nobody's file was written over
    assert [(m.name, m.walk_kmh) for m in book.members()] == [
        ("Jose", 4.5),
        ("jose 2", 5.5),  # its file name is the one "Jose" would get as a second "jose"
        ("JOSE!", 5.0),
        ("José", 4.0),
    ]
    # Deleting one leaves the others as they were.
    book.delete("Jose")
    assert names(book) == ["jose 2", "JOSE!", "José"]


@pytest.mark.parametrize(
    "name", ["../../escape", "a/b\\c:d*e?f", "Дмитрий", "con", ".hidden", "x" * 60]
)
def test_file_names_are_safe_whatever_the_name(book: MemberBook, name: str) -> None:
    path = book.save(RunnerProfile(name=name))
    assert path.parent == book.folder
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}\.toml", path.name)
    assert path.stem != "con"  # a name Windows refuses to give a file
    assert book.get(name) == RunnerProfile(name=name.strip())


def test_deleting_removes_only_that_member(book: MemberBook) -> None:
    book.save(RunnerProfile(name="Ana"))
    book.save(RunnerProfile(name="Bob"))

    book.delete(" ANA ")
    book.delete("Nobody")  # not there: no error

    assert names(book) == ["Bob"]
    assert len(files(book)) == 1


def test_a_broken_file_is_left_out_and_said_once(book: MemberBook) -> None:
    book.save(RunnerProfile(name="Ana"))
    broken = book.folder / "carl.toml"
    broken.write_text('name = "Carl"\nwalk_kmh = "fast"\n', encoding="utf-8")
    (book.folder / "dora.toml").write_text("name = 'Dora\n", encoding="utf-8")  # bad TOML

    assert names(book) == ["Ana"]
    assert names(book) == ["Ana"]  # read again: still said once
    assert len(book.problems) == 2
    carl = next(p for p in book.problems if "carl.toml" in p)
    assert "walk_kmh" in carl and '"fast"' in carl  # the key and the value at fault
    assert any("dora.toml" in p for p in book.problems)
    assert book.get("Carl") is None


def test_a_broken_file_is_never_written_over(book: MemberBook) -> None:
    book.folder.mkdir(parents=True)
    broken = book.folder / "carl.toml"
    broken.write_text('name = "Carl"\nwalk_kmh = "fast"\n', encoding="utf-8")

    path = book.save(RunnerProfile(name="Carl"))

    assert path != broken
    assert broken.read_text(encoding="utf-8") == 'name = "Carl"\nwalk_kmh = "fast"\n'
    assert names(book) == ["Carl"]


def test_a_file_without_a_name_and_a_second_file_for_a_name_are_left_out(
    book: MemberBook,
) -> None:
    first = book.save(RunnerProfile(name="Ana", walk_kmh=4.0))
    (book.folder / "zz-copy.toml").write_text(dump_profile(RunnerProfile(name="ana")), "utf-8")
    (book.folder / "nameless.toml").write_text(dump_profile(RunnerProfile(name=" ")), "utf-8")

    assert book.members() == [RunnerProfile(name="Ana", walk_kmh=4.0)]
    assert any("zz-copy.toml" in p and first.name in p for p in book.problems)
    assert any("nameless.toml" in p for p in book.problems)


def test_saving_leaves_no_temporary_file(book: MemberBook) -> None:
    book.save(RunnerProfile(name="Ana"))
    book.save(RunnerProfile(name="Ana", walk_kmh=4.0), replacing="Ana")
    book.save(RunnerProfile(name="Anna", walk_kmh=4.0), replacing="Ana")
    assert files(book) == ["anna.toml"]


def test_a_failed_write_keeps_the_member_as_it_was(
    book: MemberBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = RunnerProfile(name="Ana", walk_kmh=4.0)
    path = book.save(ana)
    text = path.read_text(encoding="utf-8")

    def disk_full(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        book.save(RunnerProfile(name="Ana", walk_kmh=5.5), replacing="Ana")
    with pytest.raises(OSError, match="No space left"):
        book.save(RunnerProfile(name="Anna", walk_kmh=5.5), replacing="Ana")  # a rename

    assert path.read_text(encoding="utf-8") == text  # whole, and the old values
    assert book.members() == [ana]  # not lost by the failed rename either
    assert files(book) == [path.name]  # no half-written temporary file
