"""Which task head a declared architecture needs, and whether the checkpoint holds it.

Read from the tensor names of the safetensors headers: no weights are loaded and torch is not imported.
A head architecture loaded from a checkpoint without its head gets that head initialised at random.
"""

from __future__ import annotations

from typing import Iterable

#: Architecture name ending -> the top-level modules that hold its head, over the BERT families
#: (BERT ``cls``, RoBERTa/XLM-R/CamemBERT ``lm_head``, ALBERT ``predictions``, DistilBERT ``vocab_*``,
#: ELECTRA ``generator_*``/``discriminator_predictions``, ModernBERT ``head``/``decoder``; ModernBERT's
#: question-answering layer is called ``classifier``). Any one of them present means the head was saved.
HEAD_MODULES: dict[str, tuple[str, ...]] = {
    "ForMaskedLM": ("cls", "lm_head", "predictions", "vocab_transform", "vocab_projector", "generator_predictions",
                    "generator_lm_head", "head", "decoder"),
    "ForSequenceClassification": ("classifier",),
    "ForTokenClassification": ("classifier",),
    "ForQuestionAnswering": ("qa_outputs", "classifier"),
    "ForMultipleChoice": ("classifier",),
    "ForPreTraining": ("cls", "predictions", "discriminator_predictions"),
    "ForNextSentencePrediction": ("cls",),
    "ForCausalLM": ("cls", "lm_head"),
}


def missing_head(architectures: Iterable[str], tensor_names: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
    """``(architecture, its head modules)`` when the first declared architecture has a head that no tensor
    of the checkpoint belongs to; None when it has one, needs none, or the names are unknown."""
    architecture = next(iter(architectures), None)
    names = list(tensor_names)
    if architecture is None or not names:
        return None
    for ending, modules in HEAD_MODULES.items():
        if architecture.endswith(ending):
            saved = {name.split(".", 1)[0] for name in names}
            return None if saved & set(modules) else (architecture, modules)
    return None
