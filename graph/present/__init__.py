"""Presentation: answers as rows and columns, written as text, CSV, Markdown, HTML or JSON.
"""
