"""Reads a segment's rule text ("Rules Applied") and evaluates it with numpy, without
the library: what a marketer reads must select exactly the segment's users.

The grammar, as the texts print it:
    expr   := term (" or " term)*
    term   := factor (" and " factor)*
    factor := "not (" expr ")" | "(" expr ")" | "all users" | "no users"
            | NAME OP value | value OP NAME OP value        (a range: lower OP x OP upper)
    value  := NUMBER [" (" origin ")"]                       (origin: p75, max(p90 = 2311.5, 2500))
A comparison with a missing value (NaN) is false, and "not" of it true.
"""
import re

import numpy as np

_NUMBER = re.compile(r"-?(?:inf|nan|\d+(?:\.\d*)?(?:e[+-]?\d+)?)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPS = ("<=", ">=", "==", "<", ">")


class _Parser:
    def __init__(self, text):
        self.text, self.at = text, 0

    def fail(self, what):
        raise ValueError(f"rule text: expected {what} at {self.at}: {self.text!r}")

    def accept(self, token):
        if self.text.startswith(token, self.at):
            self.at += len(token)
            return True
        return False

    def expect(self, token):
        if not self.accept(token):
            self.fail(repr(token))

    def expr(self):
        terms = [self.term()]
        while self.accept(" or "):
            terms.append(self.term())
        return ("any", terms) if len(terms) > 1 else terms[0]

    def term(self):
        factors = [self.factor()]
        while self.accept(" and "):
            factors.append(self.factor())
        return ("all", factors) if len(factors) > 1 else factors[0]

    def factor(self):
        if self.accept("not ("):
            inner = self.expr()
            self.expect(")")
            return ("not", inner)
        if self.accept("("):
            inner = self.expr()
            self.expect(")")
            return inner
        if self.accept("all users"):
            return ("all", [])
        if self.accept("no users"):
            return ("any", [])
        if _NUMBER.match(self.text, self.at) and not _NAME.match(self.text, self.at):
            lower = self.value()
            first = self.op()
            name = self.name()
            second = self.op()
            upper = self.value()
            flipped = {"<": ">", "<=": ">="}[first]
            return ("all", [("cmp", name, flipped, lower), ("cmp", name, second, upper)])
        name = self.name()
        op = self.op()
        return ("cmp", name, op, self.value())

    def name(self):
        m = _NAME.match(self.text, self.at)
        if not m:
            self.fail("a feature")
        self.at = m.end()
        return m.group(0)

    def op(self):
        self.expect(" ")
        for op in _OPS:
            if self.accept(op):
                self.expect(" ")
                return op
        self.fail("an operator")

    def value(self):
        m = _NUMBER.match(self.text, self.at)
        if not m:
            self.fail("a number")
        self.at = m.end()
        if self.text.startswith(" (", self.at) and not self.text.startswith(" (", self.at - 1):
            # The origin of a quantile: balanced parentheses, no part of the logic.
            depth, i = 0, self.at + 1
            while i < len(self.text):
                depth += {"(": 1, ")": -1}.get(self.text[i], 0)
                i += 1
                if depth == 0:
                    break
            self.at = i
        return float(m.group(0))


def parse(text):
    p = _Parser(text)
    tree = p.expr()
    if p.at != len(text):
        p.fail("the end")
    return tree


def evaluate(tree, df):
    kind = tree[0]
    if kind == "all":
        mask = np.ones(len(df), dtype=bool)
        for t in tree[1]:
            mask &= evaluate(t, df)
        return mask
    if kind == "any":
        mask = np.zeros(len(df), dtype=bool)
        for t in tree[1]:
            mask |= evaluate(t, df)
        return mask
    if kind == "not":
        return ~evaluate(tree[1], df)
    _, name, op, v = tree
    x = df[name].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        return {"<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v, "==": x == v}[op]
