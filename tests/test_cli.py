"""The skseq command line.

The datasets are tested in test_datasets.py; ``python -m skseq compare --help``
(answered without TensorFlow) in test_windowing.py's light-path check.
"""

import importlib.util

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from skseq.cli import architectures, main


@pytest.mark.keras
def test_compare_prints_a_table_for_every_architecture(capsys, tmp_path):
    """skseq compare on the default series prints one row per architecture."""
    plot = tmp_path / "cmp.png"
    args = ["compare", "--epochs", "2", "--folds", "2", "--window-length", "6"]
    status = main([*args, "--plot", str(plot)])
    out, err = capsys.readouterr()
    assert status == 0
    rows = [line.split()[0] for line in out.splitlines()]
    assert {"Naive", "Dense", "SimpleRNN", "LSTM", "GRU"} <= set(rows)
    assert {"ETS", "ARIMA", "Theta"} <= set(rows)  # statsmodels: the test extra
    for column in ("score_mean", "skill", "n_params", "fit_time_s", "p_value"):
        assert column in out
    assert "airline" in out
    assert "16/16 fits" in err  # the progress bar goes to stderr
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.keras
def test_compare_gives_each_network_a_row_per_window(tmp_path, capsys):
    """--window-length 4 8: Dense (4) and Dense (8), the reference rows once."""
    path = tmp_path / "data.csv"
    pd.DataFrame({"y": np.sin(np.arange(60) / 3)}).to_csv(path, index=False)
    args = ["compare", "--csv", str(path), "--window-length", "4", "8"]
    assert main([*args, "--epochs", "1", "--folds", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for name in ("Dense", "SimpleRNN", "LSTM", "GRU"):
        assert [line.split(")")[0] for line in lines if line.startswith(name)] == [
            f"{name} (4",
            f"{name} (8",
        ] + (["Dense (K"] if name == "Dense" else [])  # the note under the table
    assert sum(line.startswith("Naive ") for line in lines) == 1
    assert "window_length=4/8" in out
    assert "each fold's values after its first 8" in out
    from skseq.cli import _window_models

    # the reference rows take the shortest window, whatever the order given
    assert _window_models([8, 4], 1, None)["Naive"][0].window_length == 4


def test_compare_window_lengths_extend_when_the_option_repeats():
    from skseq.cli import _parser

    args = _parser().parse_args(
        ["compare", "--window-length", "4", "--window-length", "8"]
    )
    assert args.window_length == [4, 8]
    assert _parser().parse_args(["compare"]).window_length is None  # main: [12]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--window-length", "12", "24", "12"], "lists 12 more than once"),
        (
            ["--window-length", "4", "8", "--id-column", "id"],
            "several --window-length values are for one series",
        ),
    ],
)
def test_compare_refuses_repeated_windows_and_several_on_a_panel(
    capsys, extra, message
):
    with pytest.raises(SystemExit):
        main(["compare", *extra])
    assert message in capsys.readouterr().err


@pytest.mark.keras
def test_compare_reads_a_users_csv(tmp_path, capsys):
    """--csv/--column run the comparison on the user's data."""
    path = tmp_path / "data.csv"
    frame = pd.DataFrame({"day": range(80), "load": np.sin(np.arange(80) / 3)})
    frame.to_csv(path, index=False)
    args = ["compare", "--csv", str(path), "--column", "load", "--epochs", "2"]
    assert main([*args, "--folds", "2", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "[load]" in out and "80 values" in out and err == ""


@pytest.mark.parametrize(
    ("content", "column", "message"),
    [
        ("a,b\n1,2\n3,4\n", "c", "'c' is not in"),
        ("a,b\n1,2\n3,4\n", None, "--column is required"),
        ("a\n1\nx\n3\n", "a", "row 1 holds 'x'"),
        ("v\n1\n2\n3\n4\n5\n", "v", "has 5 values; 3 folds with window_length=12"),
    ],
)
def test_compare_reports_bad_csv_input(tmp_path, capsys, content, column, message):
    """A missing column or non-numeric values give a one-line error."""
    path = tmp_path / "bad.csv"
    path.write_text(content)
    args = ["compare", "--csv", str(path)] + (["--column", column] if column else [])
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_forecast_prints_dated_bounds_and_draws_them(capsys, tmp_path):
    """skseq forecast on the airline default: 12 dated rows with bounds."""
    plot = tmp_path / "forecast.png"
    args = ["forecast", "--model", "seasonalnaive", "--steps", "12"]
    assert main([*args, "--coverage", "0.9", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "forecast" in out and "lower" in out and "upper" in out
    assert "1961-01-01" in out and "1961-12-01" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.keras
def test_forecast_of_a_network_repeats_with_its_seed(capsys):
    """The same --seed prints the same numbers; another seed trains another net."""
    args = ["forecast", "--model", "dense", "--epochs", "2", "--steps", "3"]
    headers, printed = [], []
    for seed in ([], ["--seed", "0"], ["--seed", "1"]):
        assert main([*args, *seed]) == 0
        lines = capsys.readouterr().out.splitlines()
        headers.append(lines[0])  # it holds the wall time too
        printed.append(lines[1:])
    assert ", seed=0," in headers[0] and ", seed=1," in headers[2]
    assert printed[0] == printed[1]
    assert printed[0] != printed[2]


def test_forecast_reads_a_users_csv_with_dates(tmp_path, capsys):
    path = tmp_path / "data.csv"
    dates = pd.date_range("2020-01-01", periods=120, freq="D")
    frame = pd.DataFrame({"day": dates, "load": np.sin(np.arange(120) / 3)})
    frame.to_csv(path, index=False)
    args = ["forecast", "--csv", str(path), "--column", "load", "--date-column"]
    assert main([*args, "day", "--model", "naive", "--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "[load]" in out and "2020-04-30" in out


@pytest.mark.parametrize("coverage", ["90", "1.5", "0"])
def test_forecast_refuses_a_coverage_that_is_not_a_fraction(capsys, coverage):
    with pytest.raises(SystemExit) as exit_info:
        main(["forecast", "--model", "naive", "--coverage", coverage])
    assert exit_info.value.code == 2
    assert "coverage must be a fraction" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "expected"),
    [([], "auto"), (["--epochs", "auto"], "auto"), (["--epochs", "7"], 7)],
)
def test_epochs_default_to_the_networks_auto(capsys, monkeypatch, given, expected):
    """--epochs is "auto" unless given; an int reaches every network as given."""
    from skseq import NaiveRegressor, SequenceWindower, cli

    seen = []

    def baselines(window_length, epochs, **_):
        seen.append(epochs)
        model = Pipeline(
            [("window", SequenceWindower(window_length)), ("m", NaiveRegressor())]
        )
        return {"Naive": model}

    monkeypatch.setattr(cli, "architectures", baselines)
    assert main(["compare", "--quiet", *given]) == 0
    assert seen == [expected]
    assert f"epochs={expected}," in capsys.readouterr().out


@pytest.mark.parametrize("epochs", ["0", "many", "2.5"])
def test_compare_refuses_epochs_that_are_neither_auto_nor_positive(capsys, epochs):
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", "--epochs", epochs])
    assert exit_info.value.code == 2
    assert "--epochs: must be 'auto' or an integer >= 1" in capsys.readouterr().err


def test_compare_with_coverage_reports_interval_columns(capsys, monkeypatch):
    """--coverage wraps every model in a ConformalRegressor (networks stubbed)."""
    from skseq import NaiveRegressor, SeasonalNaiveRegressor, SequenceWindower, cli

    def baselines(window_length, epochs, **_):
        return {
            name: Pipeline([("window", SequenceWindower(window_length)), ("m", m)])
            for name, m in [
                ("Naive", NaiveRegressor()),
                ("Seasonal", SeasonalNaiveRegressor(12)),
            ]
        }

    monkeypatch.setattr(cli, "architectures", baselines)
    args = ["compare", "--coverage", "0.9", "--quiet", "--dm-loss", "winkler"]
    assert main(args) == 0
    out = capsys.readouterr().out
    for column in ("coverage", "mean_width", "winkler"):
        assert column in out


def test_compare_with_coverage_keeps_a_classical_row_too_short_to_calibrate(
    capsys, monkeypatch
):
    """A model that cannot fit on the first fold's calibration head keeps its
    point row without intervals, and the note says why, instead of an error."""
    pytest.importorskip("statsmodels")
    from skseq import NaiveRegressor, SequenceWindower, ThetaRegressor, cli

    def rows(window_length, epochs, **_):
        return {
            name: Pipeline([("window", SequenceWindower(window_length)), ("m", m)])
            for name, m in [("Naive", NaiveRegressor()), ("Theta", ThetaRegressor(12))]
        }

    monkeypatch.setattr(cli, "architectures", rows)
    # 5 folds of airline: the first trains on 24 values and holds out 9 of
    # them, so the calibration fit has 15, and Theta needs two seasons (24).
    assert main(["compare", "--coverage", "0.9", "--folds", "5", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "none for Theta (needs 24): calibrating in the first fold leaves 15" in out
    theta = next(line for line in out.splitlines() if line.startswith("Theta "))
    naive = next(line for line in out.splitlines() if line.startswith("Naive "))
    assert theta.count("NaN") >= 3 and naive.count("NaN") < 3


@pytest.mark.keras
def test_compare_runs_on_a_users_panel(tmp_path, capsys):
    """--id-column/--time-column train one network per architecture over a panel."""
    from conftest import make_panel

    path = tmp_path / "panel.csv"
    make_panel().to_csv(path, index=False)  # dates become text in the file
    args = ["compare", "--csv", str(path), "--id-column", "unique_id"]
    args += ["--time-column", "ds", "--column", "y", "--epochs", "2", "--folds", "2"]
    assert main([*args, "--window-length", "4", "--test-size", "3", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "3 series, 94 rows" in out and err == ""
    for column in ("mase_mean", "mase_median", "beats_snaive", "p_value"):
        assert column in out
    rows = [line.split()[0] for line in out.splitlines() if line]
    assert {"Naive", "Dense", "SimpleRNN", "LSTM", "GRU"} <= set(rows)


def test_panel_options_need_a_csv_and_a_regular_time_column(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--id-column", "unique_id"])
    assert "--id-column and --time-column need --csv" in capsys.readouterr().err
    path = tmp_path / "panel.csv"
    pd.DataFrame({"id": ["a"] * 3, "t": ["x", "y", "z"], "v": [1, 2, 3]}).to_csv(
        path, index=False
    )
    with pytest.raises(SystemExit):
        main(["compare", "--csv", str(path), "--id-column", "id", "--time-column", "t"])
    assert "holds neither integers nor dates" in capsys.readouterr().err


@pytest.mark.keras
def test_compare_leaves_the_classical_rows_out_without_statsmodels(monkeypatch):
    """Without the stats extra, compare's rows are naive and the networks."""
    find_spec = importlib.util.find_spec

    def without_statsmodels(name, *args):
        return None if name == "statsmodels" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_statsmodels)
    rows = architectures(6, 2, season_length=12)
    assert set(rows) == {"Naive", "Dense", "SimpleRNN", "LSTM", "GRU"}
    monkeypatch.undo()
    assert {"ETS", "ARIMA", "Theta"} <= set(architectures(6, 2, season_length=12))
