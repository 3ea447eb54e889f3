"""Hub URL building, Link-header pagination and listing parsing."""

import json
from urllib.parse import parse_qs, urlparse

import pytest

from crawler import hub


def test_listing_url_asks_for_the_fields_incremental_crawling_needs() -> None:
    url = hub.listing_url("meta-llama", 50)
    q = parse_qs(urlparse(url).query)
    assert urlparse(url).path == "/api/models"
    assert q["author"] == ["meta-llama"]
    assert q["limit"] == ["50"]
    assert set(q["expand"]) >= {"sha", "lastModified"}


def test_next_page_follows_the_cursor_link() -> None:
    header = (
        "<https://huggingface.co/api/models?author=Qwen&limit=2&cursor=eyJfaWQiOiI2NjM"
        'ifQ%3D%3D>; rel="next"'
    )
    assert hub.next_page(header).endswith("cursor=eyJfaWQiOiI2NjMifQ%3D%3D")
    assert hub.next_page('<https://x/a>; rel="prev"') is None
    assert hub.next_page(None) is None


def test_parse_listing_reads_ids_and_shas_and_skips_junk() -> None:
    body = json.dumps(
        [
            {"id": "org/a", "sha": "1" * 40, "lastModified": "2024-01-01T00:00:00.000Z"},
            {"modelId": "org/b", "private": True},
            {"id": "no-slash"},
            "garbage",
        ]
    ).encode()
    listed = hub.parse_listing(body)
    assert [m.repo_id for m in listed] == ["org/a", "org/b"]
    assert listed[0].sha == "1" * 40
    assert listed[1].private is True


@pytest.mark.parametrize("body", [b"<html>rate limited</html>", b'{"error": "x"}'])
def test_parse_listing_rejects_what_is_not_a_listing(body: bytes) -> None:
    with pytest.raises(hub.HubFormatError):
        hub.parse_listing(body)


def test_card_and_api_urls_keep_the_slash_in_repo_ids() -> None:
    assert hub.model_api_url("Qwen/Qwen2.5-7B").startswith(
        "https://huggingface.co/api/models/Qwen/Qwen2.5-7B?"
    )
    assert hub.card_url("a b/c") == "https://huggingface.co/a%20b/c/raw/main/README.md"
    assert hub.config_url("a/b") == "https://huggingface.co/a/b/raw/main/config.json"


def test_model_info_asks_the_hub_for_its_computed_fields() -> None:
    query = parse_qs(urlparse(hub.model_api_url("Qwen/Qwen2.5-7B")).query)
    for prop in ("safetensors", "config", "cardData", "createdAt", "gated", "baseModels"):
        assert prop in query["expand"]
    assert {"pipeline_tag", "library_name", "inferenceProviderMapping", "sha"} <= set(
        query["expand"]
    )


def test_config_is_fetched_only_when_model_info_lists_it() -> None:
    listed = b'{"siblings": [{"rfilename": "config.json"}, {"rfilename": "README.md"}]}'
    assert hub.lists_file(listed, "config.json")
    assert not hub.lists_file(b'{"siblings": [{"rfilename": "model.gguf"}]}', "config.json")
    assert not hub.lists_file(b"not json", "config.json")
