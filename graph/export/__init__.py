"""Exports of the data-flow graph for other tools: GraphML, GEXF, CSV, JSON-LD.
"""
