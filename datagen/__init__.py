"""Generator of the seeded synthetic merchant dataset (``python -m datagen``).

``generate(out, seed=..., merchants=..., as_of=..., history_days=...)``
writes the candidate dataset and its answer key and returns a Summary.
"""

__version__ = "0.1.0"

from datagen.build import Summary, generate  # noqa: E402

__all__ = ["Summary", "__version__", "generate"]
