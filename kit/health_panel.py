"""The weight panel: a slider per weight that redraws the scores as they move.

``panel_view`` does the computing and is plain Python, so tests call it
directly; ``weight_panel`` wraps it in ipywidgets for the notebook. The
score function is the candidate's own, called with the slider weights.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from kit import health

BAND_ORDER = ("red", "yellow", "green")
BAND_COLOURS = {"red": "#c0392b", "yellow": "#e0a800", "green": "#2e8b57"}
SLIDER_MAX = 50
SLIDER_STEP = 5
SCORE_COLUMNS = ("merchant_id", "health_score", "band")


class PanelError(ValueError):
    """The score function gave something the panel cannot draw."""


@dataclass
class PanelView:
    """What the panel shows for one set of weights."""

    weights: dict[str, float]
    scores: pd.DataFrame
    band_counts: dict[str, int]
    conflicted: pd.DataFrame


def panel_view(
    inputs: pd.DataFrame,
    weights: dict[str, float],
    score: Callable[[pd.DataFrame, dict], pd.DataFrame],
    watch: Iterable[int],
) -> PanelView:
    """Score ``inputs`` with ``weights`` and list the watched merchants in red.

    ``watch`` holds the merchants the AM calls healthy because they renewed
    recently; those the score puts in the red band are the conflicted ones.
    """
    if not any(weight > 0 for weight in weights.values()):
        raise PanelError("every weight is 0: move at least one slider above 0")
    scores = score(inputs, dict(weights))
    if not isinstance(scores, pd.DataFrame):
        raise PanelError(
            f"health_score returned {type(scores).__name__}, not a DataFrame: "
            "finish the health_score exercise, then run this cell again"
        )
    missing = [column for column in SCORE_COLUMNS if column not in scores.columns]
    if missing:
        raise PanelError(
            f"health_score's result lacks {', '.join(missing)}: return the "
            f"columns {', '.join(SCORE_COLUMNS)}"
        )
    scores = scores[list(SCORE_COLUMNS)].copy()
    scores["band"] = scores["band"].astype("string").str.lower()
    counts = {band: int((scores["band"] == band).sum()) for band in BAND_ORDER}
    watched = scores["merchant_id"].isin(list(watch))
    conflicted = (
        scores[watched & (scores["band"] == "red")]
        .sort_values(["health_score", "merchant_id"])
        .reset_index(drop=True)
    )
    return PanelView(dict(weights), scores, counts, conflicted)


def weight_panel(inputs, score, watch, weights=None):
    """Return the widget: sliders, the score histogram and the conflicted list."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    watch = list(watch)
    start = dict(weights or health.WEIGHTS)
    sliders = {
        name: widgets.IntSlider(
            value=int(value),
            min=0,
            max=SLIDER_MAX,
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
        label = f"{band} ({view.band_counts[band]})"
        axis.hist(values, bins=bins, color=BAND_COLOURS[band], label=label)
    axis.set_xlabel("health score")
    axis.set_ylabel("merchants")
    axis.set_xlim(0, 100)
    axis.legend()
    figure.tight_layout()
