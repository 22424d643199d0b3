"""The model host: a real helper process (and the in-thread variant) answering like the in-process core."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from bertinspector.core import inference
from bertinspector.core.cancel import CancelToken
from bertinspector.core.compare import compare
from bertinspector.core.compare_runs import compare_runs
from bertinspector.core.errors import Cancelled, HostError, InputError, SourceError
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings
from bertinspector.core.model_host import HostedRun, ModelHost, model_side

TEXT = "the model reads this sentence and the other one"


@pytest.fixture(scope="module")
def process_host():
    host = ModelHost(in_thread=False)
    yield host
    host.close()


def hosted_run(host, inspector, inspection, device="cpu"):
    host.call("load", model_side(inspector), device, "float32")
    return HostedRun(host, inspection, host.call("run", inspection))


def test_a_process_host_gives_the_same_numbers_as_the_core_in_this_process(process_host, model_factory):
    inspector = Inspector.open(str(model_factory.variant("masked_lm")))
    inspection = inspector.inspect("the [MASK] reads this sentence", settings=Settings())
    local = inference.run(inference.load_model(inspector, "cpu"), inspection, inspector.tokenizer())
    remote = hosted_run(process_host, inspector, inspection)

    assert process_host.running and not process_host.in_thread
    assert (remote.num_layers, remote.num_heads, remote.kind) == (local.num_layers, local.num_heads, "masked-lm")
    assert remote.labels == local.labels and np.array_equal(remote.positions, local.positions)
    assert [m["tokens"] for m in remote.outputs["masks"]] == [m["tokens"] for m in local.outputs["masks"]]
    for layer in range(local.num_layers):
        for head in (0, "mean", "max"):
            got = remote.attention(layer, head)
            assert got.dtype == np.float32 and got.flags.c_contiguous
            np.testing.assert_allclose(got, local.attention(layer, head), atol=1e-6)
    np.testing.assert_allclose(remote.rollout(), local.rollout(), atol=1e-6)
    np.testing.assert_allclose(remote.hidden_norms(), local.hidden_norms(), rtol=1e-5)
    np.testing.assert_allclose(remote.layer_cosine(), local.layer_cosine(), atol=1e-5)
    np.testing.assert_allclose(remote.overview(), local.overview(), atol=1e-6)
    for name, share in local.special_share().items():
        np.testing.assert_allclose(remote.special_share()[name], share, atol=1e-6)
    assert remote.pca(1).shape == (len(local.positions), 2)
    assert remote.host_peak_bytes and remote.host_peak_bytes > 50 * 2**20  # the host's RSS: it holds torch


def test_the_weight_report_and_devices_come_from_the_host(process_host, model_factory):
    inspector = Inspector.open(str(model_factory.variant("masked_lm")))
    info = process_host.call("load", model_side(inspector), "auto", "float32")
    assert info.model_class == "BertForMaskedLM" and info.device in ("cpu", "cuda:0", "mps")
    names = {d.name: d for d in process_host.call("devices")}
    assert names["cpu"].available and "auto" in names


def test_a_closed_run_is_forgotten_by_the_host(process_host, model_factory):
    inspector = Inspector.open(str(model_factory.variant("bert")))
    run = hosted_run(process_host, inspector, inspector.inspect(TEXT))
    assert run.attention(0, 0).shape[0] == len(run.positions)
    run.close()
    with pytest.raises(InputError, match="released"):
        run.attention(0, 1)


def test_errors_come_back_as_one_line_of_the_same_kind(process_host, model_factory):
    inspector = Inspector.open(str(model_factory.variant("bert")))
    ids = inspector.inspect_ids("[101, 99999, 102]")
    process_host.call("load", model_side(inspector), "cpu", "float32")
    with pytest.raises(InputError, match="outside the model's"):
        process_host.call("run", ids)
    with pytest.raises(InputError, match="runs on a GPU only"):
        process_host.call("load", model_side(inspector), "cpu", "float16")
    broken = Inspector.open(str(model_factory.variant("truncated_weights")))
    with pytest.raises(SourceError, match="weights cannot be loaded"):
        process_host.call("load", model_side(broken), "cpu", "float32")


def test_cancel_stops_a_run_in_the_host(model_factory):
    """The run is held in the host's first encoder layer (thread host: a hook reaches the model)."""
    host = ModelHost(in_thread=True)
    try:
        inspector = Inspector.open(str(model_factory.variant("bert")))
        host.call("load", model_side(inspector), "cpu", "float32")
        entered = []
        layer = inference._encoder_layers(host.local_model().model)[0]
        handle = layer.register_forward_pre_hook(lambda *_: (entered.append(1), time.sleep(0.3)))
        cancel = CancelToken()
        import threading

        threading.Timer(0.1, cancel.cancel).start()
        started = time.perf_counter()
        with pytest.raises(Cancelled):
            host.call("run", inspector.inspect(TEXT), cancel=cancel)
        assert entered == [1] and time.perf_counter() - started < 5  # typically ~0.4 s
        handle.remove()
        assert host.call("run", inspector.inspect(TEXT)).num_layers > 0  # the host keeps working
    finally:
        host.close()
    assert not host.running


def test_a_killed_host_fails_waiting_calls_in_one_line_and_starts_again(model_factory):
    host = ModelHost(in_thread=False)
    try:
        inspector = Inspector.open(str(model_factory.variant("bert")))
        run = hosted_run(host, inspector, inspector.inspect(TEXT))
        first = host.generation
        os.kill(host._worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while host.running and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(InputError, match="released"):
            run.attention(0, 0)  # a fetch never restarts the host
        again = hosted_run(host, inspector, inspector.inspect(TEXT))
        assert host.generation == first + 1 and again.attention(0, 0).shape[0] == len(again.positions)
    finally:
        host.close()


def test_a_host_killed_mid_call_gives_one_line(model_factory):
    host = ModelHost(in_thread=False)
    try:
        inspector = Inspector.open(str(model_factory.variant("bert")))
        long_text = inspector.inspect(TEXT * 40, settings=Settings(truncation="none"))
        host.call("load", model_side(inspector), "cpu", "float32")
        import threading

        threading.Timer(0.3, os.kill, (host._worker.pid, signal.SIGKILL)).start()
        with pytest.raises(HostError, match=r"the model (process was killed \(signal 9\)|host stopped)"):
            while host.running:  # runs back to back until the kill lands in one of them
                host.call("run", long_text)
    finally:
        host.close()


def test_compare_runs_in_the_host_agree_with_this_process(process_host, model_factory):
    inspector = Inspector.open(str(model_factory.variant("bert")))
    comparison = compare(inspector.inspect(TEXT), inspector.inspect(TEXT, settings=Settings(lowercase="off")))
    remote = process_host.call("compare", model_side(inspector), model_side(inspector), comparison, "cpu")
    loaded = inference.load_model(inspector, "cpu")
    local = compare_runs(inference.run(loaded, comparison.a, inspector.tokenizer()),
                         inference.run(loaded, comparison.b, inspector.tokenizer()), comparison.alignment)
    assert remote["cls_cosine"] == pytest.approx(local["cls_cosine"], abs=1e-6)
    np.testing.assert_allclose(remote["layer_mean_cosine"], local["layer_mean_cosine"], atol=1e-6)


def test_close_stops_the_process_and_its_threads(model_factory):
    host = ModelHost(in_thread=False)
    host.call("devices")
    process = host._worker
    host.close()
    assert not process.is_alive() and not host.running
    with pytest.raises(HostError, match="closed"):
        host.call("devices")


def test_custom_code_stays_refused_in_the_host(process_host, model_factory, tmp_path, monkeypatch):
    import modelfactory

    marker = tmp_path / "ran"
    monkeypatch.setenv(modelfactory.MARKER_ENV, str(marker))
    folder = model_factory.variant("auto_map")
    inspector = Inspector.open(str(folder))
    with pytest.raises(SourceError, match="needs its own code"):
        process_host.call("load", model_side(inspector), "cpu", "float32")
    assert not marker.exists()


def test_the_window_process_reads_tokenizers_without_torch(model_factory):
    """keep_torch_out(): transformers loads the tokenizer, torch is never imported, the tokens are the same."""
    folder = model_factory.variant("bert")
    script = textwrap.dedent(f"""
        import sys
        from bertinspector.core.transformers_import import keep_torch_out
        keep_torch_out()
        from bertinspector.core.inspector import Inspector
        inspection = Inspector.open({str(folder)!r}).inspect({TEXT!r} + " café")
        assert sys.modules.get("torch") is None, "torch was imported"
        print(list(inspection.tokens.ids))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    assert "PyTorch was not found" not in done.stderr
    expected = Inspector.open(str(folder)).inspect(TEXT + " café").tokens.ids
    assert done.stdout.strip() == str(list(expected))


def test_compare_runs_keep_their_models_and_reuse_the_windows_model(model_factory, monkeypatch):
    host = ModelHost(in_thread=True)
    loads = []
    original = inference.load_model

    def counted(inspector, *args, **kwargs):
        loads.append(inspector.source.folder.name)
        return original(inspector, *args, **kwargs)

    monkeypatch.setattr(inference, "load_model", counted)
    a = Inspector.open(str(model_factory.variant("bert")))
    b = Inspector.open(str(model_factory.variant("roberta")))
    comparison = compare(a.inspect(TEXT), b.inspect(TEXT))
    try:
        host.call("load", model_side(a), "cpu", "float32")
        first = host.call("compare", model_side(a), model_side(b), comparison, "cpu")
        assert len(loads) == 2  # the window's model served as A; only B loaded
        again = host.call("compare", model_side(a), model_side(b), comparison, "cpu")
        assert len(loads) == 2 and again["cls_cosine"] == pytest.approx(first["cls_cosine"], abs=1e-6)
        reopened = Inspector.open(str(model_factory.variant("roberta")))
        host.call("compare", model_side(a), model_side(reopened), comparison, "cpu")
        assert len(loads) == 3  # a reopened model (its files may have changed) loads again
        host.call("release")
        host.call("compare", model_side(a), model_side(reopened), comparison, "cpu")
        assert len(loads) == 5  # released with the window's model: both load again
    finally:
        host.close()
