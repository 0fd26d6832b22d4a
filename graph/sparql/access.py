"""How we talk to someone else's SPARQL server: credentials and the request form.

Credentials never come from the command line (they would show in ``ps`` and shell
history). In order: ``DATAREACH_ENDPOINT_TOKEN`` (sent as ``Authorization: Bearer``),
``DATAREACH_ENDPOINT_USER`` with ``DATAREACH_ENDPOINT_PASSWORD`` (HTTP Basic or Digest,
whichever the server asks for: Virtuoso's ``/sparql-graph-crud-auth`` asks for Digest), then
the ``machine`` entry for the server's host in ``~/.netrc`` (or ``$NETRC``).

Queries go as the SPARQL 1.1 Protocol allows: ``get`` (``?query=…``), ``post-form``
(``application/x-www-form-urlencoded``) or ``post-direct`` (``application/sparql-query``).
``auto`` uses GET while the URL stays short and a form POST otherwise: every server we
know answers those two, while Virtuoso 7.2 never answers a direct POST (issue 16).
"""

from __future__ import annotations

import base64
import netrc
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import UsageError
from graph.sparql.defaults import DEFAULT_GRAPH, METHODS, SERVER_DEFAULT  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # urllib.request (and http, email) is imported when a request is made, not by every command
    import urllib.request

TOKEN_ENV, USER_ENV, PASSWORD_ENV = "DATAREACH_ENDPOINT_TOKEN", "DATAREACH_ENDPOINT_USER", "DATAREACH_ENDPOINT_PASSWORD"
GET_MAX_URL = 2_000  # longer URLs go as a form POST (servers and proxies cut URLs at 2-8 KiB)


@dataclass(frozen=True)
class Credentials:
    """A bearer token, or a user name and password; ``where`` says where they came from (never the secret)."""

    token: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    where: str = "none"

    def headers(self) -> dict[str, str]:
        """The headers sent with every request (a bearer token; passwords go by challenge)."""
        return {} if self.token is None else {"Authorization": f"Bearer {self.token}"}

    def authorize(self, request: urllib.request.Request, timeout: float = 30.0) -> None:
        """Give ``request`` its ``Authorization`` header before it is sent (a large PUT body
        must not meet a 401 half-way): ask the server with an empty GET for its challenge,
        then answer it (Basic, or Digest for this very method and URL)."""
        import urllib.error
        import urllib.request

        if self.token is not None or request.has_header("Authorization"):
            return
        probe = urllib.request.Request(request.full_url, method="GET")
        try:
            with urllib.request.build_opener().open(probe, timeout=timeout):
                return  # no challenge: the server takes the request as it is
        except urllib.error.HTTPError as err:
            challenge = err.headers.get("WWW-Authenticate", "") if err.code == 401 else ""
        scheme, _, rest = challenge.partition(" ")
        if self.user is None:
            if not scheme:
                return
            raise UsageError(f"the endpoint answered 401 (it asks for {scheme} credentials): set ${USER_ENV} and "
                             f"${PASSWORD_ENV}, ${TOKEN_ENV}, or a machine entry in ~/.netrc")
        if scheme.lower() == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, request.full_url, self.user, self.password or "")
            chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            answer = urllib.request.HTTPDigestAuthHandler(manager).get_authorization(request, chal)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")
        elif scheme.lower() == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")

    def opener(self, url: str) -> urllib.request.OpenerDirector:
        """A urllib opener that answers a Basic or Digest challenge from ``url``'s server."""
        import urllib.request

        if self.user is None:
            return urllib.request.build_opener()
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, self.user, self.password or "")
        basic, digest = _handlers()
        return urllib.request.build_opener(basic(manager), digest(manager))


def _rewind(req: urllib.request.Request) -> None:
    """A challenged request is sent again: a file body (push) starts over, not at its end."""
    seek = getattr(req.data, "seek", None)
    if seek is not None:
        seek(0)


def _handlers() -> tuple[Any, Any]:
    """The Basic and Digest handlers that rewind a challenged request's body (made on first use)."""
    import urllib.request

    class _Basic(urllib.request.HTTPBasicAuthHandler):
        def http_error_401(self, req, fp, code, msg, headers):  # noqa: ANN001, ANN202 - the base class signature
            _rewind(req)
            return super().http_error_401(req, fp, code, msg, headers)

    class _Digest(urllib.request.HTTPDigestAuthHandler):
        def http_error_401(self, req, fp, code, msg, headers):  # noqa: ANN001, ANN202 - the base class signature
            _rewind(req)
            return super().http_error_401(req, fp, code, msg, headers)

    return _Basic, _Digest


def credentials_for(url: str, env: Mapping[str, str] | None = None, netrc_file: Path | None = None) -> Credentials:
    """The credentials for ``url``: from the environment, else the netrc entry for its host.

    Parameters
    ----------
    url : str
        The server's URL (its host picks the netrc entry).
    env : mapping, optional
        The environment (default ``os.environ``).
    netrc_file : Path, optional
        The netrc file (default ``$NETRC``, else ``~/.netrc``); a missing file means none.

    Returns
    -------
    Credentials
        Possibly empty.

    Raises
    ------
    UsageError
        A user without a password (or the reverse), or an unreadable netrc file.

    Examples
    --------
    >>> credentials_for("http://h/sparql", {"DATAREACH_ENDPOINT_TOKEN": "t"}).headers()
    {'Authorization': 'Bearer t'}
    >>> credentials_for("http://h/sparql", {"DATAREACH_ENDPOINT_USER": "dba", "DATAREACH_ENDPOINT_PASSWORD": "x"})
    Credentials(token=None, user='dba', where='$DATAREACH_ENDPOINT_USER')
    """
    env = os.environ if env is None else env
    if env.get(TOKEN_ENV):
        return Credentials(token=env[TOKEN_ENV], where=f"${TOKEN_ENV}")
    user, password = env.get(USER_ENV), env.get(PASSWORD_ENV)
    if user or password:
        if not (user and password is not None):
            raise UsageError(f"set both ${USER_ENV} and ${PASSWORD_ENV} (or neither)")
        return Credentials(user=user, password=password, where=f"${USER_ENV}")
    path = netrc_file or Path(env.get("NETRC") or Path.home() / ".netrc")
    host = urllib.parse.urlsplit(url).hostname
    if host is None or not path.is_file():
        return Credentials()
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    if entry is None:
        return Credentials()
    login, _, password = entry
    return Credentials(user=login, password=password or "", where=str(path))


def query_request(url: str, query: str, *, method: str = "auto", graph: str | None = None,
                  headers: Mapping[str, str] | None = None) -> urllib.request.Request:
    """The HTTP request for ``query`` at the endpoint ``url`` (see the module docstring).

    ``graph`` is sent as the protocol's ``default-graph-uri``: the query reads that graph
    alone, never the server's own triples (no ``FROM`` in the text, which our guard refuses).

    >>> r = query_request("http://h/sparql", "ASK {}", graph="urn:g")
    >>> r.get_method(), r.full_url
    ('GET', 'http://h/sparql?query=ASK+%7B%7D&default-graph-uri=urn%3Ag')
    >>> r = query_request("http://h/sparql", "ASK {}", method="post-form")
    >>> r.get_method(), r.data, r.get_header("Content-type")
    ('POST', b'query=ASK+%7B%7D', 'application/x-www-form-urlencoded')
    """
    import urllib.request

    if method not in METHODS:
        raise UsageError(f"request method must be one of {', '.join(METHODS)}, not {method!r}")
    graphs = [] if graph is None else [("default-graph-uri", graph)]
    join = "&" if "?" in url else "?"
    all_headers = dict(headers or {})
    form = urllib.parse.urlencode([("query", query), *graphs])
    if method == "get" or (method == "auto" and len(url) + len(form) + 1 <= GET_MAX_URL):
        return urllib.request.Request(url + join + form, method="GET", headers=all_headers)
    if method == "post-direct":
        target = url + (join + urllib.parse.urlencode(graphs) if graphs else "")
        return urllib.request.Request(target, data=query.encode("utf-8"), method="POST",
                                      headers={"Content-Type": "application/sparql-query", **all_headers})
    return urllib.request.Request(url, data=form.encode("ascii"), method="POST",
                                  headers={"Content-Type": "application/x-www-form-urlencoded", **all_headers})
