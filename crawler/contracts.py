"""Spider contracts (`scrapy check`) for callbacks whose arguments are watchlist models.

    @model_kwarg source crawler.sources.PriceListSource {"url": "...", "provider": "x"}

validates the JSON into the named pydantic model and passes it as the callback's
keyword argument `source` (next to any `@cb_kwargs`, whichever line comes first).
`scrapy check` replays the bundled cassettes when TOOLWATCH_REPLAY_DIR points at
them: `TOOLWATCH_REPLAY_DIR=crawler/fixtures/cassettes scrapy check`.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy.contracts import Contract
from scrapy.utils.misc import load_object


class ModelKwargContract(Contract):
    name = "model_kwarg"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        kwarg, model_path, *data = self.args
        model = load_object(model_path)
        args["cb_kwargs"] = {
            **(args.get("cb_kwargs") or {}),
            kwarg: model.model_validate(json.loads(" ".join(data))),
        }
        return args
