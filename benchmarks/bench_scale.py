"""Series mode on long series: time per epoch and peak memory against n.

Each size runs in a fresh process so that its peak resident memory is its
own. Windows are gathered from the series batch by batch, so memory should
grow with the series (8 bytes per value), not with n x window_length.

    python benchmarks/bench_scale.py [--sizes 10000 100000 1000000]
"""

import argparse
import json
import platform
import subprocess
import sys

_CHILD = """
import json, resource, sys, time
import numpy as np
from sklearn.pipeline import make_pipeline
from skseq import RNNRegressor, SequenceWindower

n, window_length, batch_size = (int(a) for a in sys.argv[1:4])
rng = np.random.default_rng(0)
series = np.sin(np.arange(n) / 50) + 0.1 * rng.standard_normal(n)
pipe = make_pipeline(SequenceWindower(window_length),
                     RNNRegressor(cell="lstm", units=32, epochs=1,
                                  batch_size=batch_size, random_state=0))
# Warm-up on a short series so that TensorFlow's start-up is not counted.
pipe.fit(series[:1000])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
pipe.fit(series)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n": n, "seconds": seconds, "peak_rss_mb": peak / 1024,
                  "growth_mb": (peak - before) / 1024}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000]
    )
    parser.add_argument("--window-length", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}")
    print(
        f"LSTM(32), window_length={args.window_length}, "
        f"batch_size={args.batch_size}, one epoch, series mode"
    )
    header = (
        f"{'n':>9} {'s/epoch':>8} {'windows/s':>10} {'series MB':>9} "
        f"{'windows MB':>10} {'RSS growth MB':>13}"
    )
    print(header)
    for n in args.sizes:
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(n),
                str(args.window_length),
                str(args.batch_size),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        windows = n - args.window_length
        print(
            f"{n:>9} {row['seconds']:>8.2f} {windows / row['seconds']:>10.0f} "
            f"{n * 8 / 2**20:>9.1f} {windows * args.window_length * 8 / 2**20:>10.1f} "
            f"{row['growth_mb']:>13.1f}"
        )


if __name__ == "__main__":
    main()
