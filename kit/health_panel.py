"""The weight panel: a slider per weight that redraws the scores as they move.

``panel_view`` does the computing and is plain Python, so tests call it
directly; ``weight_panel`` wraps it in ipywidgets for the notebook. The
score function is the candidate's own, called with the slider weights.
"""

import math
import numbers
import sysconfig
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kit import health
from kit.normalize import is_missing

BAND_ORDER = ("red", "yellow", "green")
BAND_COLOURS = {"red": "#c0392b", "yellow": "#e0a800", "green": "#2e8b57"}
SLIDER_MAX = 50
SLIDER_STEP = 5
SCORE_COLUMNS = ("merchant_id", "health_score", "band")


class PanelError(ValueError):
    """The panel's arguments or the score function's result cannot be drawn."""


@dataclass
class PanelView:
    """What the panel shows for one set of weights.

    ``unscored`` counts the merchants without a score or a band, which the
    histogram leaves out.
    """

    weights: dict[str, float]
    scores: pd.DataFrame
    band_counts: dict[str, int]
    conflicted: pd.DataFrame
    unscored: int = 0


def panel_view(
    inputs: pd.DataFrame,
    weights: Mapping[str, float],
    score: Callable[[pd.DataFrame, dict], pd.DataFrame],
    watch: Iterable[int],
) -> PanelView:
    """Score ``inputs`` with ``weights`` and list the watched merchants in red.

    ``watch`` contains the merchants the AM calls healthy because they
    renewed recently: a list or Series of ids, or a DataFrame with a
    merchant_id column. Those the score puts in the red band are the
    conflicted ones. Raises PanelError, naming the value and the fix, for
    invalid weights or watch ids, a score function that raises, and a
    result without one numeric score and one band per merchant.
    """
    weights = checked_weights(weights)
    watched_ids = watch_ids(watch)
    scores = _checked_scores(_call_score(score, inputs, weights))
    counts = {band: int((scores["band"] == band).sum()) for band in BAND_ORDER}
    unscored = int((scores["health_score"].isna() | scores["band"].isna()).sum())
    watched = scores["merchant_id"].isin(watched_ids)
    conflicted = (
        scores[watched & (scores["band"] == "red")]
        .sort_values(["health_score", "merchant_id"])
        .reset_index(drop=True)
    )
    return PanelView(weights, scores, counts, conflicted, unscored)


def checked_weights(weights) -> dict[str, float]:
    """Return ``weights`` as a dict, raising PanelError for an invalid one."""
    if not isinstance(weights, Mapping):
        raise PanelError(
            f"weights has the type {type(weights).__name__}: pass a dict of weights "
            "by component name, such as health.WEIGHTS"
        )
    unknown = [str(name) for name in weights if name not in health.WEIGHTS]
    if unknown:
        raise PanelError(
            f"no component named {', '.join(unknown)}: name weights after the "
            f"components {', '.join(health.WEIGHTS)}"
        )
    for name, weight in weights.items():
        is_number = isinstance(weight, numbers.Real) and not isinstance(weight, bool)
        if not is_number or math.isnan(weight) or weight < 0:
            raise PanelError(
                f"the weight of {name} is {weight!r}: give every weight as a "
                "number from 0 up"
            )
    if not any(weight > 0 for weight in weights.values()):
        raise PanelError("every weight is 0: move at least one slider above 0")
    return dict(weights)


def watch_ids(watch) -> list:
    """Return the merchant ids of ``watch``, raising PanelError for another value."""
    if isinstance(watch, pd.DataFrame):
        by_name = {str(name).lower(): name for name in watch.columns}
        if "merchant_id" not in by_name:
            raise PanelError(
                "watch is a DataFrame without a merchant_id column: pass the "
                "merchant ids, such as renewed_recently['merchant_id']"
            )
        return list(watch[by_name["merchant_id"]])
    if isinstance(watch, str | bytes) or not isinstance(watch, Iterable):
        raise PanelError(
            f"watch has the type {type(watch).__name__}: pass a list or Series "
            "of merchant ids"
        )
    return list(watch)


def _call_score(score, inputs: pd.DataFrame, weights: dict) -> object:
    if not callable(score):
        raise PanelError(
            f"the score function has the type {type(score).__name__}: pass the "
            "health_score function itself, without calling it"
        )
    try:
        return score(inputs, dict(weights))
    except Exception as error:  # the candidate's function may raise anything
        frame = _own_frame(error)
        place = f" in {frame.name}, `{frame.line}`" if frame else ""
        raise PanelError(
            f"health_score raised {type(error).__name__}: {error}{place}. Fix "
            "health_score, run its cell, then run this one again"
        ) from error


def _own_frame(error: Exception) -> traceback.FrameSummary | None:
    """Return the innermost frame of the error that is not library or kit code."""
    library = [
        str(Path(sysconfig.get_paths()[name]).resolve())
        for name in ("stdlib", "purelib", "platlib")
    ]
    library.append(str(Path(__file__).resolve().parent))
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if not str(Path(frame.filename).resolve()).startswith(tuple(library)):
            return frame
    return None


def _checked_scores(scores) -> pd.DataFrame:
    """Return the score columns of ``scores``, with bands in lower case."""
    if not isinstance(scores, pd.DataFrame):
        raise PanelError(
            f"health_score returned {type(scores).__name__}, not a DataFrame: "
            "finish the health_score exercise, then run this cell again"
        )

    scores = scores.rename(columns=lambda name: str(name).lower())
    missing = [column for column in SCORE_COLUMNS if column not in scores.columns]
    if missing:
        in_index = "merchant_id" in missing and "merchant_id" in scores.index.names
        fix = (
            "call reset_index() on it"
            if in_index
            else f"return the columns {', '.join(SCORE_COLUMNS)}"
        )
        raise PanelError(f"health_score's result lacks {', '.join(missing)}: {fix}")

    scores = scores[list(SCORE_COLUMNS)].reset_index(drop=True)
    repeated = scores["merchant_id"][scores["merchant_id"].duplicated()]
    if len(repeated):
        raise PanelError(
            f"health_score returned merchant {repeated.iloc[0]} more than once: "
            "return one row per merchant"
        )

    scores["health_score"] = _numeric_scores(scores["health_score"])
    bands = scores["band"].astype("string").str.lower()
    known_bands = bands.dropna()
    unknown = known_bands[~known_bands.isin(BAND_ORDER)]
    if len(unknown):
        raise PanelError(
            f"band contains {unknown.iloc[0]!r}: use {', '.join(BAND_ORDER)}"
        )
    return scores.assign(band=bands)


def _numeric_scores(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values
    for value in values:
        is_number = isinstance(value, numbers.Number) and not isinstance(value, bool)
        if not is_missing(value) and not is_number:
            raise PanelError(
                f"health_score contains {value!r}, which is not a number: return "
                "the scores as numbers"
            )
    return pd.to_numeric(values).astype("float64")


def weight_panel(inputs, score, watch, weights=None):
    """Return the widget: sliders, the score histogram and the conflicted list.

    Prints why instead when the weights or the watch list are invalid, and
    returns None.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    try:
        start = checked_weights(health.WEIGHTS if weights is None else weights)
        watch = watch_ids(watch)
    except PanelError as error:
        print(f"Cannot draw the panel: {error}.")
        return None
    largest = math.ceil(max(start.values()) / SLIDER_STEP) * SLIDER_STEP
    sliders = {
        name: widgets.IntSlider(
            value=round(value),
            min=0,
            max=max(SLIDER_MAX, largest),
            step=SLIDER_STEP,
            description=name,
            continuous_update=False,
            style={"description_width": "9em"},
        )
        for name, value in start.items()
    }
    output = widgets.Output()

    def redraw(_change=None) -> None:
        current = {name: slider.value for name, slider in sliders.items()}
        with output:
            output.clear_output(wait=True)
            try:
                view = panel_view(inputs, current, score, watch)
            except PanelError as error:
                print(f"Cannot draw the panel: {error}.")
                return
            _draw(plt, view)
            plt.show()
            if view.unscored:
                print(
                    f"{view.unscored} merchants have no score or no band, so "
                    "the histogram leaves them out."
                )
            print(
                f"{len(view.conflicted)} of {len(watch)} recently renewed "
                "merchants score red:"
            )
            display(view.conflicted)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.VBox(list(sliders.values())), output])


def _draw(plt, view: PanelView) -> None:
    figure, axis = plt.subplots(figsize=(7, 3))
    bins = list(range(0, 105, 5))
    for band in BAND_ORDER:
        values = view.scores.loc[view.scores["band"] == band, "health_score"]
        values = values.dropna()
        label = f"{band} ({view.band_counts[band]})"
        axis.hist(values, bins=bins, color=BAND_COLOURS[band], label=label)
    axis.set_xlabel("health score")
    axis.set_ylabel("merchants")
    axis.set_xlim(0, 100)
    axis.legend()
    figure.tight_layout()
