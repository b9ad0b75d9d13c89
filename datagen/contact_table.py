"""Contacts as numpy arrays per merchant, for the per-merchant generators.

Indexing a pandas frame costs tens of microseconds per call, and activity,
tickets and NPS answers read each merchant's contacts many times. The
contacts table is therefore grouped once into arrays sorted by merchant, and
each merchant gets views of its slice, in the contacts table's row order.
"""

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from datagen import catalog

PLATFORM_CODES = {name: code for code, name in enumerate(catalog.PLATFORMS)}


@dataclass(frozen=True)
class MerchantContacts:
    """One merchant's contacts: one array per column, one entry per contact."""

    contact_id: np.ndarray
    start_day: np.ndarray
    activity_end_day: np.ndarray
    is_key_contact: np.ndarray
    rate: np.ndarray
    mobile_share: np.ndarray
    # Code in catalog.PLATFORMS of the contact's mobile app.
    mobile_platform: np.ndarray
    update_lag: np.ndarray

    def __len__(self) -> int:
        return len(self.contact_id)

    def subset(self, rows: np.ndarray) -> "MerchantContacts":
        """Return the contacts at ``rows``, a boolean mask or positions."""
        return MerchantContacts(
            **{field.name: getattr(self, field.name)[rows] for field in fields(self)}
        )


class ContactTable:
    """Every merchant's contacts, grouped once from the contacts frame."""

    def __init__(self, contacts: pd.DataFrame) -> None:
        merchant_ids = contacts["merchant_id"].to_numpy()
        order = np.argsort(merchant_ids, kind="stable")
        ids, starts = np.unique(merchant_ids[order], return_index=True)
        ends = np.append(starts[1:], len(order))
        self._slices = {
            int(merchant): (int(start), int(end))
            for merchant, start, end in zip(ids, starts, ends, strict=True)
        }
        platform = contacts["mobile_platform"].map(PLATFORM_CODES)
        self._columns = MerchantContacts(
            contact_id=contacts["contact_id"].to_numpy()[order],
            start_day=contacts["start_day"].to_numpy()[order],
            activity_end_day=contacts["activity_end_day"].to_numpy()[order],
            is_key_contact=contacts["is_key_contact"].to_numpy(dtype=bool)[order],
            rate=contacts["rate"].to_numpy()[order],
            mobile_share=contacts["mobile_share"].to_numpy()[order],
            mobile_platform=platform.to_numpy(dtype=np.int64)[order],
            update_lag=contacts["update_lag"].to_numpy()[order],
        )

    @classmethod
    def _from_parts(
        cls, slices: dict[int, tuple[int, int]], columns: MerchantContacts
    ) -> "ContactTable":
        table = cls.__new__(cls)
        table._slices = slices
        table._columns = columns
        return table

    def select(self, merchant_ids: list[int]) -> "ContactTable":
        """Return a table of these merchants' contacts only, for a batch."""
        slices = {}
        rows = [np.arange(0, dtype=np.int64)]
        start = 0
        for merchant in merchant_ids:
            first, end = self._slices.get(merchant, (0, 0))
            if end > first:
                slices[merchant] = (start, start + end - first)
                rows.append(np.arange(first, end))
                start += end - first
        return ContactTable._from_parts(
            slices, self._columns.subset(np.concatenate(rows))
        )

    def of(self, merchant_id: int) -> MerchantContacts:
        """Return a merchant's contacts; none for a merchant without any."""
        first, end = self._slices.get(merchant_id, (0, 0))
        return self._columns.subset(slice(first, end))
