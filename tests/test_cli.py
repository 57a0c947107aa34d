"""The skseq command line.

The datasets are tested in test_datasets.py; ``python -m skseq compare --help``
(answered without TensorFlow) in test_windowing.py's light-path check.
"""

import numpy as np
import pandas as pd
import pytest

from skseq.cli import main


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
