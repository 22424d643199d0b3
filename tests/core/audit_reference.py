"""Generated audit data and the plain per-example reference: ``AutoTokenizer`` called on one example at a
time, and the inspector's own diagnostics of that example. Nothing is mocked."""

from __future__ import annotations

import math
import random
from collections import Counter

from transformers import AutoTokenizer

from bertinspector.core.audit.measure import TEXT_CODES
from bertinspector.core.inspector import Inspector
from bertinspector.core.model import Settings

PIECES = ["The", "quick", "brown", "fox", "Paris", "café", "naïve", "Straße", "😀", "👍🏽", "漢字", "日本語",
          "[MASK]", "<mask>", "a\x07b", "zero\u200bwidth", "soft\u00adhyphen", "bad\ufffd", "x" * 130, "ÉCOLE",
          "tab\there", "new\nline", "Cafe\u0301", "\x07\u0301", "\x1c", "hello", "world", ",", ".", "!", "supercalifragilistic" * 6]


def generated_rows(n: int, seed: int = 0, *, label: bool = True) -> list[dict]:
    """Rows with nulls, numbers where text belongs, empty strings, long rows, emoji/CJK, control characters
    and a literal [MASK]."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind = rng.random()
        if kind < 0.04:
            text = None
        elif kind < 0.07:
            text = rng.randint(0, 1000)
        elif kind < 0.10:
            text = ""
        elif kind < 0.15:
            text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(300, 700)))  # long: cut
        else:
            text = " ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        row = {"text": text}
        if label:
            row["label"] = rng.choice(["pos", "neg", "neutral"])
        rows.append(row)
    return rows


class Reference:
    """Per-example figures of one model folder and settings, by plain ``tokenizer(...)`` calls."""

    def __init__(self, folder, settings: Settings = Settings()):
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        self.inspector = Inspector.open(str(folder))
        self.settings = settings
        self.max_length = self.inspector.effective_max_length(settings)

    def example(self, text: str, pair: str | None = None) -> dict:
        t, s = self.tokenizer, self.settings
        pair = pair or None
        full = t(text, pair, add_special_tokens=s.add_special_tokens, return_offsets_mapping=True,
                 return_special_tokens_mask=True)
        total = len(full["input_ids"])
        if self.max_length is not None and s.truncation != "none":
            kept = len(t(text, pair, add_special_tokens=s.add_special_tokens, truncation=s.truncation,
                         max_length=self.max_length)["input_ids"])
        else:
            kept = total
        unknown_texts = Counter()
        sequence_ids = full.sequence_ids()
        for i, (token_id, special) in enumerate(zip(full["input_ids"], full["special_tokens_mask"])):
            if token_id == t.unk_token_id and not special:
                start, end = full["offset_mapping"][i]
                if end > start:
                    unknown_texts[(text if sequence_ids[i] == 0 else pair)[start:end]] += 1
        words = {}
        for seq, word in zip(sequence_ids, full.word_ids()):
            if word is not None:
                words[(seq, word)] = words.get((seq, word), 0) + 1
        inspection = self.inspector.inspect(text, pair, s)
        dropped = Counter()
        for d in inspection.diagnostics:
            if d.code == "characters-dropped":
                for (start, end), segment in zip(d.spans, d.span_segments or (0,) * len(d.spans)):
                    dropped.update((text if segment == 0 else pair)[start:end])
        return {
            "total": total, "kept": kept,
            "unknown": sum(unknown_texts.values()) + sum(1 for i, (tid, sp) in enumerate(zip(full["input_ids"], full["special_tokens_mask"]))
                                                          if tid == t.unk_token_id and not sp and full["offset_mapping"][i][1] == full["offset_mapping"][i][0]),
            "unknown_texts": unknown_texts, "dropped": dropped,
            "words": len(words), "single": sum(1 for v in words.values() if v == 1),
            "word_tokens": sum(1 for sp in full["special_tokens_mask"] if not sp),
            "codes": set(inspection.codes()) & set(TEXT_CODES),
        }


def nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]
