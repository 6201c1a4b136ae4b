"""Object-store sources against a real S3-protocol server on loopback (moto's server mode, from PyPI):
``load_data("s3://...")`` fetches into the local cache, a manifest names the URIs, and workers make the same
folds as from local files."""

import logging

import boto3
import pytest
from moto.server import ThreadedMotoServer

import isolation
from conftest import make_bars


@pytest.fixture
def s3(tmp_path, monkeypatch):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # object_store reads these as the AWS SDKs do; the cache goes to a fresh directory.
    for key, value in {"AWS_ENDPOINT": endpoint, "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "test",
                       "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
                       "ISOLATION_CACHE_DIR": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                          region_name="us-east-1")
    client.create_bucket(Bucket="market")
    yield client
    server.stop()


def _rows(side):
    return side.warmup_rows, side.to_numpy("timestamp").tolist(), side.to_numpy("close").tolist()


def test_a_study_over_s3_uris_equals_the_same_study_over_local_files(s3, tmp_path):
    remote, local = isolation.DataHandler("view"), isolation.DataHandler("view")
    for symbol, n, seed in (("AAA", 2_000, 1), ("BBB", 1_500, 2)):
        path = tmp_path / f"{symbol}.parquet"
        make_bars(n, seed=seed).to_parquet(path)
        s3.upload_file(str(path), "market", f"bars/{symbol}.parquet")
        remote.load_data(symbol, f"s3://market/bars/{symbol}.parquet")
        local.load_data(symbol, path)
    spec = {"walk_forward": "train=400m,test=200m", "warmup": 5}
    manifest = remote.fold_manifest(**spec)
    assert [s["path"] for s in manifest.sources] == ["s3://market/bars/AAA.parquet", "s3://market/bars/BBB.parquet"]
    assert [s["fingerprint"] for s in manifest.sources] == [s["fingerprint"] for s in local.fold_manifest(**spec).sources]
    cached = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(cached) == 2 and all(name.endswith(".parquet") for name in cached)
    for expected in local.folds(**spec):
        made = manifest.fold(expected.index, shm_dir=tmp_path / "shm")
        for symbol, (train, test) in expected:
            assert _rows(made.train[symbol]) == _rows(train)
            assert _rows(made.test[symbol]) == _rows(test)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == cached, "fetched once, then reused"


def test_a_missing_object_names_the_uri(s3):
    handler = isolation.DataHandler("view")
    with pytest.raises(isolation.IsolationError, match="s3://market/bars/NOPE.parquet"):
        handler.load_data("NOPE", "s3://market/bars/NOPE.parquet")
    assert handler.get_symbols() == []
