"""The cache kept in memory by a process that builds again and again (serve): same output, fewer loads.

Every build here shares one CacheMemory, as serve's builds do; after each
step the output must equal a clean build of a fresh copy, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.build import BuildOptions, build
from builder.cache import CacheMemory, Manifest, RecordEntry, SiteCache
from builder.errors import BuilderError
from tests.conftest import run_cli
from tests.test_incremental import apply, clean_build, initial_site, operations, output_files


def built_in_memory(site: Path, memory: CacheMemory) -> dict[str, bytes] | str:
    try:
        build(site, BuildOptions(jobs=1), memory=memory)
    except BuilderError as exc:
        return str(exc)
    return output_files(site / "_site")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=1, max_size=5))
def test_builds_sharing_a_memory_equal_clean_builds(tmp_path_factory, steps):
    root = tmp_path_factory.mktemp("memory")
    site, scratch = root / "site", root / "clean"
    initial_site(site)
    memory = CacheMemory()
    built_in_memory(site, memory)
    for step in steps:
        apply(site, step)
        assert built_in_memory(site, memory) == clean_build(site, scratch), step


def test_build_edit_build_edit_build_in_one_process(tmp_path: Path) -> None:
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    memory = CacheMemory()
    assert built_in_memory(site, memory) == clean_build(site, scratch)
    for step in [("edit_article", 1, "talks summit"), ("edit_article", 1, "envoy"),
                 ("rename_entity", 0, "new name"), ("add_article", 9, "summit envoy"),
                 ("edit_article", 3, "Seoul")]:
        apply(site, step)
        assert built_in_memory(site, memory) == clean_build(site, scratch), step


def test_a_build_by_another_process_between_two_is_seen(tmp_path: Path) -> None:
    """The other process rewrites the cache files: the memory's copies no longer count."""
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    memory = CacheMemory()
    built_in_memory(site, memory)
    apply(site, ("edit_article", 2, "sanctions"))
    assert run_cli("build", "--jobs", "1", cwd=site).returncode == 0
    apply(site, ("rename_entity", 1, "another name"))
    assert built_in_memory(site, memory) == clean_build(site, scratch)


def test_a_damaged_or_deleted_cache_is_not_covered_up_by_the_memory(tmp_path: Path) -> None:
    site, scratch = tmp_path / "site", tmp_path / "clean"
    initial_site(site)
    memory = CacheMemory()
    built_in_memory(site, memory)
    for path in (site / ".cache").rglob("*.pickle"):
        path.write_bytes(b"garbage")
    apply(site, ("edit_article", 0, "agreement"))
    assert built_in_memory(site, memory) == clean_build(site, scratch)
    for path in (site / ".cache").rglob("*.pickle"):
        path.unlink()
    apply(site, ("edit_article", 0, "envoy"))
    assert built_in_memory(site, memory) == clean_build(site, scratch)


def test_a_value_is_handed_back_while_its_file_is_the_one_written(tmp_path: Path) -> None:
    memory = CacheMemory()
    cache = SiteCache(tmp_path, "config", memory)
    entry = RecordEntry("articles", b"first", None)
    cache.save_records({"a.md": entry}, ["a.md"])
    assert cache.load_records()["a.md"] is entry  # not unpickled again
    assert cache.load_records()["a.md"] is entry
    SiteCache(tmp_path, "config").save_records({"a.md": RecordEntry("articles", b"other", None)},
                                               ["a.md"])  # as another process would
    assert cache.load_records()["a.md"].digest == b"other"
    assert SiteCache(tmp_path, "another config", memory).load_records() == {}  # foreign
    for shard in (tmp_path / ".cache" / "records").glob("*.pickle"):
        shard.write_bytes(b"damaged")
    assert cache.load_records() == {}


def test_a_manifest_forgotten_on_disk_is_forgotten(tmp_path: Path) -> None:
    cache = SiteCache(tmp_path, "config", CacheMemory())
    output = tmp_path / "_site"
    cache.save_manifest(output, Manifest(inputs=b"first"))
    assert cache.load_manifest(output).inputs == b"first"
    cache.forget_manifest(output)
    assert cache.load_manifest(output).inputs == b""


def test_a_kept_value_is_handed_out_once(tmp_path: Path) -> None:
    """kept() values are updated in place by their user: a second kept() must not see those updates."""
    cache = SiteCache(tmp_path, "config", CacheMemory())
    value = [1, 2]
    cache.keep("postings", value)
    first = cache.kept("postings")
    assert first is value
    first.append(3)  # updated in place, and (say) the build fails before keeping it again
    assert cache.kept("postings") == [1, 2]
