"""A realistic dataset for the audit's tests, benchmark and screenshot: product reviews and support tickets.

Mostly short texts, some long complaints past 512 tokens, emoji, accents, CJK and Cyrillic words, a few
control characters, capitals, URLs and e-mail addresses, and a label per row; deterministic for a seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

LABELS = ("positive", "negative", "neutral", "billing", "shipping", "bug-report")
OPENINGS = ("Great product!", "Terrible experience.", "It works, mostly.", "Order #{n} never arrived.",
            "Charged twice for my subscription.", "The app crashes on start-up.", "Love it 😍", "Meh.",
            "Café au lait mug arrived broken ☕💔", "Très bien, merci !", "Отличный товар, спасибо.",
            "配送が遅すぎます。", "WORST SUPPORT EVER!!!", "Hi team, following up on ticket {n}.")
SENTENCES = ("The battery lasts about two days with normal use.", "Customer service answered within an hour.",
             "I had to restart the router three times before it connected.", "The colour is not what the photo shows.",
             "Shipping took eleven days instead of the promised three.", "Refund requested on {n}, still waiting.",
             "Steps to reproduce: open settings, tap Sync, wait — the spinner never stops.",
             "Works fine on Android 14 but not on my iPad.", "Packaging was 👌 and delivery was quick 🚚.",
             "Contact me at jane.doe@example.com or see https://example.com/orders/{n}.",
             "The naïve setup wizard ignores my proxy.", "Zoë from support was très helpful.",
             "Error code 0x80070005 appears after the update.", "Would buy again.\u200b",
             "Tried the fix from the FAQ; no luck.", "Price went up by 30% overnight 😡😡.")


def review(rng: random.Random, n: int) -> dict:
    parts = [rng.choice(OPENINGS)]
    long_one = rng.random() < 0.06
    count = rng.randint(60, 140) if long_one else rng.choices((1, 2, 3, 5, 8, 14), (30, 25, 20, 12, 8, 5))[0]
    parts += [rng.choice(SENTENCES) for _ in range(count)]
    text = " ".join(parts).replace("{n}", str(100_000 + n))
    if rng.random() < 0.01:
        text += " \x07"  # a control character the normalizer drops
    return {"id": n, "text": text, "label": rng.choice(LABELS), "stars": rng.randint(1, 5)}


def write_reviews(path: Path, rows: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for n in range(rows):
            f.write(json.dumps(review(rng, n), ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":  # python tests/gui/audit_reviews.py OUT.jsonl [ROWS]
    import sys

    write_reviews(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)
