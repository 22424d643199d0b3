"""Running a model on what an inspection says it receives; results stay on the device until asked for.

Everything here is plain Python, testable without a display: the Qt layer runs :func:`run` in a worker
thread with a :class:`CancelToken`, and widgets ask the :class:`RunResult` for numpy slices.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from bertinspector.core.cancel import CancelToken
from bertinspector.core.errors import InputError
from bertinspector.core.model import Inspection

DTYPES = ("float32", "float16", "bfloat16")
TOP_K = 5
MAX_ANSWER_TOKENS = 30


@dataclass(frozen=True)
class Device:
    name: str  # "auto", "cpu", "cuda:0", "mps"
    available: bool
    reason: str = ""  # why not available


def devices() -> list[Device]:
    """The devices torch reports, the unavailable ones with the reason."""
    import torch

    found = [Device("auto", True), Device("cpu", True)]
    if torch.cuda.is_available():
        found += [Device(f"cuda:{i}", True, torch.cuda.get_device_name(i)) for i in range(torch.cuda.device_count())]
    else:
        reason = "torch was built without CUDA" if torch.version.cuda is None else "no CUDA device found"
        found.append(Device("cuda", False, reason))
    if torch.backends.mps.is_available():
        found.append(Device("mps", True))
    else:
        found.append(Device("mps", False, "Apple Metal is not available on this machine"))
    return found


def resolve_device(name: str) -> str:
    """'auto' picks cuda, then mps, then cpu; a named device that is missing is a clear error."""
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return "cuda:0"
        return "mps" if torch.backends.mps.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"{name} is not available: " + next(d.reason for d in devices() if d.name == "cuda"))
    if name == "mps" and not torch.backends.mps.is_available():
        raise InputError("mps is not available on this machine")
    return device_name(name)


def device_name(name: str) -> str:
    """A device as torch names it once chosen: plain "cuda" is the first GPU."""
    return "cuda:0" if name == "cuda" else name


@dataclass
class LoadedModel:
    """A model in eval mode on one device, reused across runs until the source or device changes."""

    model: object
    source: str
    device: str
    dtype: str
    kind: str  # "masked-lm", "sequence-classification", "token-classification", "question-answering", "base"
    num_layers: int
    num_heads: int

    def release(self) -> None:
        """Free the model (and, on a GPU, its memory)."""
        import gc

        import torch

        self.model = None
        gc.collect()
        if self.device.startswith("cuda"):
            torch.cuda.empty_cache()


def output_kind(model) -> str:
    name = type(model).__name__
    for suffix, kind in (("ForMaskedLM", "masked-lm"), ("ForSequenceClassification", "sequence-classification"),
                         ("ForTokenClassification", "token-classification"),
                         ("ForQuestionAnswering", "question-answering")):
        if name.endswith(suffix):
            return kind
    return "base"


def load_model(inspector, device: str = "auto", dtype: str = "float32") -> LoadedModel:
    """Load the inspector's weights onto ``device`` (records weights initialised at random)."""
    import torch

    from bertinspector.core import weights

    if dtype not in DTYPES:
        raise InputError(f"dtype must be one of {', '.join(DTYPES)}")
    resolved = resolve_device(device)
    if dtype != "float32" and resolved == "cpu":
        raise InputError(f"{dtype} runs on a GPU only; use float32 on the CPU")
    model, report = weights.load(inspector, device=resolved, dtype=getattr(torch, dtype))
    inspector.weight_report = report
    config = model.config
    return LoadedModel(
        model=model, source=inspector.source.name, device=resolved, dtype=dtype, kind=output_kind(model),
        num_layers=int(getattr(config, "num_hidden_layers", 0)), num_heads=int(getattr(config, "num_attention_heads", 0)),
    )


@dataclass
class Timings:
    tokenize_s: float = 0.0
    forward_s: float = 0.0
    transfer_s: float = 0.0
    peak_memory_bytes: int | None = None


@dataclass
class RunResult:
    """One forward pass. Attentions and hidden states stay where they were computed; the
    accessors return float32, C-contiguous numpy arrays of just what is asked for."""

    inspection: Inspection
    positions: np.ndarray  # token positions (in inspection.tokens) the model received
    kind: str
    device: str
    attentions: tuple  # per layer: tensor [heads, seq, seq]
    hidden_states: tuple  # per layer (embeddings first): tensor [seq, hidden]
    outputs: dict = field(default_factory=dict)
    timings: Timings = field(default_factory=Timings)

    @property
    def num_layers(self) -> int:
        return len(self.attentions)

    @property
    def num_heads(self) -> int:
        return int(self.attentions[0].shape[0]) if self.attentions else 0

    @property
    def labels(self) -> list[str]:
        return received_labels(self.inspection, self.positions)

    def attention(self, layer: int, head: int | str = "mean") -> np.ndarray:
        """[seq, seq] attention of one head, or "mean" / "max" over the heads of a layer."""
        start = time.perf_counter()
        matrix = self.attentions[layer]
        if head == "mean":
            matrix = matrix.float().mean(0)
        elif head == "max":
            matrix = matrix.float().amax(0)
        else:
            matrix = matrix[int(head)]
        array = _to_numpy(matrix)
        self.timings.transfer_s += time.perf_counter() - start
        return array

    def overview(self) -> np.ndarray:
        """[layers, heads, seq, seq] of every head, downsampled for thumbnails to at most 64 x 64."""
        import torch

        stacked = torch.stack([a.float() for a in self.attentions])
        seq = stacked.shape[-1]
        if seq > 64:
            stacked = torch.nn.functional.adaptive_avg_pool2d(stacked.flatten(0, 1), 64).unflatten(0, stacked.shape[:2])
        return _to_numpy(stacked)

    def rollout(self) -> np.ndarray:
        """Attention rollout (Abnar & Zuidema 2020): mean heads, add identity, renormalise, multiply up."""
        import torch

        seq = self.attentions[0].shape[-1]
        eye = torch.eye(seq, device=self.attentions[0].device)
        result = eye
        for layer in self.attentions:
            matrix = layer.float().mean(0) + eye
            matrix = matrix / matrix.sum(-1, keepdim=True)
            result = matrix @ result
        return _to_numpy(result)

    def special_share(self) -> dict[str, np.ndarray]:
        """Per layer, the mean share of attention going to [CLS]-like, [SEP]-like and padding tokens."""
        tokenizer_tokens = self.inspection.facts.special_tokens
        strings = np.asarray(self.labels, dtype=object)
        groups = {
            "first": [tokenizer_tokens.get(r, ("", -1))[0] for r in ("cls", "bos")],
            "separator": [tokenizer_tokens.get(r, ("", -1))[0] for r in ("sep", "eos")],
            "padding": [tokenizer_tokens.get("pad", ("", -1))[0]],
        }
        share = {}
        for name, tokens in groups.items():
            columns = np.flatnonzero(np.isin(strings, [t for t in tokens if t]))
            # the mean over heads and rows of the attention summed over these columns (only they are read)
            share[name] = np.asarray(
                [float(a[:, :, columns].float().sum(-1).mean()) if len(columns) else 0.0 for a in self.attentions],
                dtype=np.float32,
            )
        return share

    def hidden_norms(self) -> np.ndarray:
        """[layers + 1, seq] L2 norm of every token's vector at every layer."""
        import torch

        return _to_numpy(torch.stack([h.float().norm(dim=-1) for h in self.hidden_states]))

    def layer_cosine(self) -> np.ndarray:
        """[layers, seq] cosine similarity of each token's vector between consecutive layers."""
        import torch

        stacked = torch.stack([h.float() for h in self.hidden_states])
        return _to_numpy(torch.nn.functional.cosine_similarity(stacked[1:], stacked[:-1], dim=-1))

    def pca(self, layer: int) -> np.ndarray:
        """[seq, 2] the token vectors of ``layer`` projected on their first two principal components."""
        import torch

        vectors = self.hidden_states[layer].float()
        centred = vectors - vectors.mean(0, keepdim=True)
        if centred.shape[0] < 2:
            return np.zeros((centred.shape[0], 2), np.float32)
        # exact SVD (not the randomised pca_lowrank: the same run must give the same picture), each
        # axis signed so that its largest coordinate is positive
        u, s, _ = torch.linalg.svd(centred, full_matrices=False)
        projected = u[:, :2] * s[:2]
        largest = projected.gather(0, projected.abs().argmax(0, keepdim=True))
        projected = projected * torch.where(largest < 0, -1.0, 1.0)
        if projected.shape[1] < 2:
            projected = torch.nn.functional.pad(projected, (0, 2 - projected.shape[1]))
        return _to_numpy(projected)


def received_labels(inspection: Inspection, positions: np.ndarray) -> list[str]:
    """The token strings the model received, in order (``positions``: indices in ``inspection.tokens``)."""
    strings = inspection.tokens.strings
    return [strings[i] for i in positions]


def _to_numpy(tensor) -> np.ndarray:
    return np.ascontiguousarray(tensor.detach().to("cpu", copy=False).float().numpy(), dtype=np.float32)


def run(loaded: LoadedModel, inspection: Inspection, tokenizer, cancel: CancelToken | None = None) -> RunResult:
    """Run the model on the tokens the inspection says it receives; :class:`Cancelled` between layers."""
    import torch

    cancel = cancel or CancelToken()
    start = time.perf_counter()
    positions = np.flatnonzero(inspection.tokens.kept)
    if not len(positions):
        raise InputError("there are no tokens to run")
    facts = inspection.facts
    ids = inspection.tokens.ids[positions]
    if facts.embedding_rows is not None and int(ids.max()) >= facts.embedding_rows:
        raise InputError(
            f"token id {int(ids.max())} is outside the model's {facts.embedding_rows} embeddings "
            "(token-id-out-of-range): the run would crash"
        )
    model = loaded.model
    inputs = {"input_ids": torch.as_tensor(ids[None, :]), "attention_mask": torch.ones((1, len(ids)), dtype=torch.long)}
    type_ids = inspection.tokens.type_ids
    if type_ids is not None and "token_type_ids" in _forward_arguments(model):
        if facts.type_vocab_size is not None and int(type_ids[positions].max()) >= facts.type_vocab_size:
            raise InputError("a token_type_id is outside the model's type vocabulary (token-type-out-of-range)")
        inputs["token_type_ids"] = torch.as_tensor(type_ids[positions][None, :])
    inputs = {k: v.to(loaded.device) for k, v in inputs.items()}
    timings = Timings(tokenize_s=time.perf_counter() - start)
    hooks = [layer.register_forward_pre_hook(lambda *_: cancel.check()) for layer in _encoder_layers(model)]
    if loaded.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(loaded.device)
    start = time.perf_counter()
    try:
        cancel.check()
        with torch.inference_mode():
            output = model(**inputs, output_attentions=True, output_hidden_states=True, return_dict=True)
        if loaded.device.startswith("cuda"):
            torch.cuda.synchronize(loaded.device)
    except torch.OutOfMemoryError:
        _free(loaded)
        raise InputError(f"out of memory on {loaded.device} for {len(ids)} tokens: use a shorter max_length or the CPU") from None
    except RuntimeError as error:
        if "device-side assert" in str(error):
            raise InputError(
                "the GPU reported a device-side assert (usually an id out of range); restart the app to use the GPU again"
            ) from None
        raise
    finally:
        for hook in hooks:
            hook.remove()
    timings.forward_s = time.perf_counter() - start
    if loaded.device.startswith("cuda"):
        timings.peak_memory_bytes = int(torch.cuda.max_memory_allocated(loaded.device))
    result = RunResult(
        inspection=inspection, positions=positions, kind=loaded.kind, device=loaded.device,
        attentions=tuple(a[0] for a in output.attentions or ()),
        hidden_states=tuple(h[0] for h in output.hidden_states or ()),
        timings=timings,
    )
    result.outputs = _head_outputs(loaded, output, result, tokenizer)
    return result


def kept_bytes(result: RunResult) -> int:
    """Bytes of the tensors a result keeps (attentions and hidden states)."""
    return sum(t.numel() * t.element_size() for t in (*result.attentions, *result.hidden_states))


def _free(loaded: LoadedModel) -> None:
    import torch

    if loaded.device.startswith("cuda"):
        torch.cuda.empty_cache()


def _forward_arguments(model) -> set[str]:
    import inspect

    return set(inspect.signature(model.forward).parameters)


def _encoder_layers(model) -> list:
    """The transformer blocks (``encoder.layer`` in BERT-family models), found by shape, not by name."""
    import torch

    best: list = []
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleList) and len(module) > len(best):
            best = list(module)
    return best


def _head_outputs(loaded: LoadedModel, output, result: RunResult, tokenizer) -> dict:
    import torch

    config = loaded.model.config
    if loaded.kind == "masked-lm":
        strings = result.labels
        masks = [i for i, s in enumerate(strings) if s == tokenizer.mask_token]
        predictions = []
        for i in masks:
            probs = torch.softmax(output.logits[0, i].float(), -1)
            top = torch.topk(probs, TOP_K)
            predictions.append({
                "position": int(result.positions[i]),
                "tokens": tokenizer.convert_ids_to_tokens(top.indices.tolist()),
                "probabilities": [float(p) for p in top.values],
            })
        return {"masks": predictions}
    if loaded.kind == "sequence-classification":
        probs = torch.softmax(output.logits[0].float(), -1).cpu().numpy()
        return {"labels": [config.id2label.get(i, str(i)) for i in range(len(probs))], "probabilities": probs.tolist()}
    if loaded.kind == "token-classification":
        probs = torch.softmax(output.logits[0].float(), -1)
        best = probs.argmax(-1).cpu().numpy()
        return {"labels": [config.id2label.get(int(i), str(int(i))) for i in best],
                "confidence": probs.max(-1).values.cpu().numpy().tolist()}
    if loaded.kind == "question-answering":
        return _best_span(result, output.start_logits[0].float().cpu().numpy(), output.end_logits[0].float().cpu().numpy())
    last = output.hidden_states[-1][0].float()
    cls, mean = last[0], last.mean(0)
    return {"cls_norm": float(cls.norm()), "mean_norm": float(mean.norm()),
            "cls": cls.cpu().numpy(), "mean": mean.cpu().numpy()}


def _best_span(result: RunResult, start_logits: np.ndarray, end_logits: np.ndarray) -> dict:
    """The highest-scoring answer span over non-special tokens of one segment, as character offsets."""
    tokens = result.inspection.tokens
    positions = result.positions
    valid = ~tokens.special[positions] & (tokens.starts[positions] >= 0)
    segments = tokens.segments[positions]
    n = len(positions)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    allowed = valid[:, None] & valid[None, :] & (j >= i) & (j - i < MAX_ANSWER_TOKENS) & (segments[:, None] == segments[None, :])
    if not allowed.any():
        return {"answer": None}
    scores = np.where(allowed, start_logits[:, None] + end_logits[None, :], -np.inf)
    best_i, best_j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    first, last = int(positions[best_i]), int(positions[best_j])
    segment = int(tokens.segments[first])
    start, end = int(tokens.starts[first]), int(tokens.ends[last])
    return {"answer": result.inspection.segment_text(segment)[start:end], "segment": segment,
            "start": start, "end": end, "score": float(scores[best_i, best_j]), "tokens": [first, last]}
