"""Pools of company and person names built with Faker.

Faker is slow per call, so it only fills these pools once per run; tables
draw from them by index with numpy. Each pool reseeds the Faker instance
from its own derived seed, so pools stay independent of each other.
"""

import re
from dataclasses import dataclass

from faker import Faker

from datagen.rng import derived_seed

FIRST_NAME_DRAWS = 1500
LAST_NAME_DRAWS = 1500
DOMAIN_STOP_WORDS = {"and", "inc", "llc", "ltd", "plc", "group", "the", "sons"}
DOMAIN_SUFFIXES = (".com", ".com", ".com", ".io", ".co", ".net")


@dataclass(frozen=True)
class NamePools:
    companies: list[str]
    first_names: list[str]
    last_names: list[str]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _company_names(faker: Faker, count: int) -> list[str]:
    """Return ``count`` distinct company names, numbering repeats if Faker runs dry."""
    names = _unique([faker.company() for _ in range(count + count // 5 + 10)])
    if len(names) < count:
        base = list(names)
        number = 2
        while len(names) < count:
            names.extend(f"{name} {number}" for name in base[: count - len(names)])
            number += 1
    return names[:count]


def build_pools(seed: int, companies: int) -> NamePools:
    """Build the name pools for a run that needs ``companies`` merchant names."""
    faker = Faker("en_US")
    faker.seed_instance(derived_seed(seed, "pool.companies"))
    company_names = _company_names(faker, companies)
    faker.seed_instance(derived_seed(seed, "pool.first_names"))
    first = _unique([faker.first_name() for _ in range(FIRST_NAME_DRAWS)])
    faker.seed_instance(derived_seed(seed, "pool.last_names"))
    last = _unique([faker.last_name() for _ in range(LAST_NAME_DRAWS)])
    return NamePools(companies=company_names, first_names=first, last_names=last)


def email_domain(company: str, index: int) -> str:
    """Return a plausible email domain for a company name."""
    words = [
        w for w in re.findall(r"[a-z]+", company.lower()) if w not in DOMAIN_STOP_WORDS
    ]
    stem = "".join(words[:2]) or "merchant"
    number = re.search(r"(\d+)$", company)
    if number:
        stem += number.group(1)
    return stem + DOMAIN_SUFFIXES[index % len(DOMAIN_SUFFIXES)]


def email_local_part(full_name: str) -> str:
    return ".".join(re.findall(r"[a-z]+", full_name.lower()))
