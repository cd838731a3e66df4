"""A small, safe expression language for cross-field rules and derived values (no eval)."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Expr",
    "PriorLookup",
    "RuleSyntaxError",
    "evaluate",
    "evaluate_number",
    "parse",
]

# Grammar (the plan files are written by people, so errors must say where):
#   expr := or ; or := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | cmp
#   cmp  := sum (('<='|'<'|'>='|'>'|'=='|'!=') sum | 'in' list)?
#   sum  := term (('+'|'-') term)*
#   term := NUMBER | STRING | IDENT | 'prior' '(' IDENT ')' | '(' expr ')'
#   list := '[' STRING (',' STRING)* ']'

PriorLookup = Callable[[str], float | None]
"""Returns a field's value summed over the same row's earlier periods (None: cannot tell)."""

_KEYWORDS = frozenset({"and", "or", "not", "in"})
_FUNCTIONS = frozenset({"prior"})
# Only ever applied to two values of one kind (numbers, dates, texts), see _compare.
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_COMPARISONS = tuple(_OPERATORS)

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|==|!=|<|>|\+|-|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)


class RuleSyntaxError(ValueError):
    """A rule or derived expression in a plan cannot be parsed.

    The message is English (it is read by plan authors) and names the position.
    """

    def __init__(self, what: str, text: str, position: int) -> None:
        self.what = what
        self.text = text
        self.position = position  # 0-based offset into text
        super().__init__(f"{what} at position {position + 1} in expression {text!r}")


# ---------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number" | "string" | "ident" | "keyword" | "op" | "end"
    text: str
    position: int

    def describe(self) -> str:
        return "end of expression" if self.kind == "end" else repr(self.text)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char in "'\"":
                raise RuleSyntaxError("unterminated string", text, position)
            if char == "=":
                raise RuleSyntaxError("unexpected '=' (use '==' to compare)", text, position)
            raise RuleSyntaxError(f"unexpected character {char!r}", text, position)
        kind = match.lastgroup
        assert kind is not None
        value = match.group()
        if kind == "ident" and value in _KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(_Token(kind, value, position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


# ---------------------------------------------------------------------- values

RuleValue = int | float | str | dt.date | bool | None
"""What a sub-expression evaluates to; None means empty or unknown."""


@dataclass(frozen=True, slots=True)
class _Env:
    values: Mapping[str, object]
    prior: PriorLookup | None


def _number(value: RuleValue) -> int | float | None:
    # bool is an int subclass, but true + 1 is never what a plan author meant.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _normalize(value: object) -> RuleValue:
    """Bring a stored value into the types the evaluator understands."""
    if value is None or isinstance(value, bool):
        return None if value is None else value
    if isinstance(value, dt.datetime):
        # datetime and date refuse to compare with each other; rules work on days.
        return value.date()
    if isinstance(value, int | float | dt.date):
        return value
    if isinstance(value, str):
        return value if value.strip() else None
    return None


def _as_date(value: RuleValue) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------- AST


class Expr:
    """A parsed expression. Immutable, so parsed results can be cached and shared."""

    __slots__ = ()

    def names(self) -> frozenset[str]:
        """Identifiers whose current value is read (not those inside ``prior()``)."""
        return frozenset(self.names_in_order())

    def names_in_order(self) -> tuple[str, ...]:
        """Identifiers read, in order of first appearance (``prior()`` arguments excluded)."""
        seen: dict[str, None] = {}
        for node in self._walk():
            if isinstance(node, _Name):
                seen.setdefault(node.name, None)
        return tuple(seen)

    def prior_names(self) -> frozenset[str]:
        """Fields used inside ``prior(...)``."""
        return frozenset(node.name for node in self._walk() if isinstance(node, _Prior))

    def _walk(self) -> Iterator[Expr]:
        yield self
        for child in self._children():
            yield from child._walk()

    def _children(self) -> tuple[Expr, ...]:
        return ()

    def _value(self, env: _Env) -> RuleValue:
        raise NotImplementedError

    def _truth(self, env: _Env) -> bool | None:
        """The expression used as a condition: True, False, or None (cannot tell)."""
        value = self._value(env)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        if isinstance(value, str):
            return value.strip() != ""
        return True


@dataclass(frozen=True, slots=True)
class _Literal(Expr):
    value: int | float | str

    def _value(self, env: _Env) -> RuleValue:
        return self.value


@dataclass(frozen=True, slots=True)
class _Name(Expr):
    name: str

    def _value(self, env: _Env) -> RuleValue:
        return _normalize(env.values.get(self.name))

    def _truth(self, env: _Env) -> bool | None:
        # A bare field as a condition means "is filled in", which is always knowable.
        return self._value(env) is not None


@dataclass(frozen=True, slots=True)
class _Prior(Expr):
    name: str

    def _value(self, env: _Env) -> RuleValue:
        if env.prior is None:
            return None
        return _number(env.prior(self.name))


@dataclass(frozen=True, slots=True)
class _Arith(Expr):
    op: str  # "+" | "-"
    left: Expr
    right: Expr

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _value(self, env: _Env) -> RuleValue:
        left = self.left._value(env)
        right = self.right._value(env)
        a, b = _number(left), _number(right)
        if a is not None and b is not None:
            return a + b if self.op == "+" else a - b
        # Days between two dates, so a plan can say "closed_on - opened_on <= 30".
        if self.op == "-" and isinstance(left, dt.date) and isinstance(right, dt.date):
            return (left - right).days
        return None


def _compare(op: str, left: RuleValue, right: RuleValue) -> bool | None:
    if left is None or right is None:
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool) and op in ("==", "!="):
            return _OPERATORS[op](left, right)
        return None
    if _number(left) is not None and _number(right) is not None:
        return _OPERATORS[op](left, right)
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        # A date literal is written as an ISO string: established_on >= '2000-01-01'.
        a, b = _as_date(left), _as_date(right)
        if a is None or b is None:
            return None
        return _OPERATORS[op](a, b)
    if isinstance(left, str) and isinstance(right, str):
        return _OPERATORS[op](left, right)
    return None


@dataclass(frozen=True, slots=True)
class _Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def _children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def _value(self, env: _Env) -> RuleValue:
        return _compare(self.op, self.left._value(env), self.right._value(env))


@dataclass(frozen=True, slots=True)
class _In(Expr):
    operand: Expr
    options: tuple[str, ...]

    def _children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def _value(self, env: _Env) -> RuleValue:
        value = self.operand._value(env)
        if not isinstance(value, str):
            return None
        return value.strip() in self.options


@dataclass(frozen=True, slots=True)
class _Not(Expr):
    operand: Expr

    def _children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def _value(self, env: _Env) -> RuleValue:
        truth = self.operand._truth(env)
        return None if truth is None else not truth


@dataclass(frozen=True, slots=True)
class _And(Expr):
    operands: tuple[Expr, ...]

    def _children(self) -> tuple[Expr, ...]:
        return self.operands

    def _value(self, env: _Env) -> RuleValue:
        # Kleene: one False decides; otherwise any unknown makes the whole unknown.
        result: bool | None = True
        for operand in self.operands:
            truth = operand._truth(env)
            if truth is False:
                return False
            if truth is None:
                result = None
        return result


@dataclass(frozen=True, slots=True)
class _Or(Expr):
    operands: tuple[Expr, ...]

    def _children(self) -> tuple[Expr, ...]:
        return self.operands

    def _value(self, env: _Env) -> RuleValue:
        result: bool | None = False
        for operand in self.operands:
            truth = operand._truth(env)
            if truth is True:
                return True
            if truth is None:
                result = None
        return result


# ---------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (text is None or token.text == text)

    def fail(self, what: str, token: _Token | None = None) -> RuleSyntaxError:
        token = token or self.current
        return RuleSyntaxError(what, self.text, token.position)

    def expect(self, kind: str, text: str, what: str) -> _Token:
        if not self.at(kind, text):
            raise self.fail(f"expected {what} but found {self.current.describe()}")
        return self.advance()

    def parse(self) -> Expr:
        if self.at("end"):
            raise self.fail("empty expression")
        expr = self.parse_or()
        if not self.at("end"):
            raise self.fail(f"unexpected {self.current.describe()}")
        return expr

    def parse_or(self) -> Expr:
        operands = [self.parse_and()]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else _Or(tuple(operands))

    def parse_and(self) -> Expr:
        operands = [self.parse_not()]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else _And(tuple(operands))

    def parse_not(self) -> Expr:
        if self.at("keyword", "not"):
            self.advance()
            return _Not(self.parse_not())
        return self.parse_cmp()

    def parse_cmp(self) -> Expr:
        left = self.parse_sum()
        token = self.current
        if token.kind == "op" and token.text in _COMPARISONS:
            self.advance()
            return _Compare(token.text, left, self.parse_sum())
        if token.kind == "keyword" and token.text == "in":
            self.advance()
            return _In(left, self.parse_list())
        return left

    def parse_list(self) -> tuple[str, ...]:
        self.expect("op", "[", "'[' after 'in'")
        items = [self.parse_string_item()]
        while self.at("op", ","):
            self.advance()
            items.append(self.parse_string_item())
        self.expect("op", "]", "',' or ']' in list")
        return tuple(items)

    def parse_string_item(self) -> str:
        if not self.at("string"):
            raise self.fail(f"expected a quoted string in list but found {self.current.describe()}")
        return self.advance().text[1:-1]

    def parse_sum(self) -> Expr:
        left = self.parse_term()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            op = self.advance().text
            left = _Arith(op, left, self.parse_term())
        return left

    def parse_term(self) -> Expr:
        token = self.current
        if token.kind == "number":
            self.advance()
            number: int | float = float(token.text) if "." in token.text else int(token.text)
            return _Literal(number)
        if token.kind == "string":
            self.advance()
            return _Literal(token.text[1:-1])
        if token.kind == "ident":
            self.advance()
            if self.at("op", "("):
                return self.parse_call(token)
            if token.text in _FUNCTIONS:
                raise self.fail(f"{token.text} must be called as {token.text}(field)", token)
            return _Name(token.text)
        if token.kind == "op" and token.text == "(":
            self.advance()
            inner = self.parse_or()
            self.expect("op", ")", "')'")
            return inner
        raise self.fail(f"expected a number, string, name or '(' but found {token.describe()}")

    def parse_call(self, name: _Token) -> Expr:
        if name.text not in _FUNCTIONS:
            raise self.fail(f"unknown function {name.text!r} (only prior(field) exists)", name)
        self.advance()  # "("
        if not self.at("ident"):
            raise self.fail(f"expected a field name in prior() but found {self.current.describe()}")
        argument = self.advance().text
        self.expect("op", ")", "')' after the field name in prior()")
        return _Prior(argument)


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Expr:
    """Parse a rule or derived expression; raises :class:`RuleSyntaxError`."""
    return _Parser(text).parse()


def rename(text: str, names: Mapping[str, str]) -> str:
    """``text`` with the field names in ``names`` replaced (strings and keywords kept)."""
    out: list[str] = []
    position = 0
    for token in _tokenize(text):
        if token.kind == "ident" and token.text in names:
            out.append(text[position : token.position])
            out.append(names[token.text])
            position = token.position + len(token.text)
    out.append(text[position:])
    return "".join(out)


def evaluate(
    expr: Expr,
    values: Mapping[str, object],
    prior: PriorLookup | None = None,
) -> bool | None:
    """Evaluate ``expr`` as a condition with three-valued logic.

    Empty values (None or blank text) make comparisons and arithmetic unknown, and
    so does comparing incompatible types. ``None`` means "cannot tell": callers must
    not report a rule as broken then.
    """
    return expr._truth(_Env(values, prior))


def evaluate_number(
    expr: Expr,
    values: Mapping[str, object],
    prior: PriorLookup | None = None,
) -> float | None:
    """Evaluate ``expr`` as a number (for derived values); None when unknown or not numeric."""
    value = _number(expr._value(_Env(values, prior)))
    return None if value is None else float(value)


_READABLE_OPS = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠", "<": "<", ">": ">"}
_READABLE_KEYWORDS = {"and": "并且", "or": "或者", "not": "不", "in": "属于"}


def describe(text: str, labels: Mapping[str, str]) -> str:
    """A rule for people: field ids become their labels, operators their signs.

    ``mediations_successful <= mediations`` with the plan's labels reads
    ``调解成功 ≤ 调解纠纷``; ``prior(x)`` reads ``以前各期x合计``.
    """
    out: list[str] = []
    tokens = _tokenize(text)
    index = 0
    while tokens[index].kind != "end":
        token = tokens[index]
        if token.kind == "ident" and tokens[index + 1].text == "(":
            # prior(field): the only function of the language.
            inner = tokens[index + 2].text
            out.append(f"以前各期{labels.get(inner, inner)}合计")
            index += 4
            continue
        if token.kind == "ident":
            out.append(labels.get(token.text, token.text))
        elif token.kind == "keyword":
            out.append(_READABLE_KEYWORDS.get(token.text, token.text))
        elif token.kind == "op":
            out.append(_READABLE_OPS.get(token.text, token.text))
        elif token.kind == "string":
            out.append(f"“{token.text[1:-1]}”")
        else:
            out.append(token.text)
        index += 1
    text_out = " ".join(out)
    for opening, closing in (("( ", "("), (" )", ")"), ("[ ", "["), (" ]", "]"), (" ,", ",")):
        text_out = text_out.replace(opening, closing)
    return text_out
