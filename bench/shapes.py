"""SHACL conformance of the shared concepts that a whole export's trials write.

Each trial graph conforms on its own; what can break at scale is the concepts graph, where
every trial naming a product, target or disease describes the same node: one description
per node must hold whatever records say. This maps every record of the sources (in this
process, without a store), merges their concept descriptions with every Nth trial graph,
and validates them against ``ontology/shapes.ttl``::

    python -m bench.shapes SOURCE... [--every 50]

Prints the counts and the first violations; exits 1 when the graph does not conform.
"""

from __future__ import annotations

import argparse
import sys
import time

from pyoxigraph import Quad, RdfFormat, serialize
from pyshacl import validate
from rdflib import Graph

from trialgraph.mapping import map_record
from trialgraph.namespaces import resource_dir
from trialgraph.records import TrialRecord
from trialgraph.sources import read_sources


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", help="files or folders holding the records")
    parser.add_argument("--every", type=int, default=50, help="check every Nth trial graph")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    records = {r.trial_id: r for r in read_sources(args.sources) if isinstance(r, TrialRecord)}
    concepts: set[Quad] = set()
    sample: set[Quad] = set()
    for n, record in enumerate(records.values()):
        mapped = map_record(record)
        concepts.update(Quad(q.subject, q.predicate, q.object) for q in mapped.concept_quads)
        if n % args.every == 0:
            sample.update(Quad(q.subject, q.predicate, q.object) for q in mapped.quads)
    data = serialize([q.triple for q in concepts | sample], format=RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=data, format="nt")
    shapes = Graph().parse(resource_dir("ontology") / "shapes.ttl")
    ontology = Graph().parse(resource_dir("ontology") / "trialgraph.ttl")
    conforms, _, text = validate(graph, shacl_graph=shapes, ont_graph=ontology)
    print(
        f"{len(records)} trials, {len(concepts)} concept triples, {len(sample)} sampled "
        f"trial-graph triples: {'conforms' if conforms else 'does not conform'} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    if not conforms:
        print(text[:5000])
    return 0 if conforms else 1


if __name__ == "__main__":
    sys.exit(main())
