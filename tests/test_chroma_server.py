"""A shared index on a real Chroma server (`chroma run` on loopback), through the real CLI.

Indexing and searching through the server must give what the embedded store gives for the same
video; the auth token and TLS options must reach the server (checked through an HTTPS proxy that
demands the token, the way a department puts Chroma behind its own gateway).
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import TINY_CLIP_ARGS, run_cli

from momentsearch.store.client import ChromaServer

QUERIES = ["where do they discuss the roadmap", "chlorophyll turns water and carbon dioxide into sugar",
           "questions from the audience"]
TOKEN = "s3cret-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_executable() -> str:
    beside = Path(sys.executable).parent / "chroma"  # installed with the chromadb package
    found = str(beside) if beside.exists() else shutil.which("chroma")
    assert found, "the `chroma` command of the chromadb package is missing"
    return found


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """`chroma run` on 127.0.0.1 and a free port; yields its URL; stopped (by its pid) at teardown."""
    data = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen([chroma_executable(), "run", "--path", str(data / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"chroma server did not start: {(data / 'server.log').read_text(errors='replace')}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _rows(client) -> dict[str, dict[str, tuple]]:
    """collection -> id -> (document, metadata) for every momentsearch collection."""
    out = {}
    for col in client.list_collections():
        got = client.get_collection(col.name).get(include=["documents", "metadatas"])
        out[col.name] = {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
    return out


def _batch_search(where: list[str], tmp_path: Path) -> list[dict]:
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps({"qid": i, "query": q}) + "\n" for i, q in enumerate(QUERIES)))
    proc = run_cli("search", "--queries", str(queries), "-k", "5", *where)
    return [json.loads(line) for line in proc.stdout.splitlines()]


@pytest.fixture(scope="module")
def server_index(chroma_server, lecture):
    """The lecture indexed into the server, given by $MOMENTSEARCH_CHROMA_URL (as a team would set it)."""
    proc = run_cli("index", str(lecture[0]), *TINY_CLIP_ARGS, "--quiet",
                   env={"MOMENTSEARCH_CHROMA_URL": chroma_server, "MOMENTSEARCH_DB": "/nonexistent/never-used"})
    return chroma_server, proc.stdout


def test_server_index_equals_embedded_index(server_index, indexed_lecture):
    import chromadb

    url, stdout = server_index
    assert "1 indexed" in stdout
    assert not Path("/nonexistent/never-used").exists()  # the server was used, not a folder
    db = indexed_lecture[0]
    host, port = url.rsplit("//", 1)[1].split(":")
    on_server = _rows(chromadb.HttpClient(host=host, port=int(port)))
    embedded = _rows(chromadb.PersistentClient(str(db)))
    assert set(on_server) == set(embedded) and {"ms_transcript", "ms_keyframes", "ms_unified", "ms_files"} <= set(embedded)
    for name in embedded:
        assert on_server[name].keys() == embedded[name].keys(), name
        for key, (doc, meta) in embedded[name].items():
            assert on_server[name][key][0] == doc
            assert on_server[name][key][1] == meta, (name, key)  # incl. the per-file record (hash, size, complete)
    info = json.loads(run_cli("info", "--chroma-url", url, "--json").stdout)
    embedded_info = json.loads(run_cli("info", "--db", str(db), "--json").stdout)
    assert info["db"] == url
    assert info["counts"] == embedded_info["counts"] and info["counts"]["transcript"] >= 3
    assert info["files"] == embedded_info["files"]


def test_search_through_server_equals_embedded(server_index, indexed_lecture, tmp_path):
    url, _ = server_index
    remote = _batch_search(["--chroma-url", url], tmp_path)
    local = _batch_search(["--db", str(indexed_lecture[0])], tmp_path)
    assert [r["qid"] for r in remote] == list(range(len(QUERIES)))
    for r, e in zip(remote, local):
        assert r["results"], r
        assert len(r["results"]) == len(e["results"])
        for a, b in zip(r["results"], e["results"]):
            assert (a["video"], a["start"], a["end"], a["text"]) == (b["video"], b["start"], b["end"], b["text"])
            assert a["score"] == pytest.approx(b["score"], abs=1e-5)
            assert a["channels"].keys() == b["channels"].keys()
    top = remote[0]["results"][0]
    assert "roadmap" in top["text"].lower()


def test_unreachable_server_is_a_clear_error():
    proc = run_cli("info", "--chroma-url", f"http://127.0.0.1:{free_port()}", check=False)
    assert proc.returncode == 2 and "cannot reach the Chroma server" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("info", "--chroma-url", "not-a-url", check=False)
    assert proc.returncode == 2 and "http://HOST:PORT" in proc.stderr


def test_broken_ipv6_or_port_in_the_url_is_a_clear_error():
    """urlparse raises ValueError on these; it used to end in a traceback (exit 1), from the flag or the env.
    The message names where the bad value was given: the flag, or the environment variable."""
    for url in ("http://[::1/", "http://[fe80::1%eth0:8000", "http://[::1]:99999"):
        for how, named in ((["--chroma-url", url], "--chroma-url"), ([], "$MOMENTSEARCH_CHROMA_URL")):
            proc = run_cli("info", *how, check=False, env={"MOMENTSEARCH_CHROMA_URL": url})
            assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
            assert proc.stderr.strip().splitlines() == [
                f"momentsearch: error: {named} must look like http://HOST:PORT, got {url!r} "
                f"({'Port out of range 0-65535' if url.endswith('99999') else 'Invalid IPv6 URL'})"]


def test_a_malformed_url_from_the_environment_is_reported_as_the_environment_variable(monkeypatch):
    """A user who never typed --chroma-url must be told to fix $MOMENTSEARCH_CHROMA_URL; the flag, when
    given, wins over the variable and is the one named."""
    env = {"MOMENTSEARCH_CHROMA_URL": "chroma.example.org:8000"}  # the scheme left out, as people do
    proc = run_cli("info", check=False, env=env)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "momentsearch: error: $MOMENTSEARCH_CHROMA_URL must look like http://HOST:PORT, "
        "got 'chroma.example.org:8000'"], proc.stderr
    proc = run_cli("info", "--chroma-url", "ftp://h:1", check=False, env=env)
    assert proc.returncode == 2 and proc.stderr.startswith("momentsearch: error: --chroma-url must look like"), proc.stderr

    from momentsearch.api import MomentIndex
    from momentsearch.errors import MomentSearchError

    monkeypatch.setenv("MOMENTSEARCH_CHROMA_URL", "chroma.example.org:8000")
    with pytest.raises(MomentSearchError, match=r"^\$MOMENTSEARCH_CHROMA_URL must look like"):
        MomentIndex().store
    with pytest.raises(MomentSearchError, match=r"^chroma_url must look like .*'nohost'"):
        MomentIndex(chroma_url="nohost").store


# -- auth token and TLS: an HTTPS gateway that wants a bearer token, in front of the real server ----

class _Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        self.server.seen.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            data, status, headers = b'{"error":"Unauthorized","message":"missing or wrong token"}', 401, []
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
            skip = {"host", "authorization", "connection", "content-length"}
            conn.request(self.command, self.path, body=body,
                         headers={k: v for k, v in self.headers.items() if k.lower() not in skip})
            resp = conn.getresponse()
            data, status = resp.read(), resp.status
            headers = [(k, v) for k, v in resp.getheaders()
                       if k.lower() not in ("transfer-encoding", "connection", "content-length")]
            conn.close()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if not headers:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def tls_gateway(chroma_server, tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    certs = tmp_path_factory.mktemp("certs")
    cert, key = certs / "cert.pem", certs / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    server.upstream_port = int(chroma_server.rsplit(":", 1)[1])
    server.seen = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}", cert, server
    server.shutdown()
    server.server_close()


def test_token_and_ca_certificate_reach_the_server(tls_gateway, server_index):
    url, cert, gateway = tls_gateway
    direct = json.loads(run_cli("info", "--chroma-url", server_index[0], "--json").stdout)
    proc = run_cli("info", "--chroma-url", url, "--chroma-ca-cert", str(cert), "--json",
                   env={"MOMENTSEARCH_CHROMA_TOKEN": TOKEN})
    through = json.loads(proc.stdout)
    assert through["counts"] == direct["counts"] and through["files"] == direct["files"]
    assert gateway.seen and set(gateway.seen) == {f"Bearer {TOKEN}"}
    # the flag works as well as the environment variable
    assert run_cli("info", "--chroma-url", url, "--chroma-ca-cert", str(cert), "--chroma-token", TOKEN).returncode == 0


def test_wrong_token_or_untrusted_certificate_fail_clearly(tls_gateway):
    url, cert, _ = tls_gateway
    proc = run_cli("info", "--chroma-url", url, "--chroma-ca-cert", str(cert), "--chroma-token", "wrong", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot reach the Chroma server" in proc.stderr and "Unauthorized" in proc.stderr, proc.stderr
    proc = run_cli("info", "--chroma-url", url, "--chroma-token", TOKEN, check=False)  # self-signed, no CA given
    assert proc.returncode == 2 and "certificate" in proc.stderr.lower() and "Traceback" not in proc.stderr
    proc = run_cli("info", "--chroma-url", url, "--chroma-insecure", "--chroma-token", TOKEN, "--json")
    assert set(json.loads(proc.stdout)["counts"]) >= {"transcript", "keyframes"}


def test_token_header_styles():
    assert ChromaServer("http://h:1", token="t").headers() == {"Authorization": "Bearer t"}
    assert ChromaServer("http://h:1", token="t", token_header="X-Chroma-Token").headers() == {"X-Chroma-Token": "t"}
    assert ChromaServer("http://h:1").headers() == {}


def test_a_server_that_goes_away_mid_run_is_one_line_and_exit_2(monkeypatch, capsys):
    """Killing the Chroma server while `index` ran printed two chained httpx tracebacks and exit status 1
    (which says files failed); down at the start it was already one line and 2."""
    import importlib

    import httpx

    cli_main = importlib.import_module("momentsearch.cli.main")  # the module (the package exports its main())

    def gone(args):
        raise httpx.ConnectError("[Errno 111] Connection refused")

    monkeypatch.setattr(cli_main, "cmd_info", gone)
    assert cli_main.main(["info", "--chroma-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("momentsearch: error: lost the Chroma server at http://127.0.0.1:9") and "Traceback" not in err
    monkeypatch.setattr(cli_main, "cmd_info", lambda args: (_ for _ in ()).throw(httpx.ConnectError("x")))
    with pytest.raises(httpx.ConnectError):  # a local index: not a server's error, raised as it was
        cli_main.main(["info", "--db", "/nonexistent/db"])


def test_credentials_or_a_path_in_the_server_url_are_refused_not_dropped():
    """`--chroma-url http://user:pw@host:8765` was accepted: the user and password were never sent, and
    `info` printed the password; a path after the port (a proxy prefix) was dropped without a word."""
    from momentsearch.errors import MomentSearchError
    from momentsearch.store.client import make_client

    with pytest.raises(MomentSearchError, match="user and password in the URL are not sent") as got:
        make_client(chroma_url="http://ana:s3cret@127.0.0.1:9")
    assert "s3cret" not in str(got.value)
    for url in ("http://127.0.0.1:9/chroma", "http://127.0.0.1:9/?db=x"):
        with pytest.raises(MomentSearchError, match="path, query or fragment"):
            make_client(chroma_url=url)


def test_a_database_of_its_own_on_the_server_is_made_by_index_only(chroma_server):
    """docs/deploy.md says a team may keep experiments in a database of its own
    ($MOMENTSEARCH_CHROMA_DATABASE), but no command could make one: every run said "cannot reach the Chroma
    server ... Database [experiments] not found". `index` now makes it (as it makes a folder); the others say
    the server has no such database."""
    from momentsearch.errors import MomentSearchError
    from momentsearch.store.client import ChromaServer, make_client

    server = ChromaServer(chroma_server, database="experiments")
    with pytest.raises(MomentSearchError, match="has no database 'experiments'.*`momentsearch index` makes it"):
        make_client(chroma_url=server, create=False)
    assert make_client(chroma_url=server, create=True).list_collections() == []
    assert make_client(chroma_url=server, create=False).list_collections() == []  # there now
    proc = run_cli("info", "--chroma-url", chroma_server, check=False,
                   env={"MOMENTSEARCH_CHROMA_DATABASE": "typo"})
    assert proc.returncode == 2 and "has no database 'typo'" in proc.stderr and "Traceback" not in proc.stderr


def test_db_with_a_server_url_and_an_unknown_token_header_are_refused(monkeypatch):
    """`--db X --chroma-url U` searched the server and dropped --db without a word; a token header from the
    environment other than the two the flag takes (Authorization, X-Chroma-Token) was sent as given."""
    import importlib

    from momentsearch.errors import MomentSearchError
    from momentsearch.store.client import ChromaServer

    cli_main = importlib.import_module("momentsearch.cli.main")
    assert cli_main.main(["info", "--db", "/tmp/x", "--chroma-url", "http://127.0.0.1:9"]) == 2
    monkeypatch.setenv("MOMENTSEARCH_CHROMA_TOKEN_HEADER", "Bogus")
    with pytest.raises(MomentSearchError, match="must be Authorization or X-Chroma-Token, got 'Bogus'"):
        ChromaServer.from_env("http://127.0.0.1:9")
    monkeypatch.setenv("MOMENTSEARCH_CHROMA_TOKEN_HEADER", "x-chroma-token")
    assert ChromaServer.from_env("http://127.0.0.1:9", token="t").headers() == {"x-chroma-token": "t"}


def test_a_url_that_is_not_a_chroma_server_says_so_in_one_line():
    """`momentsearch serve` and `chroma run` both listen on port 8000 by default, so a teacher given the web
    page's address as --chroma-url is easy to meet. It answers Chroma's API with 404: the error was the page's
    JSON body and httpx's two lines (a link to MDN), and said nothing of what to check."""
    from momentsearch.errors import MomentSearchError
    from momentsearch.store.client import make_client

    class NotChroma(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"error": f"no such page or API route: {self.path}", "status": 404}).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    web = ThreadingHTTPServer(("127.0.0.1", 0), NotChroma)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{web.server_address[1]}"
    try:
        with pytest.raises(MomentSearchError) as caught:
            make_client(chroma_url=url, create=False)
    finally:
        web.shutdown()
    message = str(caught.value)
    assert "\n" not in message and "mozilla" not in message
    assert message.startswith(f"cannot reach the Chroma server at {url}:") and "404" in message
    assert "not a Chroma server" in message and "momentsearch serve" in message


def test_a_tenant_the_server_does_not_have_is_named_not_an_unreachable_server(chroma_server):
    """docs/deploy.md: the tenant `MOMENTSEARCH_CHROMA_TENANT` names must exist. A typo in it said "cannot reach the
    Chroma server at URL: Tenant [x] not found", sending the user to check a server that answered."""
    proc = run_cli("info", "--chroma-url", chroma_server, check=False, env={"MOMENTSEARCH_CHROMA_TENANT": "dept-typo"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot reach" not in proc.stderr and "has no tenant 'dept-typo'" in proc.stderr, proc.stderr
    assert "$MOMENTSEARCH_CHROMA_TENANT" in proc.stderr


def test_index_makes_its_own_database_on_the_server_as_the_docs_say(chroma_server, tmp_path):
    """`MOMENTSEARCH_CHROMA_DATABASE=experiments momentsearch index ...` (docs/deploy.md) stopped with "the Chroma
    server ... has no database 'experiments': `momentsearch index` makes it": `index` itself never made it (only
    a direct make_client(create=True) did), so the docs' way to keep experiments apart did not work at all."""
    from PIL import Image, ImageDraw, ImageFont

    photo = tmp_path / "board.png"
    picture = Image.new("RGB", (640, 200), "white")
    ImageDraw.Draw(picture).text((30, 70), "Dijkstra shortest paths", fill="black",
                                 font=ImageFont.load_default(size=40))
    picture.save(photo)
    env = {"MOMENTSEARCH_CHROMA_DATABASE": "experiments-index", "MOMENTSEARCH_CHROMA_URL": chroma_server}
    done = run_cli("index", str(photo), "--quiet", "--json", check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert [f["status"] for f in json.loads(done.stdout)["files"]] == ["indexed"]
    listed = json.loads(run_cli("info", "--json", env=env).stdout)
    assert [Path(f["path"]).name for f in listed["files"]] == ["board.png"]
    assert json.loads(run_cli("info", "--json", env={"MOMENTSEARCH_CHROMA_URL": chroma_server}).stdout)["files"] \
        != listed["files"]  # the default database does not hold it


def test_another_model_on_the_server_is_sent_to_a_database_of_its_own_not_a_new_db(chroma_server, tmp_path):
    """docs/deploy.md: indexing with another model into the shared server is refused, and experiments with other
    models go to a Chroma database of their own. The refusal said "re-index into a new --db": a local folder,
    which leaves the shared server everyone searches."""
    from momentsearch.errors import IndexMismatchError
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    server = ChromaServer(chroma_server, database="models-clash")
    make_client(chroma_url=server, create=True)
    for store, hint in ((Store(make_client(chroma_url=server), prefix="clash"), r"\$MOMENTSEARCH_CHROMA_DATABASE"),
                        (Store(make_client(str(tmp_path / "db")), prefix="clash", db_dir=tmp_path / "db"), "new --db")):
        store.collection("transcript", "sentence-transformers:all-MiniLM-L6-v2", 384)
        with pytest.raises(IndexMismatchError, match=hint) as refused:
            store.check_models({"transcript": "sentence-transformers:all-mpnet-base-v2"})
        assert ("--db" in str(refused.value)) == (hint == "new --db")


def test_a_search_with_another_text_model_on_the_server_is_sent_to_a_database_of_its_own(chroma_server, tmp_path):
    """The same refusal at search time: a search whose text model is not the shared index's said "re-index into a
    new --db", a local folder; on a server it names a Chroma database of its own, in a folder still a new --db."""
    from fakes import FakeText

    from momentsearch.errors import IndexMismatchError
    from momentsearch.search.searcher import Searcher
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    server = ChromaServer(chroma_server, database="search-clash")
    make_client(chroma_url=server, create=True)
    for store, hint in ((Store(make_client(chroma_url=server), prefix="sclash"), r"\$MOMENTSEARCH_CHROMA_DATABASE"),
                        (Store(make_client(str(tmp_path / "db")), prefix="sclash", db_dir=tmp_path / "db"), "new --db")):
        store.collection("transcript", "sentence-transformers:all-mpnet-base-v2", FakeText.dim)
        with pytest.raises(IndexMismatchError, match=hint) as refused:
            Searcher(store, FakeText())._check_text_model()
        assert ("--db" in str(refused.value)) == (hint == "new --db")
