"""Generate a dataset and its answer key: the ``generate`` entry point.

Phase one builds the plan in memory (merchants, contacts, contracts) and
runs the scenarios and SQL traps on it. Phase two writes the dimension
tables, then generates activity merchant by merchant and writes it in
batches, so memory stays bounded by one batch.
"""

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from datagen import __version__
from datagen.activity import build_context
from datagen.activity_batches import (
    ActivityInputs,
    ActivityWorkers,
    LostEvents,
    activity_batches,
    default_workers,
)
from datagen.answer_key import write_answer_key
from datagen.billing import build_invoices
from datagen.config import (
    DEFAULT_AS_OF,
    DEFAULT_BATCH_SIZE,
    DEFAULT_HISTORY_DAYS,
    DEFAULT_MERCHANTS,
    DEFAULT_SEED,
    MAX_WORKERS,
    Config,
)
from datagen.contact_table import ContactTable
from datagen.contracts import build_contracts, contracts_frame, finalize_contracts
from datagen.errors import InvalidOption
from datagen.merchants import build_contacts, build_merchants
from datagen.plan import NO_END, Plan
from datagen.pools import build_pools
from datagen.releases import build_releases
from datagen.renewals import (
    add_pre_renewal_declines,
    decline_windows,
    renewal_outcomes,
)
from datagen.rng import stream
from datagen.scenarios import SCENARIOS, keep_other_renewals_level
from datagen.score_drops import score_drop_frame
from datagen.support import build_nps, build_tickets
from datagen.traps import TRAPS
from datagen.writer import (
    TemporaryDatabase,
    prepare_folder,
    publish_together,
    remove_folders,
    replacement_error,
    schema_sql,
)
from kit.paths import answers_path

log = logging.getLogger("datagen")

TABLES = (
    "merchants",
    "contacts",
    "merchant_contracts",
    "plan_changes",
    "invoices",
    "support_tickets",
    "nps_responses",
    "merchant_sessions",
    "merchant_features",
    "daily_transaction_volume",
    "dataset_info",
)
AS_OF_COMMENT = (
    "The as-of date of this dataset; activity runs up to the day before. "
    "Use it where a live query would use CURRENT_DATE."
)


@dataclass(frozen=True)
class Summary:
    """Result of one ``generate`` call: paths, row counts and planted merchants."""

    out: Path
    answers: Path
    seed: int
    merchants: int
    as_of: date
    history_days: int
    # Rows per table of the dataset.
    rows: dict[str, int]
    # Merchants per planted scenario or SQL trap.
    planted: dict[str, int]
    seconds: float

    def lines(self) -> list[str]:
        """Return a short human-readable report."""
        width = max(len(table) for table in self.rows)
        report = [
            f"Wrote {self.out}: seed {self.seed}, {self.merchants:,} merchants, "
            f"as of {self.as_of.isoformat()}, {self.history_days} days of history, "
            f"in {self.seconds:.1f} s."
        ]
        report += [
            f"  {table:<{width}}  {count:>12,}" for table, count in self.rows.items()
        ]
        planted = ", ".join(f"{name} {count}" for name, count in self.planted.items())
        report.append(f"Planted (merchants): {planted}.")
        report.append(f"Answer key: {self.answers}")
        return report


def build_plan(config: Config, processes: int = 1) -> Plan:
    """Build the dimension tables and plant every scenario and SQL trap.

    ``processes`` splits per-merchant work between that many processes,
    which never changes the plan.
    """
    pools = build_pools(config.seed, config.merchants)
    merchants = build_merchants(config, pools)
    contacts = build_contacts(config, merchants, pools, processes)
    contracts, plan_changes = build_contracts(config, merchants, processes)
    releases = build_releases(config.seed, config.start_day, config.last_day)
    plan = Plan(
        config, merchants, contacts, contracts, plan_changes, releases, pools=pools
    )
    add_pre_renewal_declines(plan)
    for plant in [*SCENARIOS, *TRAPS]:
        rng = stream(config.seed, f"planted.{plant.__name__}")
        plan.planted.extend(plant(plan, rng))
    keep_other_renewals_level(plan)
    # Planting is over, and the groupings would keep old copies of the
    # contacts alive while _end_access_at_churn makes a new one.
    plan.forget_groups()
    _end_access_at_churn(plan)
    plan.plan_changes.sort(key=lambda c: (c.change_day, c.merchant_id))
    finalize_contracts(plan.contracts)
    return plan


def _end_access_at_churn(plan: Plan) -> None:
    """End every contact's access on their merchant's last day as a customer.

    Contacts of a churned merchant get that day as their end date, and those
    hired after it are removed, because no contact has access once the merchant
    has left.
    """
    merchant_end = plan.merchants.loc[plan.contacts["merchant_id"], "end_day"]
    merchant_end = merchant_end.to_numpy()
    plan.contacts["activity_end_day"] = np.minimum(
        plan.contacts["activity_end_day"], merchant_end
    )
    churned = merchant_end < plan.config.last_day
    plan.contacts["end_day"] = np.where(
        churned,
        np.minimum(plan.contacts["end_day"], merchant_end),
        plan.contacts["end_day"],
    )
    hired_after = churned & (plan.contacts["start_day"].to_numpy() > merchant_end)
    plan.contacts = plan.contacts[~hired_after]


def _nullable(values: np.ndarray, missing: np.ndarray) -> pd.array:
    data = np.where(missing, 0, values).astype(np.int64)
    return pd.arrays.IntegerArray(data, mask=np.asarray(missing, dtype=bool))


def _dimension_frames(plan: Plan) -> dict[str, pd.DataFrame]:
    merchants = plan.merchants
    contacts = plan.contacts
    contracts = contracts_frame(plan.contracts)
    end_day = contacts["end_day"].to_numpy()
    return {
        "merchants": pd.DataFrame(
            {
                "merchant_id": merchants["merchant_id"],
                "merchant_name": merchants["merchant_name"],
                "segment": merchants["segment"],
                "industry": merchants["industry"],
                "region": merchants["region"],
                "plan_tier": merchants["plan_tier"],
                "seats": merchants["seats"],
                "signup_date": merchants["signup_day"],
                "account_manager": merchants["account_manager"],
                "csm_owner": merchants["csm_owner"],
            }
        ),
        "contacts": pd.DataFrame(
            {
                "contact_id": contacts["contact_id"].to_numpy(),
                "merchant_id": contacts["merchant_id"].to_numpy(),
                "full_name": contacts["full_name"].to_numpy(),
                "email": contacts["email"].to_numpy(),
                "job_role": contacts["job_role"].to_numpy(),
                "is_key_contact": contacts["is_key_contact"].to_numpy(),
                "start_date": contacts["start_day"].to_numpy(),
                "end_date": _nullable(end_day, end_day == NO_END),
            }
        ),
        "merchant_contracts": contracts.rename(
            columns={
                "arr_cents": "arr_value",
                "signed_day": "signed_date",
                "start_day": "start_date",
                "renewal_day": "renewal_date",
            }
        )
        .assign(
            cancelled_date=lambda frame: _nullable(
                frame["cancelled_day"].to_numpy(), frame["cancelled_day"] < 0
            )
        )
        .assign(
            billing_months=lambda frame: plan.merchants.loc[
                frame["merchant_id"], "billing_months"
            ].to_numpy()
        )
        .drop(columns="cancelled_day"),
        "plan_changes": pd.DataFrame(
            {
                "change_id": np.arange(1, len(plan.plan_changes) + 1),
                "merchant_id": [c.merchant_id for c in plan.plan_changes],
                "change_date": [c.change_day for c in plan.plan_changes],
                "from_tier": [c.from_tier for c in plan.plan_changes],
                "to_tier": [c.to_tier for c in plan.plan_changes],
            }
        ),
    }


def _invoices_frame(plan: Plan, declines: dict, processes: int) -> pd.DataFrame:
    invoices = build_invoices(
        plan.config, plan.merchants, plan.contracts, declines, processes
    )
    paid = invoices["paid_day"].to_numpy()
    return pd.DataFrame(
        {
            "invoice_id": invoices["invoice_id"],
            "merchant_id": invoices["merchant_id"],
            "contract_id": invoices["contract_id"],
            "issue_date": invoices["issue_day"],
            "due_date": invoices["due_day"],
            "amount": invoices["amount_cents"],
            "paid_date": _nullable(paid, paid < 0),
            "status": invoices["status"],
        }
    )


def _tickets_frame(
    plan: Plan, contacts: ContactTable, declines: dict, processes: int
) -> pd.DataFrame:
    tickets = build_tickets(plan.config, plan.merchants, contacts, declines, processes)
    closed = tickets["closed_seconds"].to_numpy()
    return pd.DataFrame(
        {
            "ticket_id": tickets["ticket_id"],
            "merchant_id": tickets["merchant_id"],
            "contact_id": tickets["contact_id"],
            "opened_at": tickets["opened_seconds"],
            "closed_at": _nullable(closed, closed < 0),
            "priority": tickets["priority"],
            "category": tickets["category"],
            "status": tickets["status"],
        }
    )


def _support_frames(
    plan: Plan, contacts: ContactTable, processes: int
) -> Iterator[tuple[str, pd.DataFrame]]:
    """Yield each support table's frame, built only once the one before is used.

    At 100,000 merchants building one takes a few hundred MB (scaled from
    30,000), so the caller appends and drops each frame before the next.
    """
    declines = decline_windows(plan.contracts)
    yield "invoices", _invoices_frame(plan, declines, processes)
    yield "support_tickets", _tickets_frame(plan, contacts, declines, processes)
    nps = build_nps(plan.config, plan.merchants, contacts, declines, processes)
    yield "nps_responses", nps.rename(columns={"response_day": "response_date"})


def _write_activity(
    plan: Plan,
    contacts: ContactTable,
    database: TemporaryDatabase,
    batch_size: int,
    workers: ActivityWorkers | None,
    progress: bool,
) -> LostEvents:
    """Write activity in merchant batches; return the events the break lost."""
    inputs = ActivityInputs(
        ctx=build_context(plan),
        merchants=plan.merchants,
        contacts=contacts,
        edits=plan.edits,
        versions=plan.releases.versions,
    )
    lost = LostEvents({})
    with (
        tqdm(
            total=len(inputs.merchants),
            unit="merchant",
            disable=not progress,
            delay=2.0,
            file=sys.stderr,
            desc="activity",
        ) as bar,
        closing(activity_batches(inputs, batch_size, workers)) as batches,
        database.bulk_append(),
    ):
        for batch in batches:
            for table, frame in batch.frames.items():
                database.append(table, frame)
            lost.days.update(batch.lost_days)
            bar.update(batch.merchants)
    return lost


def _as_of_macro(config: Config) -> str:
    comment = AS_OF_COMMENT.replace("'", "''")
    return (
        f"CREATE MACRO as_of_date() AS DATE '{config.as_of.isoformat()}';\n"
        f"COMMENT ON MACRO as_of_date IS '{comment}';"
    )


def _dataset_info(config: Config) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "seed": [config.seed],
            "merchants": [config.merchants],
            "as_of": [config.as_of_day],
            "history_days": [config.history_days],
            "generator_version": [__version__],
        }
    )


def _release(plan: Plan, *parts: str) -> None:
    """Set these parts of the plan to None, once written and read no more.

    At 100,000 merchants the contacts and the contracts take about 400 MB
    (scaled from 30,000), which the activity and the score-drop queries
    need more. A step that reads a released part fails on None rather
    than going unnoticed.
    """
    for part in parts:
        setattr(plan, part, None)


def _write_dataset(
    plan: Plan,
    dataset: TemporaryDatabase,
    batch_size: int,
    workers: ActivityWorkers | None,
    processes: int,
    progress: bool,
) -> LostEvents:
    """Write every candidate table; return the feature events the break lost.

    ``workers`` generate the activity, and ``processes`` is how many
    processes build the support tables.
    """
    dataset.execute(_as_of_macro(plan.config))
    dataset.execute(schema_sql())
    for table, frame in _dimension_frames(plan).items():
        dataset.append(table, frame)
    contacts = ContactTable(plan.contacts)
    _release(plan, "contacts", "pools")
    for table, frame in _support_frames(plan, contacts, processes):
        dataset.append(table, frame)
        # Dropped before the next frame is built, so two frames never exist
        # at once.
        del frame
    _release(plan, "contracts")
    lost = _write_activity(plan, contacts, dataset, batch_size, workers, progress)
    _release(plan, "merchants", "edits")
    dataset.append("dataset_info", _dataset_info(plan.config))
    return lost


def _planted_counts(plan: Plan, merchants_affected: int) -> dict[str, int]:
    """Return merchants per scenario, in planting order.

    broken_tracking_event hits every merchant, so it counts the merchants
    that lost at least one event.
    """
    counts: dict[str, int] = {}
    for item in plan.planted:
        if item.merchant_id is None:
            counts[item.scenario] = merchants_affected
        else:
            counts[item.scenario] = counts.get(item.scenario, 0) + 1
    return counts


def _start_workers(count: int) -> AbstractContextManager[ActivityWorkers | None]:
    """Fork ``count`` activity workers now, or none for a count of 1.

    Called before the plan is built, so the workers share none of it.
    """
    return ActivityWorkers(count) if count > 1 else nullcontext()


def generate(
    out: Path,
    *,
    seed: int = DEFAULT_SEED,
    merchants: int = DEFAULT_MERCHANTS,
    as_of: date = DEFAULT_AS_OF,
    history_days: int = DEFAULT_HISTORY_DAYS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int | None = None,
    progress: bool = False,
) -> Summary:
    """Write the merchant dataset to ``out`` and its answer key beside it.

    Both files are replaced atomically, and on any error neither changes.
    ``batch_size`` sets how many merchants are generated and written at a
    time, which bounds memory and never changes the data. ``workers`` sets
    how many processes generate activity while this one writes it, and
    how many share the per-merchant work of planning and of the support
    tables in runs of 4,000 merchants or more (by default one per core, at
    most eight; 1 does everything in this process), which never changes the
    data either. ``progress`` shows a progress bar on stderr for runs
    longer than two seconds.
    Raises InvalidOption or OutputNotWritable (both DatagenError) for
    values the caller can fix.
    """
    started = time.perf_counter()
    config = Config(
        seed=seed, merchants=merchants, as_of=as_of, history_days=history_days
    )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise InvalidOption("batch_size", repr(batch_size), "expected a whole number")
    if batch_size < 1:
        raise InvalidOption("batch_size", batch_size, "expected 1 or more")
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise InvalidOption("workers", repr(workers), "expected a whole number")
    if workers < 1:
        raise InvalidOption("workers", workers, "expected 1 or more")
    if workers > MAX_WORKERS:
        raise InvalidOption("workers", workers, f"expected at most {MAX_WORKERS}")
    # DuckDB expands a leading ~ itself, so the paths beside it must too.
    out = Path(out).expanduser()
    answers = answers_path(out)
    created = prepare_folder(out, (answers,))
    try:
        with (
            _start_workers(workers) as pool,
            TemporaryDatabase(out) as dataset,
            TemporaryDatabase(answers) as key,
        ):
            plan = build_plan(config, workers)
            log.info("planned in %.1f s", time.perf_counter() - started)
            # Taken now, because writing the dataset releases the contracts.
            outcomes = renewal_outcomes(plan)
            lost_events = _write_dataset(
                plan, dataset, batch_size, pool, workers, progress
            )
            lost = lost_events.per_merchant()
            drops = score_drop_frame(
                dataset.connection,
                plan,
                lost_events.frame(
                    plan.tracking_break.feature_name, plan.tracking_break.platform
                ),
            )
            rows = {
                table: dataset.connection.execute(
                    f"SELECT count(*) FROM {table}"
                ).fetchone()[0]
                for table in TABLES
            }
            write_answer_key(
                key,
                plan.planted,
                outcomes,
                plan.tracking_break,
                sum(lost.values()),
                len(lost),
                drops,
                _dataset_info(config),
                dataset.table_ddl("dataset_info"),
            )
            publish_together(dataset, key)
    except BaseException as error:
        remove_folders(created)
        replacement = replacement_error(out, error)
        if replacement is None:
            raise
        raise replacement from error
    seconds = time.perf_counter() - started
    log.info("wrote %s in %.1f s", out, seconds)
    return Summary(
        out=out,
        answers=answers,
        seed=config.seed,
        merchants=config.merchants,
        as_of=config.as_of,
        history_days=config.history_days,
        rows=rows,
        planted=_planted_counts(plan, len(lost)),
        seconds=seconds,
    )
