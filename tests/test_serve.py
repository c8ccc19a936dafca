"""The preview server without a browser: rebuilds, errors, base path, ports, headers, Ctrl-C."""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.build import BuildOptions, build
from builder.cli import run
from builder.preview import Preview
from builder.serve import PortError, listen
from tests.serveutil import ServeProcess, eventually
from tests.siteutil import parse_html

ARTICLE = "content/articles/2011-02-17-talks.md"
SITE_YAML = "title: Test Archive\nbase_url: https://user.github.io/archive/\n"
ORIGIN = "http://127.0.0.1:8123"


def article(title: str, extra: str = "") -> str:
    return f'---\ntitle: "{title}"\ndate: 2011-02-17\n{extra}---\nThe talks went on.\n'


@pytest.fixture
def preview(make_site, tmp_path: Path):
    """A Preview of a small site under /archive/, built once, not watching."""
    site = make_site({"site.yaml": SITE_YAML})
    preview = Preview(site.root, tmp_path / "preview-output", ORIGIN)
    preview.site = site  # type: ignore[attr-defined]
    assert preview.rebuild(()).ok
    return preview


def test_a_burst_of_50_changes_gives_exactly_one_rebuild(make_site, tmp_path: Path) -> None:
    site = make_site()
    events = []
    preview = Preview(site.root, tmp_path / "out", ORIGIN, on_build=events.append)
    preview.start()
    try:
        eventually(lambda: len(events) == 1, message="no first build")
        started = time.perf_counter()
        for number in range(50):
            site.write(f"content/articles/2011-03-{number % 28 + 1:02d}-story-{number}.md",
                       article(f"Story {number}"))
        assert time.perf_counter() - started < 0.1  # the premise: 50 changes within 100 ms
        eventually(lambda: len(events) == 2, message="no rebuild after the burst")
        time.sleep(0.5)  # room for a second rebuild to start, at ten times the watcher's settling time
    finally:
        preview.stop()
    assert len(events) == 2
    assert events[1].ok and len(events[1].changed) == 50
    assert events[1].result is not None and events[1].result.pages_written >= 50


def test_a_save_during_a_rebuild_gives_another_rebuild(make_site, tmp_path: Path) -> None:
    site = make_site()
    events = []

    def on_build(event) -> None:  # type: ignore[no-untyped-def]
        events.append(event)
        if len(events) == 2:  # a save lands while the previous build is still being reported
            site.write(ARTICLE, article("Saved during the build"))

    preview = Preview(site.root, tmp_path / "out", ORIGIN, on_build=on_build)
    preview.start()
    try:
        eventually(lambda: len(events) == 1)
        site.write(ARTICLE, article("First save"))
        eventually(lambda: len(events) == 3, message="the second save was lost")
    finally:
        preview.stop()
    page = parse_html(preview.respond("/articles/talks/").body.decode())  # type: ignore[union-attr]
    assert page.find("main").h1.get_text(strip=True) == "Saved during the build"


def test_after_edits_the_preview_output_is_a_clean_builds(preview: Preview, tmp_path: Path) -> None:
    site = preview.site  # type: ignore[attr-defined]
    site.write(ARTICLE, article("Edited", "actors: [kim-sung-hwan, new-person]\n"))
    site.write("content/articles/2011-03-01-second.md", article("Second"))
    assert preview.rebuild([ARTICLE]).ok
    (site.root / "content/articles/2011-03-01-second.md").unlink()
    site.write("content/actors/new-person.md", "---\nname: New Person\n---\n")
    assert preview.rebuild([ARTICLE]).ok

    clean = tmp_path / "clean"
    build(site.root, BuildOptions(output_dir=clean, base_url=ORIGIN + "/archive/"))
    assert site.files(preview.output_dir) == site.files(clean)
    for name in site.files(clean):
        assert (preview.output_dir / name).read_bytes() == (clean / name).read_bytes(), name


def test_stopping_mid_build_leaves_no_half_written_output(make_site, tmp_path: Path) -> None:
    site = make_site({f"content/articles/2011-03-{n % 28 + 1:02d}-story-{n}.md": article(f"Story {n}")
                      for n in range(400)})
    events = []
    preview = Preview(site.root, tmp_path / "preview" / "site", ORIGIN, on_build=events.append)
    preview.start()
    preview.stop()  # at once: the first build is abandoned at its next step, or had finished
    assert not preview.building
    leftovers = [p.name for p in (tmp_path / "preview").iterdir()] if (tmp_path / "preview").exists() else []
    assert leftovers in ([], ["site"])
    if events:
        assert events[0].ok and (tmp_path / "preview" / "site" / "index.html").is_file()
    else:
        assert not any((tmp_path / "preview").rglob("*.*"))  # not a single page of a half build


def test_serves_under_the_base_path_with_the_root_redirecting_there(preview: Preview) -> None:
    assert (preview.respond("/").status, preview.respond("/").location) == (302, "/archive/")
    assert preview.respond("/archive").location == "/archive/"
    home = preview.respond("/archive/")
    assert home.status == 200 and home.content_type.startswith("text/html")
    assert preview.respond("/archive/articles/talks/").status == 200
    assert preview.respond("/archive/articles/talks").location == "/archive/articles/talks/"
    assert preview.respond("/articles/talks/").status == 404  # not under the base path
    missing = preview.respond("/archive/articles/nothing-here/")
    assert missing.status == 404 and missing.body == (preview.output_dir / "404.html").read_bytes()
    assert preview.respond("/archive/%2e%2e/site.yaml").status == 404
    css = preview.respond("/archive/static/style.css")
    assert css.status == 200 and css.content_type.startswith("text/css")
    # Links inside the pages carry the base path too.
    link = parse_html(home.body.decode()).find("a", class_="site-title")
    assert link["href"] == "/archive/"


def test_absolute_links_point_at_the_preview(preview: Preview) -> None:
    page = parse_html(preview.respond("/archive/articles/talks/").body.decode())  # type: ignore[union-attr]
    assert page.find("link", rel="canonical")["href"] == ORIGIN + "/archive/articles/talks/"


def test_drafts_only_with_drafts(make_site, tmp_path: Path) -> None:
    site = make_site({"content/articles/2011-03-01-draft.md": article("A draft", "draft: true\n")})
    without = Preview(site.root, tmp_path / "a", ORIGIN)
    with_drafts = Preview(site.root, tmp_path / "b", ORIGIN, drafts=True)
    assert without.rebuild(()).ok and with_drafts.rebuild(()).ok
    assert without.respond("/articles/draft/").status == 404  # type: ignore[union-attr]
    assert with_drafts.respond("/articles/draft/").status == 200  # type: ignore[union-attr]


def test_a_build_error_shows_over_the_last_good_build_and_a_fix_recovers(preview: Preview) -> None:
    site = preview.site  # type: ignore[attr-defined]
    site.write(ARTICLE, article("Good title"))
    assert preview.rebuild([ARTICLE]).ok

    site.write(ARTICLE, '---\ntitle: "unclosed\ndate: 2011-02-17\nactors: ["<b>x</b>"]\n---\nBody\n')
    event = preview.rebuild([ARTICLE])
    assert not event.ok
    assert any(p.path == ARTICLE and p.line > 0 for p in event.problems)
    page = parse_html(preview.respond("/archive/articles/talks/").body.decode())  # type: ignore[union-attr]
    assert page.find("main").h1.get_text(strip=True) == "Good title"  # still the last good build
    overlay = page.find(id="builder-build-error")
    assert f"{ARTICLE}:" in overlay.get_text()

    site.write(ARTICLE, article("Good title", 'actors: ["<b>bold</b>"]\n'))
    assert not preview.rebuild([ARTICLE]).ok
    overlay = parse_html(preview.respond("/archive/articles/talks/").body.decode()).find(  # type: ignore[union-attr]
        id="builder-build-error")
    assert "'<b>bold</b>'" in overlay.get_text()  # shown as text...
    assert overlay.find("b") is None  # ...never as markup

    site.write(ARTICLE, article("Fixed title"))
    assert preview.rebuild([ARTICLE]).ok
    page = parse_html(preview.respond("/archive/articles/talks/").body.decode())  # type: ignore[union-attr]
    assert page.find(id="builder-build-error") is None
    assert page.find("main").h1.get_text(strip=True) == "Fixed title"


def test_a_template_error_names_the_template_and_line(preview: Preview) -> None:
    site = preview.site  # type: ignore[attr-defined]
    site.write("templates/article.html", '{% extends "base.html" %}\n{% block content %}\n'
               "<h1>{{ page.no_such_field }}</h1>\n{% endblock %}\n")
    event = preview.rebuild(["templates/article.html"])
    assert not event.ok
    assert [(p.path, p.line) for p in event.problems] == [("templates/article.html", 3)]
    body = preview.respond("/archive/").body.decode()  # type: ignore[union-attr]
    assert "templates/article.html:3:" in parse_html(body).find(id="builder-build-error").get_text()


def test_with_no_good_build_the_error_is_the_page(make_site, tmp_path: Path) -> None:
    site = make_site({ARTICLE: '---\ntitle: "unclosed\n---\n'})
    preview = Preview(site.root, tmp_path / "out", ORIGIN)
    assert not preview.rebuild(()).ok
    response = preview.respond("/")
    assert response is not None and response.status == 500
    assert f"{ARTICLE}:" in parse_html(response.body.decode()).find(id="builder-build-error").get_text()


def test_only_a_stylesheet_change_is_reloaded_in_place(preview: Preview) -> None:
    site = preview.site  # type: ignore[attr-defined]
    site.write("static/extra.css", "p { color: red; }\n")
    assert preview.rebuild(["static/extra.css"]).reload_paths == ("/archive/static/extra.css",)
    site.write(ARTICLE, article("Changed"))
    assert preview.rebuild([ARTICLE, "static/extra.css"]).reload_paths == ("/archive/",)


def test_a_tab_that_missed_a_reload_is_stale(preview: Preview) -> None:
    preview.respond("/archive/articles/talks/")
    assert not preview.is_stale(ORIGIN + "/archive/articles/talks/")
    preview.rebuild(())
    assert preview.is_stale(ORIGIN + "/archive/articles/talks/")
    preview.respond("/archive/articles/talks/")
    assert not preview.is_stale(ORIGIN + "/archive/articles/talks/")


async def _livereload_hello(base: str, page_url: str, wait: float) -> dict | None:
    """Connect to livereload's socket as its client script does; the first message after the
    handshake, if one comes within `wait` seconds."""
    from tornado.websocket import websocket_connect

    connection = await websocket_connect("ws://" + urlsplit(base).netloc + "/livereload")
    connection.write_message(json.dumps({"command": "hello", "protocols": [
        "http://livereload.com/protocols/official-7"]}))
    assert json.loads(await connection.read_message())["command"] == "hello"
    connection.write_message(json.dumps({"command": "info", "plugins": {}, "url": page_url}))
    try:
        return json.loads(await asyncio.wait_for(connection.read_message(), wait))
    except TimeoutError:
        return None
    finally:
        connection.close()


def test_a_tab_that_missed_a_reload_is_told_again_when_it_connects(make_site) -> None:
    site = make_site({"site.yaml": SITE_YAML})
    with ServeProcess(site.root, "--port", "0") as server:
        base = server.wait_for_url()
        page_url = base + "articles/talks/"
        urllib.request.urlopen(page_url).read()  # the tab got its page...
        site.write(ARTICLE, article("Newer"))  # ...and a rebuild finished before its socket connected
        eventually(lambda: any(line.startswith("Rebuilt") for line in server.stdout))
        message = asyncio.run(_livereload_hello(base, page_url, wait=10))
        assert message is not None and message["command"] == "reload"

        urllib.request.urlopen(page_url).read()  # a tab with the latest page is left alone
        assert asyncio.run(_livereload_hello(base, page_url, wait=0.5)) is None


def test_the_next_free_port_unless_a_port_was_given() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        sockets, port = listen("127.0.0.1", None, default_port=busy)
        try:
            assert port != busy
        finally:
            for sock in sockets:
                sock.close()
        with pytest.raises(PortError, match=f"port {busy} on 127.0.0.1 is in use"):
            listen("127.0.0.1", busy)


def test_cli_serves_without_caching_and_stops_cleanly_on_ctrl_c(make_site, tmp_path: Path) -> None:
    site = make_site({"site.yaml": SITE_YAML})
    temporary = tmp_path / "tmp"
    with ServeProcess(site.root, "--port", "0", tmpdir=temporary) as server:
        base = server.wait_for_url()
        with urllib.request.urlopen(base + "articles/talks/") as response:
            assert response.headers["Cache-Control"] == "no-store"
            assert "livereload.js" in response.read().decode()  # injected while serving...
        built = list(temporary.rglob("index.html"))
        assert built and not any("livereload" in p.read_text(encoding="utf-8") for p in built)  # ...only
        assert not (site.root / "_site").exists()  # never into the site's output folder
        with urllib.request.urlopen(base + "static/style.css") as response:
            assert response.headers["Cache-Control"] == "no-store"
        assert server.stop() == 0
    assert "Traceback" not in "".join(server.stderr)
    assert list(temporary.iterdir()) == []
    manifests = site.root / ".cache" / "outputs"  # nor a cache entry for the folder that is gone
    assert not manifests.is_dir() or list(manifests.iterdir()) == []


def test_cli_refuses_a_folder_that_is_no_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["serve", "--site", str(tmp_path)]) == 1
    assert f"site.yaml: no site.yaml in {tmp_path}" in capsys.readouterr().err


def test_cli_reports_a_port_in_use(make_site) -> None:
    site = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with ServeProcess(site.root, "--port", str(busy)) as server:
            assert server.process.wait(30) == 1
    assert f"port {busy} on 127.0.0.1 is in use" in "".join(server.stderr)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{busy}/", timeout=2)


def test_garbage_collection_is_held_off_over_a_rebuild_and_resumes_after_it(preview) -> None:
    eventually(gc.isenabled, timeout=10, message="the collector never resumed after the first build")
    preview.site.write(ARTICLE, article("Talks resume"))
    assert preview.rebuild([ARTICLE]).ok
    assert not gc.isenabled()  # still held: the collection waits until the tab has reloaded
    eventually(gc.isenabled, timeout=10, message="the collector never resumed")


def test_cli_base_url_sets_the_path_served_under_while_links_stay_on_the_preview(make_site) -> None:
    site = make_site({"site.yaml": SITE_YAML})  # site.yaml says /archive/
    with ServeProcess(site.root, "--port", "0", "--base-url", "https://example.org/news/") as server:
        url = server.wait_for_url()
        origin = url.split("/news/")[0]
        assert url == origin + "/news/"
        with urllib.request.urlopen(origin + "/") as response:  # the root redirects under the path
            assert response.url == origin + "/news/"
        with urllib.request.urlopen(url + "articles/talks/") as response:
            page = parse_html(response.read().decode())
        canonical = page.find("link", rel="canonical")["href"]
        assert canonical == origin + "/news/articles/talks/"  # the path of --base-url, this server's host
        with pytest.raises(urllib.error.HTTPError) as old_path:
            urllib.request.urlopen(origin + "/archive/articles/talks/")
        assert old_path.value.code == 404
        assert server.stop() == 0


def test_cli_refuses_a_base_url_that_is_no_web_address_naming_the_option(make_site) -> None:
    site = make_site()
    with ServeProcess(site.root, "--port", "0", "--base-url", "example.org/news") as server:
        assert server.process.wait(30) == 2
    assert ("serve: --base-url: 'example.org/news' is not an http(s) address"
            in "".join(server.stderr))


def test_ctrl_c_stops_within_a_second_and_a_half_with_a_tab_connected(make_site) -> None:
    """A guard: the measured figure is about 0.1 s (see README, Preview)."""
    site = make_site()
    with ServeProcess(site.root, "--port", "0") as server:
        url = urlsplit(server.wait_for_url())
        page = http.client.HTTPConnection(url.hostname, url.port, timeout=10)  # a keep-alive connection
        page.request("GET", "/")
        page.getresponse().read()
        tab = socket.create_connection((url.hostname, url.port), timeout=10)  # and the reload socket
        tab.sendall(b"GET /livereload HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        assert b" 101 " in tab.recv(4096)
        try:
            started = time.monotonic()
            server.process.send_signal(signal.SIGINT)
            assert server.process.wait(10) == 0
            assert time.monotonic() - started < 1.5
        finally:
            tab.close()
            page.close()
