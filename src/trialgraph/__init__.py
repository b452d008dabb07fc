"""trialgraph: clinical-trial registry records as a queryable RDF knowledge graph."""

__version__ = "0.1.0"
