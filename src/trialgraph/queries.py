"""The query catalogue: ``queries/*.rq`` with their headers, safe parameter binding, output.

Each query file starts with ``#+`` header lines::

    #+ summary: Trials that name a target, by symbol or any synonym.
    #+ columns: trial, title
    #+ param: target (string, required) HGNC symbol, alias or name
    #+ param: phase (phase, default=) only trials in this phase; any when empty
    #+ param: sponsor (organization, required, as=sponsor_key) a name or part of one
    #+ one-of: target, condition, product

A parameter is bound to the variable of its name, or to the one ``as=`` names (so that a
column may carry the parameter's name). ``phase`` and ``status`` parameters take the
registry's values in any spelling ("Phase 2", ``phase2``, "active, not recruiting") and
refuse others; an ``organization`` parameter is bound as the identity key of the name
given (:func:`~trialgraph.normalize.facets.organization_key`). ``one-of`` names optional
parameters of which exactly one must be given.

Parameters are bound as RDF terms by :func:`trialgraph.sparql.bind`: a ``VALUES`` block at
the start of the query's outermost ``WHERE`` group, so they are in scope for every pattern and
filter. The terms are serialized by pyoxigraph, never by string formatting, so a value holding
quotes, braces or ``} UNION {`` stays one literal and cannot change the query.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from trialgraph.namespaces import STD, resource_dir
from trialgraph.normalize.facets import organization_key
from trialgraph.sparql import BindingError, BindTerm, bind

Term = NamedNode | BlankNode | Literal
Row = Sequence[Term | Triple | None]

PARAM_TYPES = ("string", "integer", "iri", "duration", "phase", "status", "organization")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>\w+)(?:\s*,\s*(?P<opt>[^)]*))?\)\s*(?P<doc>.*)$"
)
_AS = re.compile(r"\s*,\s*as=(?P<var>[A-Za-z_][A-Za-z0-9_]*)\s*$")


class QueryError(ValueError):
    """A query that cannot run as asked: unknown name, bad parameter, malformed header."""


@dataclass(frozen=True, slots=True)
class Param:
    """A declared query parameter; ``default`` ``None`` means required."""

    name: str
    type: str
    default: str | None
    description: str
    variable: str = ""

    @property
    def var(self) -> str:
        """The query variable the parameter is bound to."""
        return self.variable or self.name

    def term(self, value: str) -> BindTerm:
        """The RDF term a value given on the command line stands for."""
        if self.type in ("phase", "status"):
            return Literal(_facet_value(self, value))
        if self.type == "organization":
            key = organization_key(value)
            if not key and value.strip():
                raise QueryError(f"parameter {self.name} takes a name, not {value!r}")
            if not key and self.default is None:
                raise QueryError(f"parameter {self.name} needs a name ({self.description})")
            return Literal(key)
        if self.type == "integer":
            if not re.fullmatch(r"[+-]?\d+", value.strip()):
                raise QueryError(f"parameter {self.name} takes a whole number, not {value!r}")
            return Literal(value.strip(), datatype=STD.xsd_integer)
        if self.type == "iri":
            if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value, re.IGNORECASE):
                raise QueryError(f"parameter {self.name} takes an IRI, not {value!r}")
            return NamedNode(value)
        if self.type == "duration":
            return Literal(value, datatype=STD.xsd_duration)
        return Literal(value)


def _facet_value(param: Param, value: str) -> str:
    """A phase or status in the registry's spelling; ``""`` (any) for an empty value."""
    from trialgraph.normalize.facets import PHASES, STATUSES, controlled

    if not value.strip():
        return ""
    allowed = PHASES if param.type == "phase" else STATUSES
    found = controlled(value, allowed)
    if found is None:
        listed = ", ".join(allowed if param.type == "phase" else sorted(allowed))
        raise QueryError(f"parameter {param.name} takes one of {listed}; not {value!r}")
    return found


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One catalogue query: its name (file stem), header and text."""

    name: str
    path: Path
    summary: str
    columns: tuple[str, ...]
    params: tuple[Param, ...]
    text: str
    one_of: tuple[str, ...] = ()
    #: the form that reads the query's summary (``queries/summary/NAME.rq``), if it has one
    summary_text: str = ""

    def bind(self, values: dict[str, str], *, summary: bool = False) -> str:
        """The query text with parameters bound (defaults for those not given).

        With ``summary``, the text of the form that reads the query's summary.

        >>> q = parse_query(Path("x.rq"), '#+ param: x (string, default=a) doc\\n'
        ...                 'SELECT ?y WHERE { ?y ?p ?x }')
        >>> q.bind({"x": 'b" } UNION { ?s ?p ?o'}).splitlines()[-1]
        'SELECT ?y WHERE { VALUES ?x { "b\\\\" } UNION { ?s ?p ?o" } ?y ?p ?x }'
        """
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            names = ", ".join(declared) or "none"
            raise QueryError(
                f"query {self.name} has no parameter {unknown[0]!r} (its parameters: {names})"
            )
        if self.one_of:
            given = [n for n in self.one_of if values.get(n, declared[n].default or "").strip()]
            if len(given) != 1:
                names = ", ".join(f"--param {n}=..." for n in self.one_of)
                said = f"; given: {', '.join(given)}" if given else ""
                raise QueryError(f"query {self.name} takes exactly one of {names}{said}")
        terms: list[BindTerm] = []
        for param in self.params:
            value = values.get(param.name, param.default)
            if value is None:
                raise QueryError(
                    f"query {self.name} needs --param {param.name}=VALUE ({param.description})"
                )
            terms.append(param.term(value))
        text = self.summary_text if summary and self.summary_text else self.text
        if not terms:
            return text
        try:
            return bind(text, [p.var for p in self.params], [terms])
        except BindingError as error:
            raise QueryError(f"query {self.name}: {error}") from error


def parse_query(path: Path, text: str) -> NamedQuery:
    """Read a query file's ``#+`` header."""
    summary = ""
    columns: tuple[str, ...] = ()
    params: list[Param] = []
    one_of: tuple[str, ...] = ()
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].strip().partition(":")
        value = value.strip()
        if key == "summary":
            summary = value
        elif key == "columns":
            columns = tuple(c.strip() for c in value.split(",") if c.strip())
        elif key == "param":
            match = _PARAM.match(value)
            if not match or match["type"] not in PARAM_TYPES:
                raise QueryError(f"{path.name}: malformed parameter header {value!r}")
            option = (match["opt"] or "").strip()
            variable = ""
            if alias := _AS.search(", " + option):
                variable = alias["var"]
                option = _AS.sub("", ", " + option).removeprefix(", ").strip()
            default = option.removeprefix("default=").strip() if option != "required" else None
            if option and option != "required" and not option.startswith("default="):
                raise QueryError(f"{path.name}: expected 'required' or 'default=...' in {value!r}")
            doc = match["doc"].strip()
            params.append(Param(match["name"], match["type"], default, doc, variable))
        elif key == "one-of":
            one_of = tuple(n.strip() for n in value.split(",") if n.strip())
        else:
            raise QueryError(f"{path.name}: unknown header {key!r}")
    optional = {p.name for p in params if p.default is not None}
    if not set(one_of) <= optional:
        raise QueryError(f"{path.name}: one-of names parameters that are not optional ones")
    return NamedQuery(path.stem, path, summary, columns, tuple(params), text, one_of)


def catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every query in ``queries/`` (or in ``folder``), by name, with its summary form from
    ``summary/`` beside it where there is one."""
    folder = folder or resource_dir("queries")
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        query = parse_query(path, path.read_text("utf-8"))
        summarized = folder / "summary" / path.name
        if summarized.is_file():
            query = dataclasses.replace(query, summary_text=summarized.read_text("utf-8"))
        queries[path.stem] = query
    return queries


def describe(query: NamedQuery) -> list[str]:
    """Lines that tell a user what a query answers, its columns and its parameters.

    >>> q = parse_query(Path("by-x.rq"), '#+ summary: Trials by x.\\n#+ columns: trial\\n'
    ...                 '#+ param: x (string, required) a name\\nSELECT ?trial WHERE {}')
    >>> print("\\n".join(describe(q)))
    by-x  Trials by x.
        columns: trial
        --param x=<string>  a name (required)
    """
    marked = " (summarized)" if query.summary_text else ""
    lines = [f"{query.name}  {query.summary}{marked}", f"    columns: {', '.join(query.columns)}"]
    for p in query.params:
        default = "required" if p.default is None else f"default {p.default!r}"
        lines.append(f"    --param {p.name}=<{p.type}>  {p.description} ({default})")
    if query.one_of:
        lines.append(f"    exactly one of: {', '.join(query.one_of)}")
    return lines


def load_query(name_or_file: str) -> NamedQuery:
    """A catalogue query by name, or a ``.rq`` file by path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse_query(path, path.read_text("utf-8"))
    queries = catalogue()
    if name_or_file in queries:
        return queries[name_or_file]
    close = [n for n in queries if name_or_file.lower() in n]
    hint = f" Did you mean {', '.join(close)}?" if close else " See 'trialgraph query --list'."
    raise QueryError(f"no query named {name_or_file!r} and no such .rq file.{hint}")


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs from the command line."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param takes NAME=VALUE, not {pair!r}")
        values[name.strip()] = value
    return values


def cell(term: Term | Triple | None) -> str:
    """A result term as plain text: a literal's value, an IRI, empty when unbound."""
    if term is None:
        return ""
    if isinstance(term, Triple):
        return str(term)
    return term.value


def write_results(variables: Sequence[str], rows: Iterator[Row], fmt: str, out: TextIO) -> int:
    """Stream rows to ``out`` as table, csv, tsv or json (JSON Lines); returns the row count."""
    count = 0
    if fmt in ("csv", "tsv"):
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([cell(t) for t in row])
            count += 1
        return count
    if fmt == "json":
        for row in rows:
            out.write(
                json.dumps(dict(zip(variables, map(cell, row), strict=True)), ensure_ascii=False)
                + "\n"
            )
            count += 1
        return count
    # table: needs the widths, so it holds the rows (use csv/tsv/json for large results)
    table = [[cell(t).replace("\n", " ") for t in row] for row in rows]
    widths = [min(max([len(v)] + [len(r[i]) for r in table]), 60) for i, v in enumerate(variables)]
    buffer = io.StringIO()
    buffer.write("  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip())
    buffer.write("\n" + "  ".join("-" * w for w in widths) + "\n")
    for r in table:
        clipped = [v if len(v) <= w else v[: w - 1] + "…" for v, w in zip(r, widths, strict=True)]
        buffer.write("  ".join(v.ljust(w) for v, w in zip(clipped, widths, strict=True)).rstrip())
        buffer.write("\n")
    out.write(buffer.getvalue())
    out.write(f"({len(table)} rows)\n")
    return len(table)
