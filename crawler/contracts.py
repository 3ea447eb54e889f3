"""Spider contracts (`scrapy check`) for callbacks whose arguments are watchlist models.

    @model_kwarg source crawler.sources.PriceListSource {"url": "...", "provider": "x"}

validates the JSON into the named type (a pydantic model or a dataclass such as
`crawler.feeds.FeedEntry`) and passes it as the callback's keyword argument `source`
(next to any `@cb_kwargs`, whichever line comes first).
`scrapy check` replays the bundled cassettes when TOOLWATCH_REPLAY_DIR points at
them: `TOOLWATCH_REPLAY_DIR=crawler/fixtures/cassettes scrapy check`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from scrapy.contracts import Contract
from scrapy.utils.misc import load_object


class ModelKwargContract(Contract):
    name = "model_kwarg"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        kwarg, model_path, *data = self.args
        value = TypeAdapter(load_object(model_path)).validate_python(json.loads(" ".join(data)))
        args["cb_kwargs"] = {**(args.get("cb_kwargs") or {}), kwarg: value}
        return args
