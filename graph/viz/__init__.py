"""The interactive HTML view: one offline, self-contained page (pyvis and vis-network stay here).
"""
