"""The lint rules: each reads the flow's call sites and gives findings with a fix that runs.

A fix replaces the statement that holds the finding (``Finding.replaces``) and is written with the
user's own names, so it runs where their code ran and makes its finding go away.
"""

from __future__ import annotations

import ast
import re

from bertinspector.core.lint import flow as f
from bertinspector.core.lint.findings import Finding
from bertinspector.core.lint.rewrite import Code, call_text, in_statement

CALL_TIME_OPTIONS = ("do_lower_case", "strip_accents", "tokenize_chinese_chars", "lowercase")
LOADER_NAMES = {"lowercase": "do_lower_case"}
ENCODERS = ("tokenizer-call", "encode")
PADDING_OFF = (False, None, "do_not_pad")
# the tokenizer algorithm each family's checkpoints use (model classes and tokenizer classes alike)
FAMILIES = {
    "bert": "wordpiece", "distilbert": "wordpiece", "electra": "wordpiece", "mobilebert": "wordpiece",
    "convbert": "wordpiece", "squeezebert": "wordpiece", "layoutlm": "wordpiece", "megatronbert": "wordpiece",
    "funnel": "wordpiece", "roberta": "bpe", "longformer": "bpe", "bart": "bpe", "gpt2": "bpe",
    "deberta": "bpe", "mpnet": "wordpiece", "albert": "sentencepiece", "xlmroberta": "sentencepiece",
    "camembert": "sentencepiece", "debertav2": "sentencepiece", "xlnet": "sentencepiece", "t5": "sentencepiece",
}


class Rules:
    def __init__(self, flow: f.Flow, code: Code):
        self.flow = flow
        self.code = code
        self.sites = flow.ordered_sites()
        self.findings: list[Finding] = []
        self.known_spreads = {}
        for site in self.sites:
            for keyword in site.node.keywords:
                value = flow._cache.get(id(keyword.value))
                if keyword.arg is None and value is not None and value.kind == f.KWARGS:
                    self.known_spreads[id(keyword)] = value.literal

    def run(self) -> list[Finding]:
        for rule in (self.encode_into_model, self.special_tokens_disabled, self.no_truncation,
                     self.max_length_without_truncation, self.call_time_option, self.tokenizer_model_mismatch,
                     self.tokens_bypass_tokenizer, self.pair_as_one_string, self.padding_without_attention_mask,
                     self.per_example_tokenization):
            rule()
        return sorted(self.findings, key=lambda x: (x.line, x.column, x.code))

    # -- helpers --------------------------------------------------------------------------------
    def add(self, code: str, node: ast.AST, message: str, fix: str | None = None, replaces=None) -> None:
        span = self.code.span(node)
        self.findings.append(Finding(code, span.line, span.column + 1, span.end_line, message, fix,
                                     replaces=replaces if fix is not None else None))

    def literal(self, site: f.Site, name: str, default=None):
        value = self.flow.literal(site.keywords.get(name)) if name in site.keywords else default
        return default if value is f.UNKNOWN_LITERAL else value

    def rewritten(self, site: f.Site, new: str) -> tuple[str, object]:
        return in_statement(self.code, site.statement, site.node, new)

    def call(self, site: f.Site, **options) -> str:
        """The site's call written again; options transformers ignores at call time are always left out."""
        if site.kind in ENCODERS or site.method == "tokenize":
            options["drop"] = set(options.get("drop", ())) | {n for n in CALL_TIME_OPTIONS if n in site.keywords}
        return call_text(self.code, site.node, self.known_spreads, **options)

    @staticmethod
    def receiver(site: f.Site) -> ast.expr:
        """The tokenizer expression a call is made on (``tokenizer`` of ``tokenizer.encode(...)``)."""
        func = site.node.func
        return func.value if isinstance(func, ast.Attribute) and site.method != "__call__" else func

    def line_of(self, site: f.Site) -> str:
        return f"{self.code.of(site.node.func)}(...) on line {site.node.lineno}"

    def cuts(self, site: f.Site) -> bool:
        return site.unknown_kwargs or "truncation" in site.keywords or "max_length" in site.keywords

    def cleaned(self, site: f.Site) -> set[str]:
        """Keywords a fix leaves out: options ignored at call time, and add_special_tokens=False."""
        drop = {name for name in CALL_TIME_OPTIONS if name in site.keywords}
        if self.literal(site, "add_special_tokens", True) is False:
            drop.add("add_special_tokens")
        return drop

    # -- the rules ------------------------------------------------------------------------------
    def encode_into_model(self) -> None:
        for site in self.sites:
            if site.kind != "encode":
                continue
            raw = [r for r in site.reaches if r.value.kind == f.IDS and not r.value.tensor]
            if not raw:
                continue
            reach = raw[0]
            model = self.line_of(reach.model_call)
            add = {"return_tensors": '"pt"'}
            if not self.cuts(site):
                add["truncation"] = "True"
            new = self.call(site, func=self.code.of(self.receiver(site)), drop=self.cleaned(site) | {"return_tensors"},
                            add=add)
            if reach.how == "**":
                problem = f'{model} fails: "argument after ** must be a mapping, not list"'
            else:
                problem = f"{model} gets a plain list: no batch dimension, no attention mask"
                new += '["input_ids"]'
            fix, span = self.rewritten(site, new)
            self.add("encode-into-model", site.node,
                     f"tokenizer.encode(...) returns a list of ids, and it reaches the model: {problem}; "
                     "call the tokenizer itself, which returns the model's inputs", fix, span)
            site.reported = True

    def special_tokens_disabled(self) -> None:
        for site in self.sites:
            if site.kind in ENCODERS and site.reaches and self.literal(site, "add_special_tokens", True) is False:
                fix, span = self.rewritten(site, self.call(site, drop={"add_special_tokens"}))
                self.add("special-tokens-disabled", site.node,
                         f"add_special_tokens=False, and the encoding reaches {self.line_of(site.reaches[0].model_call)}: "
                         "the model gets no [CLS]/[SEP] (or <s>/</s>), so its pooled output and every prediction "
                         "are unreliable", fix, span)

    def no_truncation(self) -> None:
        for site in self.sites:
            if site.kind not in ENCODERS or not site.reaches or self.cuts(site) or site.reported:
                continue
            fix, span = self.rewritten(site, self.call(site, add={"truncation": "True"}))
            self.add("no-truncation", site.node,
                     f"this tokenizer call has neither truncation nor max_length and its result reaches "
                     f"{self.line_of(site.reaches[0].model_call)}: a text past the model's limit makes it crash "
                     "(index out of range in its position embeddings) or gets cut somewhere else", fix, span)

    def max_length_without_truncation(self) -> None:
        for site in self.sites:
            if site.kind not in ENCODERS or site.unknown_kwargs or "max_length" not in site.keywords or "truncation" in site.keywords:
                continue
            padding = self.literal(site, "padding", False)
            if padding in PADDING_OFF:
                effect = ("transformers cuts only through a backward-compatibility default, and adding padding to "
                          "this call silently turns the cut off")
            else:
                effect = f"with padding={self.code.of(site.keywords['padding'])} transformers pads but never cuts: longer texts reach the model whole"
            fix, span = self.rewritten(site, self.call(site, add={"truncation": "True"}))
            self.add("max-length-without-truncation", site.node, f"max_length= without truncation=: {effect}", fix, span)

    def call_time_option(self) -> None:
        for site in self.sites:
            if site.kind not in ENCODERS and site.method != "tokenize":
                continue
            options = [name for name in site.keywords if name in CALL_TIME_OPTIONS]
            if not options:
                continue
            receiver = self.code.of(self.receiver(site))
            settings = {LOADER_NAMES.get(name, name): self.code.of(site.keywords[name]) for name in options}
            loader = site.receiver.origin if site.receiver is not None else None
            if loader is not None and loader.kind == "from_pretrained":
                load = f"{receiver} = {self.call(loader, add=settings)}"
            else:
                load = (f"from transformers import AutoTokenizer\n"
                        f"{receiver} = {call_text(self.code, _loader_call(receiver), {}, func='AutoTokenizer.from_pretrained', positional=[receiver + '.name_or_path'], add=settings)}")
            statement, span = self.rewritten(site, self.call(site, drop=set(options)))
            fix = f"{load}\n{statement}" if span == self.code.span(site.statement) else statement
            listed = ", ".join(f"{name}={self.code.of(site.keywords[name])}" for name in options)
            self.add("call-time-preprocessing-option", site.node,
                     f"{listed} passed to {self.code.of(site.node.func)}(...) is ignored: a tokenizer call keeps the "
                     "normalization it was loaded with; it belongs in from_pretrained(...)", fix, span)

    def tokenizer_model_mismatch(self) -> None:
        pairs = []  # (tokenizer loader, model loader) of each encoding that reaches a model
        for encoder in self.sites:
            if encoder.receiver is None or encoder.receiver.origin is None:
                continue
            for reach in encoder.reaches:
                model = reach.model_call.receiver
                if model is not None and model.origin is not None:
                    pairs.append((encoder.receiver.origin, model.origin))
        loaders = [s for s in self.sites if s.kind == "from_pretrained"]
        tokenizers = [s for s in loaders if s.loaded == f.TOKENIZER]
        models = [s for s in loaders if s.loaded == f.MODEL]
        if not pairs and len(tokenizers) == 1 and len(models) == 1:
            pairs.append((tokenizers[0], models[0]))
        seen = set()
        for tokenizer, model in pairs:
            if id(tokenizer) in seen or tokenizer.kind != "from_pretrained" or model.kind != "from_pretrained":
                continue
            seen.add(id(tokenizer))
            a, b = self.checkpoint(tokenizer), self.checkpoint(model)
            families = _family(tokenizer.target), _family(model.target)
            if isinstance(a, str) and isinstance(b, str) and a.rstrip("/") != b.rstrip("/"):
                why = f"the tokenizer comes from {a!r} and the model from {b!r}"
            elif None not in families and families[0] != families[1]:
                why = (f"{tokenizer.target} ({families[0]}) does not make the tokens {model.target} "
                       f"({families[1]}) was trained on")
            else:
                continue
            source = self.checkpoint_node(model)
            if source is None:
                continue
            new = self.call(tokenizer, func="AutoTokenizer.from_pretrained", positional=[self.code.of(source)])
            statement, span = self.rewritten(tokenizer, new)
            fix = "from transformers import AutoTokenizer\n" + statement
            self.add("tokenizer-model-mismatch", tokenizer.node,
                     f"{why} (line {model.node.lineno}): the ids mean other words to this model; load the "
                     "tokenizer from the model's own checkpoint", fix, span)

    def checkpoint_node(self, site: f.Site) -> ast.expr | None:
        return site.node.args[0] if site.node.args else site.keywords.get("pretrained_model_name_or_path")

    def checkpoint(self, site: f.Site):
        node = self.checkpoint_node(site)
        value = self.flow.literal(node) if node is not None else f.UNKNOWN_LITERAL
        return value if isinstance(value, str) else None

    def tokens_bypass_tokenizer(self) -> None:
        for site in self.sites:
            if site.method != "convert_tokens_to_ids" or site.argument is None or site.argument.kind != f.WORDS:
                continue
            fix = span = None
            if site.argument.text is not None and site.node.args:
                receiver = self.code.of(self.receiver(site))
                fix, span = self.rewritten(site, self.call(
                    site, positional=[f"{receiver}.tokenize({self.code.of(site.argument.text)})"]))
            self.add("tokens-bypass-tokenizer", site.node,
                     "convert_tokens_to_ids over words the tokenizer did not make (split by hand): no lowercasing or "
                     "accent stripping, no subword pieces, so most words become the unknown token", fix, span)

    def pair_as_one_string(self) -> None:
        """A text pair joined around [SEP] (or sep_token) that reaches a tokenizer call as its text."""
        for site in self.sites:
            value = site.argument
            if site.kind not in ENCODERS or value is None or value.kind != f.PAIR:
                continue
            left, right = (" + ".join(self.code.of(p.value if isinstance(p, ast.FormattedValue) else p) for p in side)
                           for side in value.text)
            fix = span = None
            if not value.many:  # one pair: the two texts go to the call; a list of pairs needs two lists
                add = {"truncation": "True"} if site.reaches and not self.cuts(site) else {}
                fix, span = self.rewritten(site, self.call(site, positional=[left, right] + [
                    self.code.of(a) for a in site.node.args[1:]], add=add))
            self.add("pair-as-one-string", site.node,
                     "two texts joined into one string around a separator: the model sees one segment (every "
                     "token_type_id 0), and a separator typed as text may not become the special token; pass "
                     f"them as a pair: tokenizer({left}, {right})", fix, span)

    def padding_without_attention_mask(self) -> None:
        for site in self.sites:
            if site.kind not in ENCODERS or self.literal(site, "padding", False) in PADDING_OFF:
                continue
            for reach in site.reaches:
                model = reach.model_call
                if reach.how in ("positional", "input_ids") and reach.value.kind == f.FIELD and reach.value.name == "input_ids":
                    if "attention_mask" in model.keywords or model.unknown_kwargs or any(
                            k.arg is None for k in model.node.keywords):
                        continue
                    ids = model.node.args[0] if reach.how == "positional" else model.keywords["input_ids"]
                    mask = f"({self.code.of(ids)} != {self.code.of(self.receiver(site))}.pad_token_id).long()"
                    fix, span = self.rewritten(model, self.call(model, add={"attention_mask": mask}))
                    self.add("padding-without-attention-mask", model.node,
                             f"padded input_ids (padding on line {site.node.lineno}) reach the model without "
                             "attention_mask: it attends to the padding, and its outputs change with the batch", fix, span)
                elif reach.how == "**" and self.literal(site, "return_attention_mask", True) is False:
                    fix, span = self.rewritten(site, self.call(site, drop={"return_attention_mask"}))
                    self.add("padding-without-attention-mask", site.node,
                             f"padding with return_attention_mask=False, and the encoding reaches "
                             f"{self.line_of(model)}: the model attends to the padding", fix, span)

    def per_example_tokenization(self) -> None:
        reported = set()
        for site in self.sites:
            loop = site.per_example
            if loop is None or id(loop.node) in reported:
                continue
            reported.add(id(loop.node))
            fix, span = self.batch_fix(site, loop)
            self.add("per-example-tokenization", site.node,
                     "the tokenizer is called once per example: one call on the whole batch is many times faster "
                     "(the fast tokenizer works in parallel)", fix, span)

    def batch_fix(self, site: f.Site, loop: f.Loop):
        node = loop.node
        if isinstance(node, ast.Call):  # dataset.map(fn) without batched=True
            text = self.code.of(node).rstrip()
            new = text[:-1].rstrip().rstrip(",") + ", batched=True)"
            return in_statement(self.code, loop.statement, node, new)
        batch = _batch_of(loop, site.node.args[0] if site.node.args else None)
        if batch is None:
            return None, None
        add = {}
        if "return_tensors" in site.keywords and "padding" not in site.keywords:
            add["padding"] = "True"
        if site.reaches and not self.cuts(site):
            add["truncation"] = "True"
        new = self.call(site, positional=[f"list({self.code.of(batch)})"] + [self.code.of(a) for a in site.node.args[1:]],
                        add=add)
        starred = [r.model_call for r in site.reaches if r.how == "**"]
        if isinstance(node, (ast.For, ast.AsyncFor)):
            # the loop is replaced whole: only when it holds nothing but the call and the model call it feeds
            kept = {id(site.statement)} | {id(m.statement) for m in starred
                                           if getattr(m.statement, "value", None) is m.node}
            if node.orelse or any(id(statement) not in kept for statement in node.body):
                return None, None
            fix = f"encodings = {new}"
            if starred:
                fix += f"\noutputs = {self.code.of(starred[0].node.func)}(**encodings)"
            return fix, self.code.span(node)
        if site.reaches:  # the list of encodings is fed to a model one by one: that loop would change too
            return None, None
        return in_statement(self.code, loop.statement, node, new)


def _loader_call(receiver: str) -> ast.Call:
    return ast.Call(func=ast.Name(receiver), args=[], keywords=[])


def _family(cls: str) -> str | None:
    """The tokenizer algorithm of a class's family (``BertTokenizerFast``, ``RobertaForMaskedLM``…), or None."""
    name = re.split(r"TokenizerFast$|Tokenizer$|Model|For(?=[A-Z])", cls)[0].lower()
    return None if name.startswith("auto") else FAMILIES.get(name)


def _batch_of(loop: f.Loop, argument: ast.expr | None) -> ast.expr | None:
    """``texts`` of ``for text in texts`` (or of ``enumerate(texts)``) when ``text`` is what is tokenized."""
    if not isinstance(argument, ast.Name) or loop.iterable is None:
        return None
    target, iterable = loop.target, loop.iterable
    if isinstance(target, ast.Name) and target.id == argument.id:
        return iterable
    if (isinstance(target, ast.Tuple) and len(target.elts) == 2 and isinstance(target.elts[1], ast.Name)
            and target.elts[1].id == argument.id and isinstance(iterable, ast.Call)
            and isinstance(iterable.func, ast.Name) and iterable.func.id == "enumerate" and iterable.args):
        return iterable.args[0]
    return None
