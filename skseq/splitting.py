"""Time-ordered cross-validation over many series at once."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.model_selection import BaseCrossValidator

from skseq._panel import series_order

__all__ = ["PanelTimeSeriesSplit"]


class PanelTimeSeriesSplit(BaseCrossValidator):
    """Time-ordered folds over a panel: every series cut at its own point in time.

    Split ``i`` of ``n_splits`` cuts each series ``(n_splits - i) *
    test_size`` steps before its end (or at a common calendar date with
    ``calendar=True``). The training part is everything before the cut; the
    test part holds the next ``test_size`` steps of each
    series *and the history before them*, so that the first test windows
    have their context. Scores count only the targets after each series'
    training end: the pipeline's :class:`~skseq.SequenceWindower` remembers
    that end in ``fit`` (``series_end_``), so no scored target lies at or
    before its own series' training end, whatever the window length.

    Works as ``cv=`` in ``cross_validate``, ``GridSearchCV``,
    ``validation_curve`` and :func:`~skseq.compare`. Because the test part
    repeats the history, test folds overlap the training rows: it does not
    suit ``cross_val_predict``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 1).
    test_size : int, default=None
        Steps per series in each test part. None uses the shortest series'
        length // (n_splits + 1).
    max_train_size : int, default=None
        At most this many steps per series in a training part (the latest).
    context : int, default=None
        At most this many history steps before each test part (None: all of
        them). Must cover the longest window searched.
    calendar : bool, default=False
        Cut every series at the same times (counted back from the panel's
        latest time), instead of at the same distance from its own end. A
        series without rows before a cut is left out of that fold.
    id_column : str, default="unique_id"
        Column naming each row's series; ``groups`` passed to ``split`` win
        over it. A frame without it is one series.
    time_column : str, default="ds"
        Column of times (datetimes or integers) ordering each series; without
        it, the row order.

    Examples
    --------
    >>> import pandas as pd
    >>> from skseq import PanelTimeSeriesSplit
    >>> panel = pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 4,
    ...                       "ds": list(range(6)) + list(range(4)),
    ...                       "y": range(10)})
    >>> for train, test in PanelTimeSeriesSplit(n_splits=2, test_size=1).split(panel):
    ...     print(sorted(panel.y[train]), sorted(panel.y[test]))
    [0, 1, 2, 3, 6, 7] [0, 1, 2, 3, 4, 6, 7, 8]
    [0, 1, 2, 3, 4, 6, 7, 8] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """

    def __init__(
        self,
        n_splits=5,
        test_size=None,
        *,
        max_train_size=None,
        context=None,
        calendar=False,
        id_column="unique_id",
        time_column="ds",
    ):
        self.n_splits = n_splits
        self.test_size = test_size
        self.max_train_size = max_train_size
        self.context = context
        self.calendar = calendar
        self.id_column = id_column
        self.time_column = time_column

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds, ``n_splits``."""
        self._check_params()
        return int(self.n_splits)

    def split(self, X, y=None, groups=None):
        """Yield the rows of each fold's training and test parts.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_rows, ...)
            The long panel (rows in any order).
        y : None
            Ignored.
        groups : array-like of shape (n_rows,), default=None
            Each row's series; by default the ``id_column`` of ``X``.

        Yields
        ------
        train : ndarray
            Row positions of the training part.
        test : ndarray
            Row positions of the test part: the test steps and the history
            before them.
        """
        self._check_params()
        self._check_columns(X, groups)
        series = _series_rows(X, groups, self.id_column, self.time_column)
        lengths = [len(rows) for rows in series]
        test_size = self.test_size
        if test_size is None:
            test_size = min(lengths) // (self.n_splits + 1)
            if test_size < 1:
                raise ValueError(
                    f"The shortest series has {min(lengths)} rows: too few for "
                    f"n_splits={self.n_splits} folds; give test_size or fewer splits."
                )
        if self.calendar:
            cuts = self._calendar_cuts(X, series, test_size)
        else:
            cuts = None
        for i in range(self.n_splits):
            train, test = [], []
            for j, rows in enumerate(series):
                n = len(rows)
                if cuts is None:
                    test_end = n - (self.n_splits - 1 - i) * test_size
                    test_start = test_end - test_size
                else:
                    test_start, test_end = cuts[j][i]
                train_end = test_start
                if train_end < 1:
                    continue  # no training rows in this fold
                first = 0
                if self.max_train_size is not None:
                    first = max(0, train_end - self.max_train_size)
                train.append(rows[first:train_end])
                if test_end <= test_start:
                    continue  # it trains, but has nothing to test in this fold
                history = 0
                if self.context is not None:
                    history = max(0, test_start - self.context)
                test.append(rows[history:test_end])
            if not train:
                raise ValueError(
                    f"Fold {i + 1} of {self.n_splits} leaves no series with training "
                    f"rows (test_size={test_size}): use fewer splits "
                    "or a smaller test_size."
                )
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))

    def _calendar_cuts(self, X, series, test_size):
        """Per series and fold, the test part's [start, stop) positions."""
        times = _times(X, self.time_column)
        if times is None:
            raise ValueError(
                "calendar=True needs a time column: time_column="
                f"{self.time_column!r} is not in the frame."
            )
        everything = np.unique(times)
        cuts = []
        for rows in series:
            mine = times[rows]
            folds = []
            for i in range(self.n_splits):
                stop = len(everything) - (self.n_splits - 1 - i) * test_size
                start = stop - test_size
                if start < 1:
                    raise ValueError(
                        f"calendar=True: the panel spans {len(everything)} distinct "
                        f"times, too few for {self.n_splits} folds of test_size="
                        f"{test_size}."
                    )
                low, high = everything[start - 1], everything[stop - 1]
                folds.append(
                    (
                        int(np.searchsorted(mine, low, side="right")),
                        int(np.searchsorted(mine, high, side="right")),
                    )
                )
            cuts.append(folds)
        return cuts

    def _check_columns(self, X, groups):
        """Refuse a frame without the named columns, rather than guess."""
        columns = list(getattr(X, "columns", []))
        names = {"id_column": self.id_column, "time_column": self.time_column}
        if groups is not None:
            names.pop("id_column")
        for name, column in names.items():
            if column is not None and column not in columns:
                raise ValueError(
                    f"PanelTimeSeriesSplit({name}={column!r}): the frame has no such "
                    f"column (it has {[str(c) for c in columns]}). Name the columns "
                    "your SequenceWindower reads, or set it to None (no id: one "
                    "series; no time: the row order)."
                )
        positions = self.time_column is None
        if positions and (self.max_train_size is not None or self.context is not None):
            raise ValueError(
                "max_train_size and context cut a series' first rows, which needs a "
                "time_column: without one, times are positions and would restart "
                "at the cut."
            )

    def _check_params(self):
        for name, low in (("n_splits", 1), ("test_size", 1)):
            value = getattr(self, name)
            if name == "test_size" and value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, Integral)
                or value < low
            ):
                raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
        for name in ("max_train_size", "context"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, Integral) or value < 1
            ):
                raise ValueError(f"{name} must be None or an int >= 1, got {value!r}.")


def _series_rows(X, groups, id_column, time_column):
    """Row positions of each series, in time order."""
    n_rows = len(X)
    if groups is not None:
        ids = np.asarray(groups)
        if len(ids) != n_rows:
            raise ValueError(
                f"groups has {len(ids)} entries for {n_rows} rows; give one per row."
            )
    elif isinstance(X, pd.DataFrame) and id_column in X.columns:
        ids = X[id_column].to_numpy()
    else:
        ids = np.zeros(n_rows, np.int64)
    codes = pd.factorize(ids, sort=False)[0]
    order, cuts = series_order(codes, _times(X, time_column))
    return np.split(order, cuts)


def _times(X, time_column):
    if isinstance(X, pd.DataFrame) and time_column in X.columns:
        column = X[time_column]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            return column.to_numpy(dtype="datetime64[ns]").view("int64")
        return column.to_numpy()
    return None
