"""Random streams derived from the dataset seed and a stable name.

Every table, scenario and merchant draws from its own generator, seeded from
``SeedSequence([seed, crc32(name), block])``. Adding a table or a scenario
therefore shifts no other stream. Activity tables use the merchant id as the
block, so the number of merchants written per batch never changes the data.
"""

import zlib

import numpy as np


def stream(seed: int, name: str, block: int = 0) -> np.random.Generator:
    """Return the generator for ``name`` and ``block`` under ``seed``."""
    sequence = np.random.SeedSequence([seed, zlib.crc32(name.encode()), block])
    return np.random.default_rng(sequence)


def derived_seed(seed: int, name: str) -> int:
    """Return a 63-bit integer seed for libraries that take a plain int (Faker)."""
    sequence = np.random.SeedSequence([seed, zlib.crc32(name.encode())])
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))
