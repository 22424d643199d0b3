"""The Ray engine on a local Ray (the session's ``ray_cluster``): the same audit JSON as the local engine,
a killed worker retried without changing the result, a shard that keeps failing named in one line,
cancel, an unreachable cluster, a missing Ray, and custom model code refused unless allowed."""

from __future__ import annotations

import json
import sys

import pytest

from bertinspector.app.cli import main
from bertinspector.core.audit import AuditRequest, Columns, Side, run_audit
from bertinspector.core.audit import ray_engine
from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import Cancelled, SourceError
from bertinspector.core.model import Settings

WORDS = ["The", "film", "was", "great,", "naïve", "café", "Zürich", "😀", "Marie", "said", "supercalifragilistic",
         "[SEP]", "tokens", "ünïcödé"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    import random

    rng = random.Random(3)
    path = tmp_path_factory.mktemp("ray-audit") / "train.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i in range(240):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 90)))
            f.write(json.dumps({"text": text if i % 37 else None, "label": f"c{i % 3}"}) + "\n")
    return str(path)


def audit(data, engine, model, **options):
    request = AuditRequest(a=Side(str(model), Settings(max_length=32)), b=Side(str(model), Settings(max_length=64)),
                           data=(data,), columns=Columns(label="label"), engine=engine, shard_rows=60, workers=2,
                           **options)
    document = run_audit(request)
    document.pop("timing")
    return document


def test_the_ray_engine_gives_the_local_engines_json(ray_cluster, data, model_factory):
    model = model_factory.bert()
    local = audit(data, "local", model)
    assert local["data"]["rows_read"] == 240 and local["truncation"]["examples_cut"] > 0  # a real audit, rows past shard 1
    assert json.dumps(audit(data, "ray", model), sort_keys=True) == json.dumps(local, sort_keys=True)


def test_a_killed_worker_is_retried_and_the_result_is_unchanged(ray_cluster, data, model_factory, tmp_path, monkeypatch):
    model = model_factory.bert()
    expected = audit(data, "local", model, limit=120)
    monkeypatch.setenv(ray_engine.CRASH_ENV, f"{tmp_path},1")  # each shard's first attempt dies (os._exit)
    assert audit(data, "ray", model, limit=120) == expected
    assert len(list(tmp_path.iterdir())) == 2  # both shards were killed once


def test_a_shard_that_dies_three_times_is_one_line_with_its_rows(ray_cluster, data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ray_engine.CRASH_ENV, f"{tmp_path},3")
    code = main(["audit", "default", data, "--engine", "ray", "--limit", "50", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"bertinspector: error: {data} rows 0-49: the worker died 3 times running this shard\n"


def test_cancel_stops_the_cluster_work(ray_cluster, data, model_factory):
    token = CancelToken()
    shards_done = []

    def progress(done, total):
        shards_done.append(done)
        token.cancel()

    request = AuditRequest(a=Side(str(model_factory.bert())), data=(data,), engine="ray", shard_rows=20, workers=1)
    with pytest.raises(Cancelled):
        run_audit(request, progress=progress, cancel=token)
    assert shards_done == [20]  # one of twelve shards merged, then nothing more


def test_the_cli_json_is_the_same_on_both_engines_and_workers_read_a_uri(ray_cluster, data, capsys):
    outputs = []
    for engine, source in (("local", data), ("ray", f"file://{data}")):
        assert main(["audit", "default", source, "--engine", engine, "--workers", "2", "--format", "json"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document.pop("timing")["engine"] == engine
        assert document["data"].pop("sources") == [source]
        outputs.append(document)
    assert outputs[0] == outputs[1]


def test_an_unreachable_cluster_is_one_line(data, capsys):
    code = main(["audit", "default", data, "--engine", "ray", "--ray-address", "127.0.0.1:1"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("bertinspector: error: cannot reach the Ray cluster at 127.0.0.1:1: ") and err.count("\n") == 1


def test_without_ray_the_engine_says_what_to_install(data, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # the import system's "not installed"
    code = main(["audit", "default", data, "--engine", "ray"])
    assert code == 2
    assert capsys.readouterr().err == "bertinspector: error: the Ray engine needs Ray: pip install 'bertinspector[cluster]'\n"


def test_custom_code_is_shipped_only_when_allowed_and_refused_otherwise(model_factory, data):
    folder = model_factory.bert(auto_map=True)
    assert not any(name.endswith(".py") for name in ray_engine.ship_files(Side(str(folder)), False).files)
    shipped = ray_engine.ship_files(Side(str(folder), trust_remote_code=True), True).files
    assert {"configuration_evil.py", "modeling_evil.py", "tokenizer.json", "config.json"} <= set(shipped)
    assert not any(name.endswith(".safetensors") for name in shipped)  # never weights
    with pytest.raises(SourceError, match="needs custom code.*--trust-remote-code"):
        run_audit(AuditRequest(a=Side(str(folder)), data=(data,), engine="ray"))
