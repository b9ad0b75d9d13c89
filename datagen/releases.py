"""Client release schedules: which app version a session ran on.

The web dashboard deploys to everyone at once every two weeks and is named
by date (2026.05.12). The iOS and Android apps ship every three to five
weeks with semantic versions (7.3.0), sometimes followed by a patch, and
each user installs an update some days after its release.
"""

from dataclasses import dataclass

import numpy as np

from datagen import dates
from datagen.catalog import PLATFORMS
from datagen.rng import stream

WEB_RELEASE_DAYS = 14
MOBILE_RELEASE_GAP_DAYS = (18, 35)
MOBILE_PATCH_PROBABILITY = 0.2
MOBILE_MAJOR_PROBABILITY = 0.1
# Releases start this many days before the history, so every session has one.
LEAD_DAYS = 120


@dataclass(frozen=True)
class Releases:
    """Release days and version names per platform.

    ``versions`` is the category list of every version name. ``days[p]`` and
    ``codes[p]`` list platform p's releases in order, as day numbers and as
    indexes into ``versions``.
    """

    versions: tuple[str, ...]
    days: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]

    def version_codes(self, platform: str, days: np.ndarray) -> np.ndarray:
        """Return the latest version released on or before each day."""
        index = np.searchsorted(self.days[platform], days, side="right") - 1
        return self.codes[platform][np.maximum(index, 0)]

    def release_day(self, platform: str, version: str) -> int:
        code = self.versions.index(version)
        position = int(np.flatnonzero(self.codes[platform] == code)[0])
        return int(self.days[platform][position])


def _web_schedule(rng: np.random.Generator, first: int, last: int) -> list[int]:
    offset = int(rng.integers(0, WEB_RELEASE_DAYS))
    return list(range(first + offset, last + 1, WEB_RELEASE_DAYS))


def _mobile_schedule(
    rng: np.random.Generator, first: int, last: int
) -> list[tuple[int, str]]:
    releases = []
    major, minor, patch = int(rng.integers(5, 9)), 0, 0
    day = first + int(rng.integers(0, MOBILE_RELEASE_GAP_DAYS[0]))
    while day <= last:
        releases.append((day, f"{major}.{minor}.{patch}"))
        if rng.random() < MOBILE_PATCH_PROBABILITY:
            patch_day = day + int(rng.integers(3, 8))
            if patch_day <= last:
                patch += 1
                releases.append((patch_day, f"{major}.{minor}.{patch}"))
        if rng.random() < MOBILE_MAJOR_PROBABILITY:
            major, minor = major + 1, 0
        else:
            minor += 1
        patch = 0
        day += int(rng.integers(*MOBILE_RELEASE_GAP_DAYS, endpoint=True))
    return releases


def build_releases(seed: int, first_day: int, last_day: int) -> Releases:
    """Build release schedules covering ``first_day``..``last_day``."""
    # iOS and Android may share a version name, so names map to one code.
    name_codes: dict[str, int] = {}
    days: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    start = first_day - LEAD_DAYS
    for platform in PLATFORMS:
        rng = stream(seed, f"releases.{platform}")
        if platform == "web":
            schedule = [
                (day, dates.to_date(day).strftime("%Y.%m.%d"))
                for day in _web_schedule(rng, start, last_day)
            ]
        else:
            schedule = _mobile_schedule(rng, start, last_day)
        for _, name in schedule:
            name_codes.setdefault(name, len(name_codes))
        codes[platform] = np.array([name_codes[name] for _, name in schedule])
        days[platform] = np.array([day for day, _ in schedule], dtype=np.int64)
    return Releases(versions=tuple(name_codes), days=days, codes=codes)


def add_patch(releases: Releases, platform: str, day: int) -> tuple[Releases, str]:
    """Return the schedule with a patch of ``platform``'s app shipped on ``day``.

    The patch follows the release current on that day: 7.3.0 is followed
    by 7.3.1, or by the next patch number the platform has not used. When
    a release already ships on ``day``, the schedule is returned unchanged
    with that release's name.
    """
    days, codes = releases.days[platform], releases.codes[platform]
    position = int(np.searchsorted(days, day, side="right")) - 1
    current = releases.versions[int(codes[max(position, 0)])]
    if position >= 0 and days[position] == day:
        return releases, current
    used = {releases.versions[int(code)] for code in codes}
    major, minor, patch = (int(part) for part in current.split("."))
    name = f"{major}.{minor}.{patch + 1}"
    while name in used:
        patch += 1
        name = f"{major}.{minor}.{patch + 1}"
    versions = releases.versions
    if name not in versions:
        versions = (*versions, name)
    code = versions.index(name)
    at = position + 1
    return (
        Releases(
            versions=versions,
            days={**releases.days, platform: np.insert(days, at, day)},
            codes={**releases.codes, platform: np.insert(codes, at, code)},
        ),
        name,
    )
