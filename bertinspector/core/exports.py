"""Exports of an inspection: the token table as CSV, and the Python calls that reproduce it."""

from __future__ import annotations

import csv
import io

import numpy as np

from bertinspector.core.diagnostics import src_literal
from bertinspector.core.model import Inspection

CSV_COLUMNS = ("index", "model_position", "token", "id", "start", "end", "text", "special", "subword", "unk", "type_id", "segment", "kept")


def tokens_csv(inspection: Inspection) -> str:
    """Every token of the untruncated encoding, one row each, with the characters it covers and the
    position the model sees it at (its index among the kept tokens; empty for a token that is cut)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    kept = inspection.tokens.kept
    positions = (np.cumsum(kept) - 1).tolist()
    for i in range(len(inspection.tokens)):
        row = inspection.token(i)
        covered = "" if row.start is None else inspection.segment_text(row.segment or 0)[row.start:row.end]
        writer.writerow([
            row.index, positions[i] if kept[i] else "", row.token, row.id, _blank(row.start), _blank(row.end), covered, int(row.special),
            int(row.subword), int(row.unk), _blank(row.type_id), _blank(row.segment), int(row.kept),
        ])
    return out.getvalue()


def _blank(value) -> str:
    return "" if value is None else str(value)


def python_snippet(inspector, inspection: Inspection) -> str:
    """Runnable code giving the same ids as the inspection (``encoding``), and the model call."""
    s = inspection.settings
    src = src_literal(inspector)
    trust_remote_code = inspector.trust_remote_code
    load_args = [src]
    lines = ["from transformers import AutoModel, AutoTokenizer", ""]
    facts = inspection.facts
    lowercase_kwarg = s.lowercase != "auto" and facts.normalizer and facts.normalizer.startswith("BertNormalizer")
    if lowercase_kwarg:
        load_args.append(f"do_lower_case={s.lowercase == 'on'}")
    if trust_remote_code:
        load_args.append("trust_remote_code=True")
    lines.append(f"tokenizer = AutoTokenizer.from_pretrained({', '.join(load_args)})")
    if s.lowercase != "auto" and not lowercase_kwarg:
        normalizer = inspector.tokenizer(s.lowercase).backend_tokenizer.normalizer
        state = normalizer.__getstate__().decode() if normalizer is not None else "null"
        lines += ["import json", "from tokenizers import Tokenizer",
                  f"# lowercasing {s.lowercase}: the normalizer as the inspector ran it",
                  "state = json.loads(tokenizer.backend_tokenizer.to_str())",
                  f"state[\"normalizer\"] = json.loads({state!r})",
                  "tokenizer.backend_tokenizer.normalizer = Tokenizer.from_str(json.dumps(state)).normalizer"]
    model_args = ", ".join([src] + (["trust_remote_code=True"] if trust_remote_code else []))
    model_lines = [f"model = AutoModel.from_pretrained({model_args}, attn_implementation=\"eager\")"]
    if inspection.input_kind == "ids":
        ids = [int(i) for i in inspection.tokens.ids]
        lines = ["import torch", *lines, "", f"input_ids = torch.tensor([{ids}])", *model_lines,
                 "outputs = model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_attentions=True)"]
        return "\n".join(lines) + "\n"
    call = ["text"] + (["pair"] if inspection.pair is not None else [])
    if not s.add_special_tokens:
        call.append("add_special_tokens=False")
    if s.truncation == "none":
        call.append("truncation=False")
    else:
        call.append("truncation=True" if s.truncation == "longest_first" else f"truncation={s.truncation!r}")
    if s.max_length is not None:
        call.append(f"max_length={s.max_length}")
    if s.stride:
        call += [f"stride={s.stride}", "return_overflowing_tokens=True", "padding=True"]
    call.append('return_tensors="pt"')
    lines += ["", f"text = {inspection.text!r}"]
    if inspection.pair is not None:
        lines.append(f"pair = {inspection.pair!r}")
    lines.append(f"encoding = tokenizer({', '.join(call)})")
    if s.stride:
        lines.append("encoding.pop(\"overflow_to_sample_mapping\")  # windows are rows of the batch")
    lines += [*model_lines, "outputs = model(**encoding, output_attentions=True, output_hidden_states=True)"]
    return "\n".join(lines) + "\n"
