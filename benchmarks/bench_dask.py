"""DistilledClassifier.fit on dask arrays against the in-memory fit.

    python benchmarks/bench_dask.py [--rows 6400000] [--memory-limit 320MiB] [--quick]

On a LocalCluster of 2 worker processes with a low memory limit, X (generated
block by block on the workers, never materialised anywhere whole) is several
times the memory limit of one worker. The script prints, side by side in one
run: the wall time of the distributed fit and of the in-memory fit on the same
rows (ratio), the peak resident memory of the client and of each worker
against the bytes of X, the number of passes over X per fit (counted on the
workers, in the function that makes X's blocks), and how far apart the two
students are.
"""

import argparse
import threading
import time

import numpy as np
import psutil
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from _memory import PeakRSS
from skdistill import DistilledClassifier

N_FEATURES = 20
N_CLASSES = 3
CHUNK = 50_000


def _rows(i, n):
    """Block ``i`` of the data set (inputs and labels), the same in every process."""
    rng = np.random.default_rng(i)
    X = rng.standard_normal((n, N_FEATURES))
    W = np.random.RandomState(0).normal(size=(N_FEATURES, N_CLASSES))
    y = np.argmax(X @ W + rng.gumbel(size=(n, N_CLASSES)), axis=1)
    return X, y


def make_X(i, n):
    """Inputs of block ``i``; counts the calls made on a worker (passes over X)."""
    try:
        from distributed import get_worker

        worker = get_worker()
        worker.bench_x_blocks = getattr(worker, "bench_x_blocks", 0) + 1
    except ValueError:  # not on a worker (the in-memory reference)
        pass
    return _rows(i, n)[0]


def make_y(i, n):
    return _rows(i, n)[1]


def start_sampler(dask_worker):
    """Sample this worker's resident memory in a thread."""
    process = psutil.Process()
    state = {"peak": process.memory_info().rss, "stop": threading.Event()}

    def run():
        while not state["stop"].is_set():
            state["peak"] = max(state["peak"], process.memory_info().rss)
            time.sleep(0.005)

    state["thread"] = threading.Thread(target=run, daemon=True)
    state["thread"].start()
    dask_worker.bench_memory = state
    dask_worker.bench_x_blocks = 0
    return state["peak"]


def stop_sampler(dask_worker):
    state = dask_worker.bench_memory
    state["stop"].set()
    state["thread"].join()
    return state["peak"], dask_worker.bench_x_blocks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6_400_000)
    parser.add_argument("--memory-limit", default="320MiB")
    parser.add_argument("--quick", action="store_true", help="1M rows")
    args = parser.parse_args()
    n_rows = 1_000_000 if args.quick else args.rows

    import dask
    import dask.array as da
    import distributed
    from dask.utils import parse_bytes

    sizes = [CHUNK] * (n_rows // CHUNK) + ([n_rows % CHUNK] if n_rows % CHUNK else [])
    X_bytes = n_rows * N_FEATURES * 8
    limit = parse_bytes(args.memory_limit)

    # the teacher: fitted on a sample that fits in memory, queried blockwise
    X_sample, y_sample = _rows(10**6, 20_000)
    teacher = FrozenEstimator(
        MLPClassifier((32,), max_iter=300, random_state=0).fit(X_sample, y_sample)
    )
    student = LogisticRegression(C=1.0, max_iter=300)
    params = dict(alpha=0.7, T=2.0)

    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit=args.memory_limit,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster, distributed.Client(cluster) as client:
        X = da.concatenate(
            [
                da.from_delayed(
                    dask.delayed(make_X, pure=True)(i, n),
                    shape=(n, N_FEATURES),
                    dtype=np.float64,
                )
                for i, n in enumerate(sizes)
            ]
        )
        y = da.concatenate(
            [
                da.from_delayed(dask.delayed(make_y, pure=True)(i, n), (n,), np.int64)
                for i, n in enumerate(sizes)
            ]
        )
        print(
            f"== dask: {n_rows} x {N_FEATURES} rows, K={N_CLASSES}, {len(sizes)} "
            f"blocks; X {X_bytes / 2**20:.0f} MiB = {X_bytes / limit:.1f} x the "
            f"memory limit of one worker ({args.memory_limit}); 2 workers, "
            "MLP(32) teacher, LogisticRegression student"
        )
        client.run(start_sampler)
        with PeakRSS() as client_memory:
            start = time.perf_counter()
            remote = DistilledClassifier(teacher, student, **params).fit(X, y)
            t_dask = time.perf_counter() - start
        worker_stats = client.run(stop_sampler)
    n_passes = sum(count for _, count in worker_stats.values()) / len(sizes)

    # the same rows, in memory in this process
    blocks = [_rows(i, n) for i, n in enumerate(sizes)]
    X_local = np.concatenate([b[0] for b in blocks])
    y_local = np.concatenate([b[1] for b in blocks])
    del blocks
    with PeakRSS() as local_memory:
        start = time.perf_counter()
        local = DistilledClassifier(teacher, student, **params).fit(X_local, y_local)
        t_local = time.perf_counter() - start

    MiB = 2**20
    for name, seconds, fitted in (
        ("in-memory fit:  ", t_local, local),
        ("distributed fit:", t_dask, remote),
    ):
        n_iter = fitted.student_.n_iter_[0]
        print(f"{name} {seconds:7.1f} s ({n_iter} L-BFGS iterations)")
    print(f"distributed / in-memory time: {t_dask / t_local:.2f}x")
    print(
        f"passes over X per distributed fit: {n_passes:.0f} (1 for the targets, "
        "1 per loss evaluation)"
    )
    print(
        f"client peak extra memory: distributed {client_memory.extra / MiB:.0f} MiB "
        f"= {client_memory.extra / X_bytes:.3f} x X; in-memory fit "
        f"{local_memory.extra / MiB:.0f} MiB = {local_memory.extra / X_bytes:.2f} x X "
        "(plus X itself)"
    )
    for address, (peak, count) in sorted(worker_stats.items()):
        print(
            f"worker {address}: peak resident {peak / MiB:.0f} MiB = "
            f"{peak / X_bytes:.3f} x X = {peak / limit:.2f} x its limit; "
            f"{count} blocks of X made"
        )
    coef_diff = np.abs(remote.student_.coef_ - local.student_.coef_).max()
    scale = np.abs(local.student_.coef_).max()
    print(f"max |coef difference| / max |coef|: {coef_diff / scale:.1e}")
    X_check = X_local[:200_000]
    agree = np.mean(remote.predict(X_check) == local.predict(X_check))
    print(f"same predictions on 200000 rows: {agree:.4f}")
    worst = max(peak for peak, _ in worker_stats.values())
    print(
        f"{'PASS' if worst < limit else 'MISS'} every worker's peak < its memory "
        f"limit ({worst / limit:.2f} x), with X = {X_bytes / limit:.1f} x the limit; "
        f"{'PASS' if client_memory.extra < 0.1 * X_bytes else 'MISS'} client's peak "
        f"extra < 0.1 x X ({client_memory.extra / X_bytes:.3f} x)"
    )


if __name__ == "__main__":
    main()
