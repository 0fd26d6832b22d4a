"""The build: find and read fact files safely, resolve names and terms, emit and validate RDF, project it
onto networkx, and write the compiled graph (N-Triples, Turtle, JSON-LD, the flow index) into ``out/``.
"""
