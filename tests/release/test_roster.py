"""Rosters and secrets: bad input is named with its row, and nothing is written."""

import re
import subprocess
import sys

import pytest

from kit import class_secret
from kit.errors import KitError
from kit.release import build_release
from kit.roster import RosterError, read_roster

GOOD = "candidate_id,name,email\nann,Ann Lee,ann@example.com\nbob,,bob@example.com\n"


def write(tmp_path, content, encoding="utf-8"):
    path = tmp_path / "roster.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return path


def test_roster_read(tmp_path):
    candidates = read_roster(write(tmp_path, GOOD))

    assert [c.candidate_id for c in candidates] == ["ann", "bob"]
    assert candidates[1].email == "bob@example.com"


def test_roster_with_byte_order_mark_read(tmp_path):
    path = write(tmp_path, "\ufeff" + GOOD)

    assert read_roster(path)[0].candidate_id == "ann"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (GOOD + "ann,Ann Again,\n", "repeats candidate_id 'ann' in rows 2 and 4"),
        ("candidate_id,name\nann,Ann\n,\ncal,Cal\n", "empty row 3"),
        (
            "name,email\nAnn,ann@example.com\n",
            "needs a header row (row 1) with candidate_id",
        ),
        ("candidate_id\nann\n", "needs a header row (row 1) with candidate_id and"),
        ("candidate_id,name\nann smith,Ann\n", "candidate_id 'ann smith' in row 2"),
        ("candidate_id,name\n../x,Ann\n", "candidate_id '../x' in row 2"),
        ("candidate_id,name,email\nann,,\n", "no name or email for 'ann' in row 2"),
        ("candidate_id,name\nann,Ann,extra\n", "more cells than columns in row 2"),
        ("candidate_id,name\n", "lists no candidates"),
        (GOOD + "ANN,Ann Upper,\n", "repeats candidate_id 'ANN' in rows 2 and 4"),
        ('candidate_id,name\nann,"' + "x" * 200_000 + '"\n', "cannot be read as CSV"),
        (b"candidate_id,name\nann,Ann\nb\xe9a,B\xe9a\n", "not UTF-8 text (row 3"),
    ],
)
def test_bad_roster_names_row(tmp_path, content, message):
    with pytest.raises(RosterError, match=re.escape(message)):
        read_roster(write(tmp_path, content))


def test_bad_roster_writes_nothing(tmp_path):
    roster = write(tmp_path, GOOD + "ann,Ann Again,\n")
    out = tmp_path / "out"

    with pytest.raises(RosterError):
        build_release(roster, out)

    assert not out.exists()


def test_unknown_only_candidate_rejected(tmp_path):
    roster = write(tmp_path, GOOD)

    with pytest.raises(Exception, match="'cal' is not on the roster"):
        build_release(roster, tmp_path / "out", only="cal")

    assert not (tmp_path / "out").exists()


def test_seed_depends_on_secret_and_id(tmp_path):
    secret = class_secret.create_secret(tmp_path / "secret.txt")
    again = class_secret.read_secret(tmp_path / "secret.txt")
    other = bytes(32)

    assert again == secret
    assert class_secret.candidate_seed(secret, "ann") == class_secret.candidate_seed(
        again, "ann"
    )
    assert class_secret.candidate_seed(secret, "ann") != class_secret.candidate_seed(
        secret, "bob"
    )
    assert class_secret.candidate_seed(secret, "ann") != class_secret.candidate_seed(
        other, "ann"
    )


def test_secret_file_kept_private(tmp_path):
    path = tmp_path / "secret.txt"
    class_secret.create_secret(path)

    assert path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [("zz-not-hex", "does not hold a hex secret"), ("ab", "1 bytes")],
)
def test_bad_secret_file_rejected(tmp_path, content, message):
    path = tmp_path / "secret.txt"
    path.write_text(content)

    with pytest.raises(class_secret.SecretError, match=message):
        class_secret.read_secret(path)


def test_existing_secret_not_overwritten(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("keep me")

    with pytest.raises(class_secret.SecretError, match="exists already"):
        class_secret.create_secret(path)

    assert path.read_text() == "keep me"


def test_cli_reports_bad_roster(tmp_path, capsys):
    from kit.cli import main

    roster = write(tmp_path, GOOD + "bob,Bob Again,\n")

    status = main(["release", "--roster", str(roster), "--out", str(tmp_path / "o")])

    assert status == 2
    assert "repeats candidate_id 'bob' in rows 3 and 4" in capsys.readouterr().err


@pytest.mark.parametrize("merchants", [50, -5])
def test_bad_size_rejected_before_writing(tmp_path, merchants):
    roster = write(tmp_path, GOOD)

    with pytest.raises(KitError, match="--merchants"):
        build_release(roster, tmp_path / "out", merchants=merchants)

    assert not (tmp_path / "out").exists()


def test_out_that_is_a_file_rejected(tmp_path):
    roster = write(tmp_path, GOOD)
    (tmp_path / "afile").write_text("x")

    with pytest.raises(KitError, match="is a file"):
        build_release(roster, tmp_path / "afile")


def test_cli_reports_bad_jobs(tmp_path, capsys):
    from kit.cli import main

    roster = write(tmp_path, GOOD)
    out = tmp_path / "o"

    status = main(
        ["release", "--roster", str(roster), "--out", str(out), "--jobs", "0"]
    )

    assert status == 2
    assert "--jobs 0 must be at least 1" in capsys.readouterr().err
    assert not out.exists()


def test_failed_write_named_in_one_line(tmp_path, cap_files):
    roster = write(tmp_path, GOOD)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "kit", "release", "--roster", str(roster)]
    command += ["--out", str(out), "--merchants", "300", "--jobs", "2"]

    # Each file the command writes is capped far below a dataset's size.
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=cap_files(2_000_000)
    )

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "error: building the dataset of ann failed: writing failed (File too "
        "large). A file size limit of this process (ulimit -f) stopped it: raise "
        "the limit or choose another location."
    )
    assert sorted(path.name for path in out.iterdir()) == ["class-secret.txt"]


def stopped_generate(folder, out, candidate, secret, merchants, workers):
    """Mark the candidate as started in the release folder, then fail."""
    (out / f"started-{candidate.candidate_id}").touch()
    raise KitError(f"stopped {candidate.candidate_id}")


def test_failure_starts_no_further_folder(tmp_path, monkeypatch):
    monkeypatch.setattr("kit.release._generate", stopped_generate)
    ids = ["ann", "bob", "cai", "dee", "eve", "fay"]
    roster = write(tmp_path, "candidate_id,name\n" + "".join(f"{i},{i}\n" for i in ids))
    out = tmp_path / "out"

    with pytest.raises(KitError, match="stopped ann"):
        build_release(roster, out, merchants=300, jobs=1)

    started = sorted(path.name for path in out.glob("started-*"))
    assert started == ["started-ann"]
    assert not [path.name for path in out.iterdir() if path.name in ids]


def test_only_ignores_case(tmp_path, monkeypatch):
    monkeypatch.setattr("kit.release._generate", stopped_generate)
    roster = write(tmp_path, GOOD)

    with pytest.raises(KitError, match="stopped bob"):
        build_release(roster, tmp_path / "out", only="BOB", merchants=300)
