"""The questions, on the networkx projection or the flow index: reach, rank, the partner table, owners.
"""
