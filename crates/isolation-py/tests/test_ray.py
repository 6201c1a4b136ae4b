"""``isolation.ray.run_folds`` on a local Ray (from PyPI, started here with two CPUs): the same results as a
single-process loop over the same manifest and as tasks handed a ``ray.put`` pyarrow table, with each
dataset published once on the machine."""

import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray

import isolation
import isolation.ray
from conftest import make_bars


@pytest.fixture(scope="module")
def local_ray():
    # Workers import this module's functions (and conftest) by name, as a user's own module would be.
    tests = os.path.dirname(os.path.abspath(__file__))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=256 * 2**20,
             configure_logging=False, runtime_env={"env_vars": {"PYTHONPATH": tests}})
    yield
    ray.shutdown()


def _score(train, test, fold):
    """A stand-in for a backtest: per symbol the train and test row counts and mean closes."""
    return {
        symbol: (len(train[symbol]), len(test[symbol]), float(np.mean(train[symbol].to_numpy("close"))),
                 float(np.mean(test[symbol].to_numpy("close"))))
        for symbol in sorted(train)
    }


@pytest.fixture
def study(tmp_path):
    handler = isolation.DataHandler("view")
    paths = {}
    for symbol, n, seed in (("AAA", 3_000, 1), ("BBB", 2_500, 2)):
        paths[symbol] = tmp_path / f"{symbol}.parquet"
        make_bars(n, seed=seed).to_parquet(paths[symbol])
        handler.load_data(symbol, paths[symbol])
    spec = {"walk_forward": "train=600m,test=300m", "warmup": 20}
    return handler, handler.fold_manifest(**spec), spec, paths


def test_run_folds_equals_a_single_process_loop(local_ray, study, tmp_path):
    handler, manifest, spec, _ = study
    shm = tmp_path / "shm"
    results = isolation.ray.run_folds(manifest, _score, shm_dir=str(shm))
    single = [_score(fold.train, fold.test, fold) for fold in handler.folds(**spec)]
    assert len(results) == len(manifest) >= 6
    assert results == single
    # Two tasks on one node, eight folds: each dataset is on the node once.
    segments = sorted(p.name for p in shm.iterdir() if not p.name.startswith("."))
    assert segments == sorted("isolation.ds-" + s["fingerprint"] for s in manifest.sources)
    # A subset, and the manifest given as a file.
    manifest.write(tmp_path / "study.json")
    assert isolation.ray.run_folds(tmp_path / "study.json", _score, folds=[2, 0], shm_dir=str(shm)) == [
        single[2], single[0]]


@ray.remote
def _score_put(rows, *tables):
    """The same score from pyarrow tables handed to the task by ``ray.put``."""
    out = {}
    for (symbol, train, test), table in zip(rows, tables):
        close = table.column("close")
        tr, te = close.slice(train[0], train[1] - train[0]), close.slice(test[0], test[1] - test[0])
        out[symbol] = (len(tr), len(te), float(np.mean(tr.to_numpy())), float(np.mean(te.to_numpy())))
    return out


def test_run_folds_equals_ray_put_tables(local_ray, study, tmp_path):
    _, manifest, _, paths = study
    refs = {symbol: ray.put(pq.read_table(path)) for symbol, path in paths.items()}
    document = manifest._document
    tasks = []
    for fold in document["folds"]:
        rows = [(s["symbol"], (s["train"][0]["rows"]["start"], s["train"][0]["rows"]["end"]),
                 (s["test"][0]["test"]["rows"]["start"], s["test"][0]["test"]["rows"]["end"]))
                for s in fold["symbols"]]
        tasks.append(_score_put.remote(rows, *[refs[symbol] for symbol, _, _ in rows]))
    by_put = ray.get(tasks)
    by_manifest = isolation.ray.run_folds(manifest, _score, shm_dir=str(tmp_path / "shm"))
    assert by_manifest == by_put


def test_a_worker_error_names_the_symbol(local_ray, study, tmp_path):
    _, manifest, _, paths = study
    make_bars(2_500, seed=42).to_parquet(paths["BBB"])
    with pytest.raises(Exception, match="BBB"):
        isolation.ray.run_folds(manifest, _score, shm_dir=str(tmp_path / "shm"))
