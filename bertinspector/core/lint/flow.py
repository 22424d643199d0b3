"""A light data flow inside one file: which names hold a tokenizer, a model, an encoding, ids.

Statements are followed in order through assignments (tuple unpacking included), ``.to(device)``
chains, ``torch.tensor(...)``, dict comprehensions over ``enc.items()``, ``**`` of literal dicts,
loops and comprehensions, and into the functions of the file (their parameters bound to the
arguments of each call, their return value given back). Names nothing is known of are guessed
from their spelling (``tokenizer``, ``model``…), because pasted snippets rarely carry their set-up.
Nothing here imports or runs the code.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field, replace

TOKENIZER, MODEL, ENCODING, IDS, FIELD, TOKENS, WORDS, PAIR, KWARGS, CONST, FUNCTION, OUTPUT = (
    "tokenizer", "model", "encoding", "ids", "field", "tokens", "words", "pair", "kwargs", "const", "function", "output")

TOKENIZER_NAME = re.compile(r"^(tok|tokenizer|tknzr|.*_tokenizer|tokenizer_.*)$", re.IGNORECASE)
CLASS_NAME = re.compile(r"^[A-Z]\w*$")
MODEL_NAME = re.compile(r"^(model|.*_model|model_.*|bert|roberta|encoder|classifier|net)$", re.IGNORECASE)
PASS_THROUGH = {"to", "cuda", "cpu", "eval", "train", "half", "float", "double", "long", "int", "unsqueeze",
                "squeeze", "detach", "clone", "contiguous", "view", "reshape", "requires_grad_", "copy"}
TENSOR_MAKERS = {"tensor", "LongTensor", "IntTensor", "as_tensor", "array", "asarray", "constant",
                 "convert_to_tensor", "from_numpy"}
ENCODING_METHODS = {"encode_plus", "batch_encode_plus", "__call__"}
SEPARATORS = ("[SEP]", "</s>")
MAX_DEPTH = 4


@dataclass(eq=False)
class Site:
    """One call the rules care about (a tokenizer or model call, a ``from_pretrained``…)."""

    kind: str  # "from_pretrained" | "tokenizer-call" | "encode" | "model-call" | "other"
    method: str  # "__call__", "encode", "tokenize", "convert_tokens_to_ids", "from_pretrained", "map"…
    node: ast.Call
    statement: ast.stmt
    target: str
    keywords: dict = field(default_factory=dict)  # name -> ast.expr (literal ** dicts merged in)
    unknown_kwargs: bool = False  # a ** whose content is unknown
    receiver: "Value | None" = None  # the tokenizer (or model) the call is made on
    loaded: str | None = None  # from_pretrained: TOKENIZER or MODEL
    reaches: list = field(default_factory=list)  # Reach: model calls its result is passed to
    per_example: "Loop | None" = None
    argument: "Value | None" = None  # the value of the first argument
    reported: bool = False  # a rule already covers what the others would say of it


@dataclass(frozen=True)
class Reach:
    model_call: Site
    how: str  # "**", "positional", "input_ids"…
    value: "Value"


@dataclass(frozen=True)
class Loop:
    node: ast.AST  # ast.For, a comprehension node, or the .map(...) call
    iterable: ast.expr | None
    target: ast.expr | None
    statement: ast.stmt


@dataclass(frozen=True)
class Value:
    kind: str
    origin: Site | None = None
    tensor: bool = False
    literal: object = None  # CONST: the value; KWARGS: {name: ast.expr}; FUNCTION: the def
    name: str | None = None  # FIELD: the key ("input_ids"…)
    text: ast.expr | None = None  # WORDS: the text that was split; PAIR: (left, right) parts
    many: bool = False  # a list of such values


UNKNOWN_LITERAL = object()


def dotted(node: ast.AST) -> str | None:
    """``a``, ``self.tokenizer``: a name the flow can track, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


class Flow:
    """Runs over a module once; ``sites`` lists every call found, in the order of the code."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.sites: dict[int, Site] = {}
        self.globals: dict[str, Value | None] = {}
        self._statement: ast.stmt | None = None
        self._loops: list[tuple[Loop, frozenset]] = []
        self._returns: list[list[Value]] = []
        self._depth = 0
        self._active: set[int] = set()
        self._memo: dict[tuple, Value | None] = {}
        self._defs: list[ast.AST] = []
        self._done_defs: set[int] = set()
        self._map: Loop | None = None
        self._cache: dict[int, Value | None] = {}  # id(expression) -> its value, once evaluated
        self._def_env: dict[int, dict] = {}

    def run(self) -> "Flow":
        for statement in self.tree.body:
            self.guarded(lambda: self.statement(statement, self.globals))
        for node in self._defs:  # functions nothing in the file calls: parameters unknown
            if id(node) not in self._done_defs:
                self.guarded(lambda: self.call_function(node, [], {}, self.globals))
        return self

    def guarded(self, step) -> None:
        """Run one step of the walk; an expression nested too deeply to follow is left out, not a crash."""
        depth, loops, returns = self._depth, list(self._loops), list(self._returns)
        try:
            step()
        except RecursionError:
            self._depth, self._loops, self._returns, self._active = depth, loops, returns, set()
            self._statement = None

    def ordered_sites(self) -> list[Site]:
        return sorted(self.sites.values(), key=lambda s: (s.node.lineno, s.node.col_offset))

    # -- statements -----------------------------------------------------------------------------
    def block(self, body: list[ast.stmt], env: dict) -> None:
        for statement in body:
            self.statement(statement, env)

    def statement(self, node: ast.stmt, env: dict) -> None:
        previous, self._statement = self._statement, node
        try:
            self._statement_kind(node, env)
        finally:
            self._statement = previous

    def _statement_kind(self, node: ast.stmt, env: dict) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                self.value(decorator, env)
            env[node.name] = Value(FUNCTION, literal=node)
            self._defs.append(node)
            self._def_env[id(node)] = env
        elif isinstance(node, ast.ClassDef):
            self.class_def(node, env)
        elif isinstance(node, ast.Assign):
            value = self.value(node.value, env)
            for target in node.targets:
                self.bind(target, value, node.value, env)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.value(node.value, env), node.value, env)
        elif isinstance(node, ast.AugAssign):
            self.value(node.value, env)
        elif isinstance(node, (ast.Expr, ast.Return)):
            value = self.value(node.value, env) if node.value is not None else None
            if isinstance(node, ast.Return) and self._returns:
                self._returns[-1].append(value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            iterable = self.value(node.iter, env)
            self.bind(node.target, _element(iterable), None, env)
            loop = Loop(node, node.iter, node.target, node)
            self._loops.append((loop, frozenset(_names(node.target))))
            try:
                self.block(node.body, env)
            finally:
                self._loops.pop()
            self.block(node.orelse, env)
        elif isinstance(node, ast.While):
            self.value(node.test, env)
            self.block(node.body, env)
            self.block(node.orelse, env)
        elif isinstance(node, ast.If):
            self.value(node.test, env)
            self.block(node.body, env)
            self.block(node.orelse, env)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.value(item.context_expr, env)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, value, item.context_expr, env)
            self.block(node.body, env)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.block(node.body, env)
            for handler in node.handlers:
                if handler.name:
                    env[handler.name] = None
                self.block(handler.body, env)
            self.block(node.orelse, env)
            self.block(node.finalbody, env)
        elif isinstance(node, ast.Match):
            self.value(node.subject, env)
            for case in node.cases:
                self.block(case.body, env)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.value(child, env)

    def class_def(self, node: ast.ClassDef, env: dict) -> None:
        for expr in node.bases + node.decorator_list:
            self.value(expr, env)
        methods = [s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
        methods.sort(key=lambda m: m.name != "__init__")  # what __init__ puts on self, the others use
        attributes: dict = {}
        for method in methods:
            method_env = {**env, **attributes}
            self.call_function(method, [], {}, method_env, keep=method_env)
            attributes.update({k: v for k, v in method_env.items() if k.startswith("self.")})
        for statement in node.body:
            if statement not in methods:
                self.statement(statement, dict(env))
        env[node.name] = None

    def bind(self, target: ast.expr, value: Value | None, source: ast.expr | None, env: dict) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(source, (ast.Tuple, ast.List)) and len(source.elts) == len(target.elts):
                for t, s in zip(target.elts, source.elts):
                    self.bind(t, self._known(s, env), s, env)
            else:
                for t in target.elts:
                    self.bind(t, None, None, env)
            return
        if isinstance(target, ast.Starred):
            self.bind(target.value, None, None, env)
            return
        name = dotted(target)
        if name is not None:
            env[name] = value

    def _known(self, node: ast.expr, env: dict) -> Value | None:
        """The value of a sub-expression already evaluated as part of a tuple (no second visit)."""
        name = dotted(node)
        if name is not None:
            return self.lookup(name, env)
        return self._cache.get(id(node))

    # -- functions ------------------------------------------------------------------------------
    def call_function(self, node, args: list, keywords: dict, env: dict, keep: dict | None = None) -> Value | None:
        key = (id(node), tuple(_key(a) for a in args), tuple(sorted((k, _key(v)) for k, v in keywords.items())))
        if keep is None and key in self._memo:
            return self._memo[key]
        if id(node) in self._active or self._depth >= MAX_DEPTH:
            return None
        self._done_defs.add(id(node))
        local = keep if keep is not None else dict(self._def_env.get(id(node), env))
        parameters = node.args.posonlyargs + node.args.args
        for i, parameter in enumerate(parameters):
            value = args[i] if i < len(args) else keywords.get(parameter.arg)
            local[parameter.arg] = value
        for parameter in node.args.kwonlyargs:
            local[parameter.arg] = keywords.get(parameter.arg)
        for parameter in (node.args.vararg, node.args.kwarg):
            if parameter is not None:
                local[parameter.arg] = None
        self._active.add(id(node))
        self._depth += 1
        self._returns.append([])
        saved_loops, self._loops = self._loops, [] if self._map is None else self._loops
        try:
            self.block(node.body, local)
        finally:
            self._loops = saved_loops
            returned = self._returns.pop()
            self._depth -= 1
            self._active.discard(id(node))
        result = next((v for v in returned if v is not None), None)
        self._memo[key] = result
        return result

    # -- expressions ----------------------------------------------------------------------------
    def lookup(self, name: str, env: dict) -> Value | None:
        value = env.get(name)
        if value is None and name not in env:
            value = self.globals.get(name)
        return guess(name.rsplit(".", 1)[-1]) if value is None else value

    def value(self, node: ast.expr | None, env: dict) -> Value | None:
        if node is None:
            return None
        result = self._value(node, env)
        self._cache[id(node)] = result
        return result

    def _value(self, node: ast.expr, env: dict) -> Value | None:
        if isinstance(node, ast.Name):
            return self.lookup(node.id, env)
        if isinstance(node, ast.Constant):
            return Value(CONST, literal=node.value)
        if isinstance(node, ast.Attribute):
            name = dotted(node)
            if name is not None and (name in env or name in self.globals):
                return self.lookup(name, env)
            base = self.value(node.value, env)
            if base is not None and base.kind == ENCODING:
                return Value(FIELD, base.origin, base.tensor, name=node.attr)
            return self.lookup(name, env) if name is not None else None
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.Subscript):
            base = self.value(node.value, env)
            self.value(node.slice, env)
            if base is None:
                return None
            key = node.slice.value if isinstance(node.slice, ast.Constant) else None
            if base.kind == ENCODING and isinstance(key, str):
                return Value(FIELD, base.origin, base.tensor, name=key)
            if base.kind in (IDS, FIELD, WORDS, TOKENS):
                return base
            if base.many:
                return replace(base, many=False)
            return None
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, ast.Add):
                self.value(node.left, env)
                self.value(node.right, env)
                return None
            parts = _flatten(node)  # a + b + c… at once: a long chain is neither deep recursion nor quadratic
            values = [self.value(part, env) for part in parts]
            pair = self.pair_string(parts, env)
            if pair is not None:
                return pair
            for kind in (TOKENS, WORDS, IDS):
                for value in values:
                    if value is not None and value.kind == kind:
                        return value
            return None
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    self.value(part.value, env)
            return self.pair_string(list(node.values), env)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(node, env)
        if isinstance(node, ast.Dict):
            values = [self.value(v, env) for v in node.values]
            for k in node.keys:
                self.value(k, env)
            if any(k is None for k in node.keys):  # {**enc}, {**enc, "labels": y}
                spread = [v for k, v in zip(node.keys, values) if k is None and v is not None]
                return spread[0] if spread and spread[0].kind == ENCODING else None
            if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in node.keys):
                return Value(KWARGS, literal={k.value: v for k, v in zip(node.keys, node.values)})
            return None
        if isinstance(node, ast.Lambda):
            local = dict(env)
            for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs:
                local[a.arg] = None
            self.value(node.body, local)
            return None
        if isinstance(node, (ast.Tuple, ast.List)):
            for e in node.elts:
                self.value(e, env)
            return None
        if isinstance(node, ast.IfExp):
            self.value(node.test, env)
            body, orelse = self.value(node.body, env), self.value(node.orelse, env)
            return body or orelse
        if isinstance(node, ast.NamedExpr):
            value = self.value(node.value, env)
            self.bind(node.target, value, node.value, env)
            return value
        if isinstance(node, ast.Await):
            return self.value(node.value, env)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.value(child, env)
        return None

    def comprehension(self, node, env: dict) -> Value | None:
        local = dict(env)
        pushed = 0
        source = None
        try:
            for generator in node.generators:
                iterable = self.value(generator.iter, local)
                if source is None:
                    source = (generator, iterable)
                self.bind(generator.target, _element(iterable), None, local)
                self._loops.append((Loop(node, generator.iter, generator.target, self._statement),
                                    frozenset(_names(generator.target))))
                pushed += 1
                for condition in generator.ifs:
                    self.value(condition, local)
            if isinstance(node, ast.DictComp):
                self.value(node.key, local)
                self.value(node.value, local)
                generator, iterable = source
                it = generator.iter
                if (iterable is None and isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute)
                        and it.func.attr == "items"):
                    inner = self.value(it.func.value, local)
                    if inner is not None and inner.kind == ENCODING:
                        return inner
                return None
            element = self.value(node.elt, local)
        finally:
            del self._loops[len(self._loops) - pushed:]
        generator, iterable = source
        if element is not None and (element.kind == PAIR or element.kind in (ENCODING, IDS, FIELD) and element.origin is not None):
            return replace(element, many=True)
        if iterable is not None and iterable.kind in (WORDS, TOKENS) and _uses(node.elt, _names(generator.target)):
            return iterable
        return None

    # -- calls ----------------------------------------------------------------------------------
    def call(self, node: ast.Call, env: dict) -> Value | None:
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        receiver = self.value(func.value, env) if isinstance(func, ast.Attribute) else None
        callee = self.value(func, env) if not isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Attribute) and dotted(func) is not None:
            attribute = self.lookup(dotted(func), env)  # self.tokenizer(...), self.model(...)
            if attribute is not None and attribute.kind in (TOKENIZER, MODEL, FUNCTION):
                callee, method = attribute, None
        if method == "map" and node.args and self._map is None:
            return self.map_call(node, env)
        args = [self.value(a.value if isinstance(a, ast.Starred) else a, env) for a in node.args]
        keywords, unknown = {}, False
        keyword_values = {}
        for keyword in node.keywords:
            v = self.value(keyword.value, env)
            if keyword.arg is None:
                if v is not None and v.kind == KWARGS:
                    keywords.update(v.literal)
                else:
                    unknown = True
                keyword_values[None] = keyword_values.get(None, []) + [v]
            else:
                keywords[keyword.arg] = keyword.value
                keyword_values[keyword.arg] = v
        statement = self._statement or node

        if method == "from_pretrained":
            cls = ast.unparse(func.value).rsplit(".", 1)[-1]
            loaded = TOKENIZER if "Tokenizer" in cls else MODEL if _is_model_class(cls) else None
            site = self.site("from_pretrained", method, node, statement, cls, keywords, unknown)
            site.loaded = loaded
            return Value(loaded, site) if loaded else None
        if method in PASS_THROUGH and receiver is not None:
            return receiver
        constructed = (dotted(func) or "").rsplit(".", 1)[-1]
        if CLASS_NAME.match(constructed) and not constructed.isupper():  # BertTokenizer(vocab), BertModel(config)
            if constructed.endswith(("Tokenizer", "TokenizerFast")):
                return Value(TOKENIZER)
            if _is_model_class(constructed):
                return Value(MODEL)
        if method in TENSOR_MAKERS or (isinstance(func, ast.Name) and func.id in TENSOR_MAKERS):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.List) and len(first.elts) == 1:
                inner = self._known(first.elts[0], env)
                return replace(inner, tensor=True) if inner is not None else None
            return replace(args[0], tensor=True) if args and args[0] is not None else None
        if isinstance(func, ast.Name) and func.id == "dict" and args and args[0] is not None and args[0].kind == ENCODING:
            return args[0]
        if isinstance(func, ast.Name) and func.id == "dict" and not node.args:
            return Value(KWARGS, literal=keywords) if not unknown else None
        if receiver is not None and receiver.kind == TOKENIZER:
            return self.tokenizer_call(method, node, statement, func.value, receiver, keywords, unknown, args)
        if callee is not None and callee.kind == TOKENIZER and method is None:
            return self.tokenizer_call("__call__", node, statement, func, callee, keywords, unknown, args)
        model = callee if method is None else (receiver if method in ("forward", "generate") else None)
        if model is not None and model.kind == MODEL:
            site = self.site("model-call", method or "__call__", node, statement, ast.unparse(func), keywords, unknown)
            site.receiver = model
            self.model_inputs(site, node, args, keyword_values)
            return Value(OUTPUT, site)
        if method == "split" and not (receiver is not None and receiver.kind in (TOKENIZER, MODEL)):
            return Value(WORDS, text=func.value)
        if isinstance(func, (ast.Name, ast.Attribute)) and (dotted(func) or "").rsplit(".", 1)[-1] == "word_tokenize":
            return Value(WORDS, text=node.args[0] if node.args else None)
        if method == "join" and isinstance(func.value, ast.Constant) and isinstance(func.value.value, str):
            return self.joined_pair(node, func.value.value, env)
        if callee is not None and callee.kind == FUNCTION:
            keyword_args = {k: v for k, v in keyword_values.items() if k is not None}
            return self.call_function(callee.literal, args, keyword_args, env)
        return None

    def tokenizer_call(self, method, node, statement, func, tokenizer: Value, keywords, unknown, args) -> Value | None:
        target = ast.unparse(func)
        if method in ENCODING_METHODS:
            kind = "tokenizer-call"
        elif method == "encode":
            kind = "encode"
        elif method in ("tokenize", "convert_tokens_to_ids", "build_inputs_with_special_tokens", "pad",
                        "prepare_for_model"):
            kind = "other"
        else:
            return None
        site = self.site(kind, method, node, statement, target, keywords, unknown)
        site.receiver = site.receiver if (site.receiver is not None and site.receiver.origin) else tokenizer
        site.argument = args[0] if args else None
        first = node.args[0] if node.args else keywords.get("text")
        if kind in ("tokenizer-call", "encode") and first is not None:
            site.per_example = site.per_example or self.example_loop(first)
        if kind == "tokenizer-call":
            return Value(ENCODING, site, tensor="return_tensors" in keywords)
        if kind == "encode":
            return Value(IDS, site, tensor="return_tensors" in keywords)
        if method == "tokenize":
            return Value(TOKENS, site)
        if method == "convert_tokens_to_ids":
            return Value(IDS, site)
        return None

    def model_inputs(self, site: Site, node: ast.Call, args: list, keyword_values: dict) -> None:
        for v in args[:1]:
            self.reach(v, site, "positional")
        for name, v in keyword_values.items():
            if name is None:
                for spread in v:
                    if spread is not None and spread.kind == KWARGS:
                        for key, expr in spread.literal.items():
                            self.reach(self._cache.get(id(expr)), site, key)
                    else:
                        self.reach(spread, site, "**")
            else:
                self.reach(v, site, name)

    def reach(self, value: Value | None, model_call: Site, how: str) -> None:
        if value is None or value.origin is None or value.kind not in (ENCODING, IDS, FIELD):
            return
        origin = value.origin
        if not any(r.model_call is model_call and r.how == how for r in origin.reaches):
            origin.reaches.append(Reach(model_call, how, value))

    def map_call(self, node: ast.Call, env: dict) -> Value | None:
        """``dataset.map(fn)``: a tokenizer call inside ``fn`` runs once per example unless ``batched=True``."""
        self.value(node.func.value, env)
        batched = any(k.arg == "batched" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                      for k in node.keywords)
        function = node.args[0]
        loop = None if batched else Loop(node, None, None, self._statement or node)
        previous, self._map = self._map, loop
        saved = self._loops
        if loop is not None:
            self._loops = self._loops + [(loop, frozenset(("*",)))]
        try:
            target = self.value(function, env) if not isinstance(function, ast.Lambda) else None
            if isinstance(function, ast.Lambda):
                self.value(function, env)
            elif target is not None and target.kind == FUNCTION:
                self.call_function(target.literal, [], {}, env)
            for a in node.args[1:]:
                self.value(a, env)
            for k in node.keywords:
                self.value(k.value, env)
        finally:
            self._map = previous
            self._loops = saved
        return None

    def example_loop(self, argument: ast.expr) -> Loop | None:
        """The innermost loop or comprehension whose variable is the one example passed in."""
        for loop, names in reversed(self._loops):
            if "*" in names:
                return loop
            root = argument
            if isinstance(root, ast.Subscript) and isinstance(root.slice, ast.Slice):
                return None  # texts[i:i + 32]: a batch
            if isinstance(root, ast.Subscript) and isinstance(root.slice, ast.Name) and root.slice.id in names:
                return loop  # texts[i]
            while isinstance(root, (ast.Subscript, ast.Attribute)):
                root = root.value
            if isinstance(root, ast.Name) and root.id in names and not re.search(r"batch|chunk", root.id, re.I):
                return loop
        return None

    # -- sentence pairs joined into one string -------------------------------------------------
    def pair_string(self, parts: list[ast.expr], env: dict) -> Value | None:
        """Two texts around a separator, from the pieces of ``a + " [SEP] " + b`` or of an f-string."""
        for i, part in enumerate(parts):
            if self._is_separator(part, env):
                left = [p for p in parts[:i] if not _is_constant(p)]
                right = [p for p in parts[i + 1:] if not _is_constant(p) and not self._is_separator(p, env)]
                if left and right:
                    return Value(PAIR, text=(left, right))
        return None

    def joined_pair(self, node: ast.Call, separator: str, env: dict) -> Value | None:
        if not any(s in separator for s in SEPARATORS) or len(node.args) != 1:
            return None
        items = node.args[0]
        if isinstance(items, (ast.List, ast.Tuple)) and len(items.elts) >= 2:
            return Value(PAIR, text=([items.elts[0]], list(items.elts[1:])))
        return None

    def _is_separator(self, part: ast.expr, env: dict) -> bool:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            return any(s in part.value for s in SEPARATORS)
        if isinstance(part, ast.FormattedValue):
            part = part.value
        if isinstance(part, ast.Attribute) and part.attr == "sep_token":
            return True
        if isinstance(part, ast.Name):
            v = env.get(part.id) or self.globals.get(part.id)
            return v is not None and v.kind == CONST and isinstance(v.literal, str) and any(s in v.literal for s in SEPARATORS)
        return False

    # -- sites ----------------------------------------------------------------------------------
    def site(self, kind, method, node, statement, target, keywords, unknown) -> Site:
        site = self.sites.get(id(node))
        if site is None:
            site = Site(kind, method, node, statement, target, dict(keywords), unknown)
            self.sites[id(node)] = site
        return site

    # -- literals -------------------------------------------------------------------------------
    def literal(self, node: ast.expr | None, env: dict | None = None):
        """The literal value of an expression (constants, names bound to constants), else UNKNOWN_LITERAL."""
        if node is None:
            return UNKNOWN_LITERAL
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
        if isinstance(node, ast.Name):
            value = (env or {}).get(node.id) or self.globals.get(node.id)
            if value is not None and value.kind == CONST:
                return value.literal
        return UNKNOWN_LITERAL


@functools.lru_cache(maxsize=4096)
def guess(name: str) -> Value | None:
    """What a name nothing is known of probably holds, from its spelling (``tokenizer``, ``model``…)."""
    if TOKENIZER_NAME.match(name):
        return Value(TOKENIZER)
    if MODEL_NAME.match(name):
        return Value(MODEL)
    return None


def _is_model_class(name: str) -> bool:
    return ("Model" in name or "For" in name) and not any(
        word in name for word in ("Config", "Processor", "FeatureExtractor", "Pipeline"))


def _element(value: Value | None) -> Value | None:
    if value is None:
        return None
    return replace(value, many=False) if value.many else None


def _names(target: ast.expr) -> list[str]:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _uses(node: ast.expr, names) -> bool:
    names = set(names)
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def _key(value: Value | None):
    return None if value is None else (value.kind, id(value.origin), value.tensor, value.many)


def _flatten(node: ast.expr) -> list[ast.expr]:
    """The operands of ``a + " [SEP] " + b + …`` in order (f-strings inside give their pieces)."""
    parts, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.Add):
            stack += [item.right, item.left]
        elif isinstance(item, ast.JoinedStr):
            parts += item.values
        else:
            parts.append(item)
    return parts


def _is_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant)
