"""The storage pipeline loses nothing: refused data is kept aside, a bad spool file
never blocks the others, an outage is told apart from data the database refuses."""

from __future__ import annotations

from pathlib import Path

from scrapy.utils.test import get_crawler
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from crawler.items import CrawlFailure
from crawler.pipelines import StoragePipeline, is_outage, spool_for
from crawler.spool import Spool
from normalizer.models import DocKind, RawDocument
from storage.store import Store

CARD = b"---\nlicense: mit\npipeline_tag: text-generation\n---\n# Demo model\n"


def card(repo: str) -> RawDocument:
    return RawDocument(
        url=f"https://huggingface.co/{repo}/raw/main/README.md",
        kind=DocKind.HF_CARD,
        body=CARD,
        meta={"source_id": repo},
    )


def pipeline(db: str, spool: Path) -> StoragePipeline:
    crawler = get_crawler(
        settings_dict={
            "TOOLWATCH_DB": db,
            "TOOLWATCH_SPOOL_DIR": str(spool),
            "TOOLWATCH_NORMALIZE": "inline",  # normalised as soon as stored
        }
    )
    crawler.stats.open_spider()
    p = StoragePipeline(crawler)
    p.spider_name = "test"
    return p


def test_outages_and_refusals_are_told_apart() -> None:
    assert is_outage(OperationalError("SELECT 1", {}, Exception("connection refused")))
    assert not is_outage(IntegrityError("INSERT", {}, Exception("constraint failed")))
    assert not is_outage(ValueError("bad value"))


def test_a_refused_document_is_kept_aside_and_its_batch_mates_are_written(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path}/t.db"
    with Store(db) as store, store.engine.begin() as conn:
        # the database itself refuses one document, as a constraint would
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN NEW.url LIKE '%refused%' "
                "BEGIN SELECT RAISE(ABORT, 'refused by a constraint'); END"
            )
        )
    p = pipeline(db, tmp_path / "spool")
    failure = CrawlFailure(url="https://huggingface.co/x", kind="http-404", message="gone")
    p._write([card("org/good-7b"), card("org/refused-7b")], [failure])
    with Store(db) as store:
        stats = store.stats()
        assert stats["documents"]["total"] == 1
        assert store.tool_slug_for("org/good-7b") is not None
        assert set(stats["errors"]["by_kind"]) == {"http-404", "store"}
    spool = spool_for(tmp_path / "spool", db)
    kept = list(spool.failed_dir.glob("batch-*.jsonl"))
    assert len(kept) == 1 and b"refused-7b" in kept[0].read_bytes()
    assert list(spool.pending()) == []  # refused data does not come back on every crawl


def test_an_unreadable_spool_file_is_set_aside_and_the_rest_still_drains(
    tmp_path: Path,
) -> None:
    spool = Spool(tmp_path / "spool")
    good = spool.write([card("org/a-7b")], [])
    bad = spool.dir / "batch-0000.jsonl"  # sorts first
    bad.write_text('{"type": "document", "data": {"url": 1}}\n')
    pending = list(spool.pending())
    assert [path for path, _, _ in pending] == [good]
    assert (spool.failed_dir / bad.name).exists() and not bad.exists()


def test_spool_round_trip_keeps_bodies_byte_exact(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    raw = card("org/b-7b").model_copy(update={"body": bytes(range(256))})
    spool.write([raw], [])
    (tmp_path / "batch-zzzz.jsonl").write_text("not json\n")
    [(_, docs, _)] = list(spool.pending())
    assert docs[0].body == bytes(range(256))


def test_an_alias_bomb_card_is_recorded_as_an_error_and_its_batch_mate_is_stored(
    tmp_path: Path,
) -> None:
    from test_normalizer_input_safety import alias_bomb

    db = f"sqlite:///{tmp_path}/t.db"
    bomb = RawDocument(
        url="https://huggingface.co/org/bomb-7b/raw/main/README.md",
        kind=DocKind.HF_CARD,
        body=alias_bomb(),
        meta={"source_id": "org/bomb-7b"},
    )
    p = pipeline(db, tmp_path / "spool")
    p._write([bomb, card("org/good-7b")], [])
    with Store(db) as store:
        assert store.tool_slug_for("org/good-7b") is not None
        assert store.tool_slug_for("org/bomb-7b") is None
        stats = store.stats()
        assert stats["errors"]["by_kind"] == {"normalize": 1}
        assert stats["documents"]["total"] == 2  # the refused body is still kept raw
