"""Query text for engines that take text, not a parsed query: Oxigraph and remote endpoints.

Our prefixes are declared in the text (:func:`with_prefixes`), and parameters go in as
serialised RDF terms (:func:`bind_text`, lexer-aware, so strings, IRIs and comments are
untouched), never as pasted user text. rdflib needs neither: it takes ``initNs`` and
``initBindings``.

>>> from rdflib import URIRef
>>> print(with_prefixes(bind_text("ASK { ?c a dr:Company }", {"c": URIRef("https://w3id.org/datareach/id/rbc")}))
...       .splitlines()[-1])
ASK { <https://w3id.org/datareach/id/rbc> a dr:Company }
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from graph.model.prefixes import PREFIXES

if TYPE_CHECKING:  # rdflib is imported only when a term is bound
    from rdflib.term import Node

__all__ = ["bind_text", "with_prefixes"]


def with_prefixes(text: str) -> str:
    """``text`` with our prefixes declared first (a remote server does not know them).

    Parameters
    ----------
    text : str
        A query that may use ``dr:``, ``dt:``, ``id:`` and our other prefixes.

    Returns
    -------
    str
        One ``PREFIX`` line for each of :data:`graph.model.prefixes.PREFIXES`, then ``text``.

    Examples
    --------
    >>> with_prefixes("ASK { ?c a dr:Company }").splitlines()[0]
    'PREFIX dr: <https://w3id.org/datareach/ns#>'
    """
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + text


_LEXEME = re.compile("|".join([
    r"#[^\n\r]*",  # a comment
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',  # long strings
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"',  # short strings
    r"'(?:[^'\\\n\r]|\\.)*'",
    r'<[^<>"{}|^`\\\x00-\x20]*>',  # an IRI
    r"[?$]([A-Za-z_][A-Za-z0-9_]*)",  # a variable: the only thing replaced
]))
_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')


def bind_text(text: str, bindings: Mapping[str, Node]) -> str:
    """``text`` with each bound variable replaced by its serialised term, as ``initBindings``
    binds it locally (a trailing VALUES would not reach into subqueries). Strings, IRIs and
    comments are skipped; values are serialised terms, never pasted text.

    Parameters
    ----------
    text : str
        The query.
    bindings : mapping of str to Node
        Variable names (without ``?``) and their values: IRIs or literals.

    Returns
    -------
    str
        The query with ``?name`` and ``$name`` replaced wherever they are variables.

    Raises
    ------
    ValueError
        For a blank node, or an IRI with a character an IRI may not hold.

    Examples
    --------
    >>> from rdflib import Literal, URIRef
    >>> bind_text('SELECT ?x { ?c ?p ?name . FILTER(?x != "?name") } # ?name',
    ...           {"name": Literal('x" } UNION { ?s ?p ?o } #')})
    'SELECT ?x { ?c ?p "x\\\\" } UNION { ?s ?p ?o } #" . FILTER(?x != "?name") } # ?name'
    """
    if not bindings:
        return text
    terms = {name: _term_text(term) for name, term in bindings.items()}

    def swap(match: re.Match[str]) -> str:
        name = match.group(1)
        return terms[name] if name is not None and name in terms else match.group(0)

    return _LEXEME.sub(swap, text)


def _term_text(term: Node) -> str:
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        if _BAD_IRI.search(str(term)):
            raise ValueError(f"not a valid IRI: {str(term)[:80]!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise ValueError(f"cannot send a {type(term).__name__} as a parameter")
