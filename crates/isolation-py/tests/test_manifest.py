"""Fold manifests in Python: written by a DataHandler, read back by a worker, which makes the same folds
from the machine's dataset segments (published once per machine under the data's fingerprint)."""

import numpy as np
import pyarrow as pa
import pytest

import isolation
from conftest import make_bars


def _study(tmp_path, kind="walk_forward", spec="train=300m,test=100m", warmup=10):
    handler = isolation.DataHandler("view")
    for symbol, n, seed in (("AAA", 1_000, 1), ("BBB", 800, 2)):
        path = tmp_path / f"{symbol}.parquet"
        make_bars(n, seed=seed).to_parquet(path)
        handler.load_data(symbol, path)
    manifest = handler.fold_manifest(**{kind: spec}, warmup=warmup)
    return handler, manifest


def _rows(side):
    views = side if isinstance(side, list) else [side]
    return [(v.warmup_rows, v.to_numpy("timestamp").tolist(), v.to_numpy("close").tolist()) for v in views]


@pytest.mark.parametrize("kind,spec", [("walk_forward", "train=300m,test=100m"),
                                       ("cpcv", "n_folds=5,n_test_folds=2,purge=3,embargo=2")])
def test_a_worker_makes_the_same_folds_from_a_manifest(tmp_path, kind, spec):
    handler, manifest = _study(tmp_path, kind, spec)
    manifest.write(tmp_path / "study.json")
    read = isolation.FoldManifest.read(tmp_path / "study.json")
    assert read.to_json() == manifest.to_json()
    assert read.kind == kind  # the spec is kept in canonical form: train=300m reads back as train=5h
    assert read.spec == manifest.spec and read.spec.split(",")[0] in ("train=5h", "n_folds=5")
    assert [s["symbol"] for s in read.sources] == ["AAA", "BBB"]
    assert all(s["path"].endswith(".parquet") and len(s["fingerprint"]) == 16 for s in read.sources)
    single = list(handler.folds(**{kind: spec}, warmup=10))
    assert [f.index for f in single] == read.fold_indices and len(read) == len(single)
    published = []
    for expected in single:
        made = read.fold(expected.index, shm_dir=tmp_path / "shm")
        assert made.symbols.keys() == expected.symbols.keys()
        for symbol, (train, test) in expected:
            assert _rows(made.train[symbol]) == _rows(train), (expected.index, symbol)
            assert _rows(made.test[symbol]) == _rows(test), (expected.index, symbol)
        published += [s for s, d in made.datasets.items() if d["published"]]
    assert sorted(published) == ["AAA", "BBB"], "each dataset published once on the machine"


def test_the_segment_is_an_arrow_file_any_reader_maps(tmp_path):
    _, manifest = _study(tmp_path)
    fold = manifest.fold(0, shm_dir=tmp_path / "shm")
    dataset = fold.datasets["AAA"]
    assert dataset["segment"] == "ds-" + manifest.sources[0]["fingerprint"]
    assert dataset["location"] == "memory"
    table = pa.ipc.open_file(pa.memory_map(dataset["path"])).read_all()
    assert table.num_rows == 1_000
    np.testing.assert_array_equal(table.column("close").to_numpy(), make_bars(1_000, seed=1)["close"].to_numpy())


def test_changed_data_is_refused_naming_both_fingerprints(tmp_path):
    _, manifest = _study(tmp_path)
    make_bars(800, seed=99).to_parquet(tmp_path / "BBB.parquet")
    expected = manifest.sources[1]["fingerprint"]
    with pytest.raises(isolation.IsolationError, match=expected) as error:
        manifest.fold(0, shm_dir=tmp_path / "shm")
    assert "BBB" in str(error.value)


def test_a_dataset_too_big_for_memory_spills_or_says_how(tmp_path):
    _, manifest = _study(tmp_path)
    with pytest.raises(isolation.IsolationError, match="ISOLATION_SPILL_DIR"):
        manifest.fold(0, shm_dir=tmp_path / "shm", memory_limit=1_000)
    fold = manifest.fold(0, shm_dir=tmp_path / "shm", spill_dir=tmp_path / "disk", memory_limit=1_000)
    assert {d["location"] for d in fold.datasets.values()} == {"spilled"}
    assert all(d["path"].startswith(str(tmp_path / "disk")) for d in fold.datasets.values())


def test_a_manifest_of_another_format_is_refused():
    with pytest.raises(isolation.IsolationError, match="format 9"):
        isolation.FoldManifest.from_json('{"format": 9, "library_version": "9", "kind": "kfold", "spec": "k=2",'
                                         ' "warmup": "0", "labels": null, "cross_sectional": false,'
                                         ' "universe": null, "sources": [], "folds": []}')


def test_dataset_segments_clean_up_by_idleness_and_budget_and_take_their_lock_files(tmp_path):
    """Dataset segments were kept forever and `shm rm` left `.isolation.ds-*.lock` files behind."""
    import datetime
    import gc as python_gc
    import os

    _, manifest = _study(tmp_path)
    shm_dir = tmp_path / "shm"
    fold = manifest.fold(0, shm_dir=shm_dir)
    names = sorted(d["segment"] for d in fold.datasets.values())
    assert len(names) == 2
    locks = {n: shm_dir / f".isolation.{n}.lock" for n in names}
    assert all(lock.exists() for lock in locks.values())
    # Nothing goes while the fold's views map the datasets, whatever the limits.
    assert isolation.shm.gc(shm_dir, datasets=True, older_than="0s") == []
    with pytest.raises(ValueError, match="needs older_than, unused_for or budget_bytes"):
        isolation.shm.gc(shm_dir, datasets=True)
    del fold
    python_gc.collect()
    # AAA idle for three days (its attach stamp), BBB attached just now.
    three_days_ago = (datetime.datetime.now() - datetime.timedelta(days=3)).timestamp()
    os.utime(locks[names[0]], (three_days_ago, three_days_ago))
    removed = isolation.shm.gc(shm_dir, datasets=True, unused_for=datetime.timedelta(days=1))
    assert [r["name"] for r in removed] == [names[0]]
    assert not locks[names[0]].exists() and locks[names[1]].exists()
    removed = isolation.shm.gc(shm_dir, datasets=True, budget_bytes=0)
    assert [r["name"] for r in removed] == [names[1]]
    assert sorted(os.listdir(shm_dir)) == []
