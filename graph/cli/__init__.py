"""The ``datareach`` command line: thin commands over the library. Nothing imports this package.
"""
