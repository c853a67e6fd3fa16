"""How to reach an index: an embedded Chroma folder or a shared Chroma server (telemetry off)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from momentsearch.errors import MomentSearchError
from momentsearch.file_modes import as_umask_allows
from momentsearch.store.folder import (begin_new, check_index, disk_full, is_disk_full, prepare_writable,
                                       read_only_snapshot, writable)
from momentsearch.store.reopen import open_persistent

DEFAULT_DB = "./momentsearch-db"


def default_db_dir() -> str:
    # set but empty: as unset, never "." itself; "~/idx" (quoted in a shell's profile, so not expanded) is the home's
    return os.path.expanduser(os.environ.get("MOMENTSEARCH_DB", "").strip()) or DEFAULT_DB


@dataclass(frozen=True)
class ChromaServer:
    """How to reach a shared Chroma server. Fields left out come from the environment:

    MOMENTSEARCH_CHROMA_TOKEN         auth token, sent in `token_header` on every request
    MOMENTSEARCH_CHROMA_TOKEN_HEADER  "Authorization" (sent as "Bearer TOKEN", the default) or
                                      "X-Chroma-Token" (sent as is)
    MOMENTSEARCH_CHROMA_CA_CERT       CA bundle (PEM) that signed the server's TLS certificate
    MOMENTSEARCH_CHROMA_INSECURE=1    https without certificate checks (test set-ups only)
    MOMENTSEARCH_CHROMA_TENANT / MOMENTSEARCH_CHROMA_DATABASE   Chroma tenant and database

    `named_by` says where the URL came from ("--chroma-url", "$MOMENTSEARCH_CHROMA_URL"), so that a
    malformed one is reported where the user can fix it.
    """

    url: str  # http://HOST:PORT or https://HOST:PORT
    token: str | None = None
    token_header: str = "Authorization"
    ca_cert: str | None = None  # a path; None uses the system's CAs
    verify_tls: bool = True
    tenant: str = "default_tenant"
    database: str = "default_database"
    named_by: str = "chroma_url"  # where `url` was given: a flag, an environment variable, an argument

    @classmethod
    def from_env(cls, url: str, **given: Any) -> "ChromaServer":
        env = os.environ
        values = {
            "token": env.get("MOMENTSEARCH_CHROMA_TOKEN") or None,
            "token_header": env.get("MOMENTSEARCH_CHROMA_TOKEN_HEADER") or "Authorization",
            "ca_cert": env.get("MOMENTSEARCH_CHROMA_CA_CERT") or None,
            "verify_tls": env.get("MOMENTSEARCH_CHROMA_INSECURE", "") not in ("1", "true", "yes"),
            "tenant": env.get("MOMENTSEARCH_CHROMA_TENANT") or "default_tenant",
            "database": env.get("MOMENTSEARCH_CHROMA_DATABASE") or "default_database",
        }
        values.update({k: v for k, v in given.items() if v is not None})
        if values["token_header"].lower() not in ("authorization", "x-chroma-token"):  # the two the flag takes
            raise MomentSearchError(f"$MOMENTSEARCH_CHROMA_TOKEN_HEADER must be Authorization or X-Chroma-Token, got "
                                    f"{values['token_header']!r}")
        return cls(url=url, **values)

    def headers(self) -> dict[str, str]:
        if not self.token:
            return {}
        if self.token_header.lower() == "authorization":
            return {"Authorization": f"Bearer {self.token}"}
        return {self.token_header: self.token}

    def __str__(self) -> str:
        return self.url


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it came from, outermost first."""
    seen = [exc]
    while (nxt := seen[-1].__cause__ or seen[-1].__context__) is not None and nxt not in seen and len(seen) < 10:
        seen.append(nxt)
    return seen


def _root_cause(exc: BaseException) -> str:
    """chromadb wraps TLS and HTTP errors in "Could not connect..."; the first cause says what to fix."""
    messages = [str(e).strip().splitlines()[0] for e in _chain(exc) if str(e).strip()]  # httpx adds a link to MDN
    root = messages[-1] if messages else type(exc).__name__
    return root if root == messages[0] else f"{messages[0]} ({root})"


def _not_chroma(exc: BaseException) -> str:
    """What to check when the server answered Chroma's API with 404: that port holds another program."""
    if getattr(getattr(_chain(exc)[-1], "response", None), "status_code", None) != 404:
        return ""
    return ("; this is not a Chroma server (or one older than Chroma 0.6): check the port, `momentsearch serve` (the "
            "web page) listens on 8000 by default too")


def _new_database(chromadb, server: ChromaServer, where: dict, create: bool):
    """A client of the server's database `server.database`, which does not exist yet: made (an index made
    there, as a folder is made on a first `index`) when `create`, else a MomentSearchError that says so."""
    if not create:
        raise MomentSearchError(f"the Chroma server at {server.url} has no database {server.database!r} (tenant "
                                f"{server.tenant!r}): `momentsearch index` makes it; check "
                                "$MOMENTSEARCH_CHROMA_DATABASE")
    try:
        from chromadb.config import Settings

        admin = chromadb.AdminClient(Settings(**{**where["settings"].model_dump(), "chroma_api_impl":
                                                 "chromadb.api.fastapi.FastAPI", "chroma_server_host": where["host"],
                                                 "chroma_server_http_port": where["port"],
                                                 "chroma_server_ssl_enabled": where["ssl"],
                                                 "chroma_server_headers": where["headers"]}))
        admin.create_database(server.database, tenant=server.tenant)
        return chromadb.HttpClient(**where, database=server.database)
    except Exception as exc:  # the server refused (no right to make databases, an unknown tenant)
        raise MomentSearchError(f"cannot make the database {server.database!r} on the Chroma server at {server.url}: "
                                f"{_root_cause(exc)}") from exc


def _not_opened(chromadb, server: ChromaServer, where: dict, create: bool, exc: Exception):
    """The server's client for `server.database` after opening it failed with `exc`: a database it lacks made
    (when `create`); a tenant it lacks named; anything else the server not reached (a MomentSearchError)."""
    if f"Tenant [{server.tenant}] not found" in str(exc):  # it answered: the server is there, the tenant not
        raise MomentSearchError(f"the Chroma server at {server.url} has no tenant {server.tenant!r}: momentsearch "
                                "makes databases, not tenants (make it with chromadb's AdminClient), or check "
                                "$MOMENTSEARCH_CHROMA_TENANT") from exc
    if "not found" not in str(exc).lower() or f"[{server.database}]" not in str(exc):
        raise MomentSearchError(f"cannot reach the Chroma server at {server.url}: {_root_cause(exc)}"
                                f"{_not_chroma(exc)}") from exc
    return _new_database(chromadb, server, where, create)


def make_client(db_dir: str | None = None, chroma_url: "str | ChromaServer | None" = None, create: bool = True):
    """An embedded PersistentClient at `db_dir`, or an HttpClient for `chroma_url`. Telemetry off.

    `chroma_url` is a URL (token and TLS options then come from the environment, see ChromaServer)
    or a ChromaServer. `create=False` opens only an existing momentsearch index folder (see
    store/folder.py: anything else is IndexNotFoundError, and nothing is written), and a read-only
    one through a temporary copy.
    """
    from momentsearch.places import import_chromadb

    chromadb = import_chromadb()
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if chroma_url:
        from urllib.parse import urlparse

        server = chroma_url if isinstance(chroma_url, ChromaServer) else ChromaServer.from_env(str(chroma_url))
        shape = f"{server.named_by} must look like http://HOST:PORT, got {server.url!r}"
        try:
            url = urlparse(server.url)
            port = url.port
        except ValueError as exc:  # an unclosed IPv6 bracket, a port not a number or past 65535
            raise MomentSearchError(f"{shape} ({exc})") from None
        if url.scheme not in ("http", "https") or not url.hostname:
            raise MomentSearchError(shape)
        if url.username or url.password:  # never sent by chromadb, and `info` would print the password
            raise MomentSearchError(f"{server.named_by}: a user and password in the URL are not sent; give the "
                                    "token in $MOMENTSEARCH_CHROMA_TOKEN (or --chroma-token), the URL as "
                                    "http://HOST:PORT")
        if url.path.strip("/") or url.query or url.fragment:  # dropped without a word: another server's address
            raise MomentSearchError(f"{shape} (a path, query or fragment after the port is not supported)")
        if url.scheme == "https":
            if server.ca_cert and not Path(server.ca_cert).is_file():
                raise MomentSearchError(f"CA certificate file not found: {server.ca_cert}")
            settings.chroma_server_ssl_verify = server.ca_cert or server.verify_tls
        where = dict(host=url.hostname, port=port or (443 if url.scheme == "https" else 8000),
                     ssl=url.scheme == "https", headers=server.headers(), settings=settings, tenant=server.tenant)
        try:
            return chromadb.HttpClient(**where, database=server.database)
        except Exception as exc:  # connection, TLS and auth errors come in many types
            return _not_opened(chromadb, server, where, create, exc)
    return _local_client(Path(db_dir or default_db_dir()), settings, create)


def _local_client(path: Path, settings, create: bool):
    """An embedded PersistentClient at the index folder `path` (see make_client)."""
    named = path
    if create:
        begin_new(prepare_writable(path))  # a first run's Chroma database, told apart from another program's
    elif not writable(check_index(path)):
        path = read_only_snapshot(path)
    new = create and not (path / "chroma.sqlite3").exists()
    try:
        client = open_persistent(path, settings)  # (never the connection to a deleted database file)
        if new:  # SQLite makes it 0644 whatever the umask: a group sharing the index (umask 002) could not write
            as_umask_allows(path / "chroma.sqlite3", folder_too=False)
        return client
    except Exception as exc:  # chromadb raises its own InternalError for SQLite problems
        if is_disk_full(exc) and not create and path == named:
            try:  # a reader on a full disk (Chroma writes as it opens): a copy elsewhere, as for a read-only one
                return open_persistent(read_only_snapshot(path), settings)
            except Exception:
                pass
        if is_disk_full(exc):
            raise disk_full(named, _root_cause(exc), opening=not create) from exc
        raise MomentSearchError(f"cannot open the index at {path}: {_root_cause(exc)}") from exc
