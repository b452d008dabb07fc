"""Binding SPARQL variables to RDF terms: the one way trialgraph puts values into a query.

:func:`bind` writes the values as a ``VALUES`` block at the start of the query's outermost
``WHERE`` group. There they are in scope for every pattern and filter of the query, and
Oxigraph evaluates them first, so a lookup starts from the concepts its parameters name.
The terms are written by pyoxigraph (``str(term)``: N-Triples syntax, escaped) and the
variable names are checked, so no value can change the query's structure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from pyoxigraph import Literal, NamedNode

#: What a ``VALUES`` block can hold (blank nodes cannot be bound there).
BindTerm = NamedNode | Literal

_VARIABLE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Tokens that matter when looking for the outermost WHERE group: comments, strings and IRIs
# are skipped whole (they may hold braces or the word WHERE), braces are counted.
_TOKENS: Final = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<open>\{) | (?P<close>\})
    | (?P<where>(?<![\w:?$.-])WHERE(?![\w:-]))
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)


class BindingError(ValueError):
    """Values that cannot be bound: a bad variable name, a row of the wrong width, no WHERE."""


def where_group(query: str) -> int:
    """The offset just after the ``{`` that opens the query's outermost ``WHERE`` group.

    >>> q = 'PREFIX x: <urn:a#WHERE> # WHERE {\\nSELECT ?s WHERE { { SELECT ?s WHERE {} } }'
    >>> q[where_group(q):]
    ' { SELECT ?s WHERE {} } }'
    """
    depth = 0
    after_where: int | None = None  # set once the WHERE keyword is read
    for token in _TOKENS.finditer(query):
        kind = token.lastgroup
        if after_where is not None:
            if query[after_where : token.start()].strip():
                break
            if kind == "open":
                return token.end()
            if kind != "comment":
                break
            after_where = token.end()
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "where" and depth == 0:
            after_where = token.end()
    raise BindingError("the query has no WHERE { ... } group to bind values in")


def values_block(variables: Sequence[str], rows: Iterable[Sequence[BindTerm]]) -> str:
    """A ``VALUES`` block binding ``variables`` to each row of terms.

    >>> values_block(["t"], [(NamedNode("urn:a"),), (NamedNode("urn:b"),)])
    'VALUES ?t { <urn:a> <urn:b> }'
    >>> values_block(["q", "n"], [(Literal('a" } UNION {\\n'), Literal("b\\\\"))])
    'VALUES (?q ?n) { ("a\\\\" } UNION {\\\\n" "b\\\\\\\\") }'
    """
    if not variables:
        raise BindingError("no variables to bind")
    for name in variables:
        if not _VARIABLE.fullmatch(name):
            raise BindingError(f"not a variable name: {name!r}")
    cells = []
    for row in rows:
        if len(row) != len(variables):
            raise BindingError(f"a row of {len(row)} terms for {len(variables)} variables")
        for term in row:
            if not isinstance(term, NamedNode | Literal):
                raise BindingError(f"only IRIs and literals can be bound, not {term!r}")
        terms = " ".join(map(str, row))
        cells.append(terms if len(variables) == 1 else f"({terms})")
    if len(variables) == 1:
        return f"VALUES ?{variables[0]} {{ {' '.join(cells)} }}"
    return f"VALUES ({' '.join('?' + v for v in variables)}) {{ {' '.join(cells)} }}"


def bind(query: str, variables: Sequence[str], rows: Iterable[Sequence[BindTerm]]) -> str:
    """``query`` with ``variables`` bound to each row of terms, in its outermost WHERE group.

    One row binds parameters; several rows run the query once per row (a batch of trials).

    >>> bind("SELECT ?s WHERE { ?s ?p ?o }", ["o"], [(Literal("x"),)])
    'SELECT ?s WHERE { VALUES ?o { "x" } ?s ?p ?o }'
    """
    block = values_block(variables, rows)
    start = where_group(query)
    return f"{query[:start]} {block}{query[start:]}"
