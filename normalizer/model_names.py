"""Does a phrase of a post name a model, and does the post announce it?

Announcement posts (vendor blogs, news feeds, release notes) carry many capitalised
phrases: product features ("Grok Bot"), events ("AI Now Summit 2026"), company news
("Mistral AI raises ..."), how-tos ("Run Llama 2 locally") and third-party coverage
("Opus 4.6 Takes Lead in ..."). A title phrase becomes a model record only when
- it is shaped like a model name: a known family prefix (data/vendors.toml) or a
  version/size token, and no generic or non-model word ("AI", "API", "App", "Bot",
  "Summit", "Studio", ...);
- the title presents it (bare name, "Introducing X", "X is here", "X release",
  "X: <tagline>"), not as the object of a how-to, a platform integration
  ("X on Vertex AI", "X in GitHub Copilot"), an update or a benchmark write-up;
- a name without a version token is called a model in the body ("X, our first
  model", "releasing X as open weights"), and is not called an app, a tool, ...
Pure functions over strings; the announcement normalizer decides what to do with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from normalizer.regex import compiled
from normalizer.vendors import vendor_for_family

# Words that continue a model name after its version token ("Grok 3 Beta", "Qwen2.5 VL 72B").
QUALIFIERS = {
    "base",
    "beta",
    "chat",
    "code",
    "coder",
    "distill",
    "embed",
    "embedding",
    "exp",
    "experimental",
    "fast",
    "flash",
    "haiku",
    "heavy",
    "hd",
    "instruct",
    "large",
    "lite",
    "max",
    "medium",
    "mini",
    "moe",
    "nano",
    "next",
    "ocr",
    "omni",
    "opus",
    "plus",
    "preview",
    "pro",
    "realtime",
    "reasoning",
    "reranker",
    "small",
    "sonnet",
    "super",
    "think",
    "thinking",
    "tts",
    "turbo",
    "ultra",
    "vision",
    "vl",
    "voice",
    "it",
    "guard",
    "math",
    "audio",
    "chatty",
}
# Words after a name that end it without being part of it ("Opus 4.6 Takes Lead ...").
_STOP_WORDS = {
    "and",
    "or",
    "vs",
    "versus",
    "is",
    "are",
    "has",
    "have",
    "was",
    "were",
    "now",
    "on",
    "in",
    "for",
    "with",
    "to",
    "at",
    "by",
    "of",
    "from",
    "via",
    "takes",
    "goes",
    "gets",
    "comes",
    "benchmarks",
    "benchmark",
    "analysis",
    "update",
    "updates",
    "release",
    "released",
    "models",
    "model",
    "series",
    "family",
    "review",
    "guide",
    "explained",
    "open",
    "weights",
    "includes",
    "joins",
    "becomes",
    "launch",
    "launches",
    "launched",
    "beats",
    "leads",
    "tops",
    "performance",
    "results",
}
# A name made of / containing these is no model (events, products, company news, generic words).
NON_MODEL_WORDS = {
    "ai",
    "api",
    "apis",
    "app",
    "apps",
    "application",
    "rss",
    "ki",
    "feed",
    "news",
    "blog",
    "source",
    "opensource",
    "new",
    "top",
    "sub",
    "our",
    "the",
    "update",
    "series",
    "summit",
    "conference",
    "hackathon",
    "meetup",
    "webinar",
    "event",
    "partnership",
    "partners",
    "funding",
    "round",
    "raises",
    "plans",
    "plan",
    "pricing",
    "platform",
    "studio",
    "toolkit",
    "workbench",
    "dashboard",
    "marketplace",
    "plugin",
    "plugins",
    "builder",
    "bot",
    "bots",
    "assistant",
    "agent",
    "agents",
    "voices",
    "connectors",
    "workflows",
    "compute",
    "index",
    "fund",
    "grants",
    "library",
    "libraries",
    "cli",
    "sdk",
    "ide",
    "extension",
    "addin",
    "integration",
    "government",
    "teachers",
    "citizens",
    "chips",
    "gpus",
    "playground",
    "verifier",
    "ollama",
    "docker",
    "windows",
    "guide",
    "tutorial",
    "onnx",
    "gguf",
    "mlx",
    "awq",
    "gptq",
    "tokenizer",
    "tokenizers",
}
_ANNOUNCE_LEAD_RE = re.compile(
    r"^(?:welcome|introducing|introduce|introduction to|hello|meet|announcing|announce|say hello to|"
    r"open release of|releasing|launching|unveiling|presenting|new|欢迎)\s+",
    re.I,
)
_NEUTRAL_LEAD_RE = re.compile(r"^(?:the|notes on|a deep ?dive into|deploy|welcome to)\s+", re.I)
# Titles that are how-tos, opinion, company or integration news, whatever they name.
_NOT_ANNOUNCING_TITLE_RE = re.compile(
    r"^(?:how|why|what|when|where|who|which|run|use|try|build|bring|make|ask|apply|inviting|"
    r"connect|get|getting|reduce|coding with|analysis of|overview of|independent|inside|"
    r"understanding|comparing|evaluating|benchmarking|a (?:new )?look|our|your|my|icymi)\b",
    re.I,
)
_GERUND_LEAD_RE = re.compile(r"^([A-Z][a-z]+ing)\s")
# What may follow the name in its title segment.
_OK_REST_RE = re.compile(
    r"^(?:(?:is|are)\s+(?:here|out|live|now\s+(?:available|live|out|here)|(?:now\s+)?(?:released|launched|"
    r"open[- ]sourced))|has landed|lands|arrives|(?:beta\s+)?release[sd]?|launch(?:es|ed)?|series|family|"
    r"正式版发布|发布|上线|开源)\b|^(?:正式版发布|发布|开源)",
    re.I,
)
# Taglines of write-ups about a model rather than announcements of it.
_ANALYSIS_TAGLINE_RE = re.compile(
    r"everything you need to know|benchmark|analysis|review|explained|deep ?dive|how to|guide|tutorial|"
    r"hands[- ]on|first look|tested|vs\.?\s",
    re.I,
)
_TOKEN_RE = re.compile(r"[A-Za-z0-9][\w.+]*(?:-[\w.+]+)*")
_VERSION_TOKEN_RE = re.compile(r"\d")
_MODEL_NOUN_RE = re.compile(
    r"\b(?:models?|LLMs?|language models?|open[- ]weights?|weights|parameters|checkpoints?|classifier|"
    r"encoder|VLMs?|transformer|fine-?tune[sd]?)\b",
    re.I,
)
_NON_MODEL_NOUN = (
    r"(?:app|application|workbench|tool|platform|product|feature|assistant|agent|bot|IDE|environment|"
    r"interface|integration|extension|add-in|plugin|service|CLI|SDK|API|program|programme|initiative|"
    r"fund|partnership|event|summit|conference|company|team|framework|library|dashboard|marketplace|"
    r"offering|infrastructure|editor|workspace)"
)
_DISTRIBUTION_RE = (
    r"\s+(?:is|are)\s+(?:now\s+)?available\s+(?:(?:in|on|via|through|inside|within)\s+(?:the\s+)?[A-Z]|"
    r"to (?:run|use|try)\b|for (?:download|use) (?:in|on|with)\b)"
)
_ANNOUNCE_WORD_RE = re.compile(
    r"\b(?:new|newest|latest|first|next[- ]generation|introduc\w*|releas\w*|launch\w*|announc\w*|"
    r"unveil\w*|open[- ]sourc\w*|debut\w*)\b",
    re.I,
)


@dataclass
class TitleName:
    name: str
    rest: str
    """text after the name in its title segment"""
    tagline: str
    """the title segments after the name's segment"""
    announced: bool
    """the title presents the name with an announcing lead or predicate"""
    others: list[str]
    """more names the same segment joins with `and` / `&` / `/`"""


def compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_known_family(name: str) -> bool:
    return vendor_for_family(name) is not None


def has_version(name: str) -> bool:
    """A digit in a token after the first, or inside the first (`GLM-5`, `Qwen2`): not a bare count."""
    tokens = name.split()
    if not tokens:
        return False
    if re.search(r"[A-Za-z]", tokens[0]) and _VERSION_TOKEN_RE.search(tokens[0]):
        return True
    return any(_VERSION_TOKEN_RE.search(t) for t in tokens[1:])


def has_non_model_word(name: str) -> bool:
    words = [w.lower() for w in re.split(r"[\s\-_/]+", name) if w]
    return any(w in NON_MODEL_WORDS for w in words)


def plausible_name(name: str) -> bool:
    """Starts with a letter, no generic or non-model word (`AI`, `API`, `Summit`, `Bot`)."""
    if not name or not re.match(r"[A-Za-z`]", name) or len(compact(name)) < 2:
        return False
    return not has_non_model_word(name.strip("`")) and not only_qualifiers(name.strip("`"))


def title_is_announcing(title: str) -> bool:
    """False for how-tos, opinion, company news (`Run ...`, `Bringing ...`, `Improving ...`)."""
    t = title.strip().strip("\"'“”")
    if re.search(r"\b(?:new|introducing|announcing)\b[^.:]*\bmodels?\b", t, re.I):
        return True  # `Upgrading agentic coding with the new Devstral models`
    if _NOT_ANNOUNCING_TITLE_RE.match(t):
        return False
    m = _GERUND_LEAD_RE.match(t)
    return not (m and not _ANNOUNCE_LEAD_RE.match(t) and not is_known_family(m.group(1)))


def _name_run(text: str) -> tuple[str, str] | None:
    """The name at the start of `text` and the rest: capitalised tokens up to a version
    token, then qualifiers and further version tokens; unknown capitalised words after
    the version only when they end the segment (`Nemotron 3 VoiceChat`)."""
    pos = 0
    tokens: list[str] = []
    seen_version = False
    pending: list[tuple[str, int]] = []
    end = 0
    while True:
        m = re.compile(r"\s*").match(text, pos)
        assert m is not None
        start = m.end()
        tm = _TOKEN_RE.match(text, start)
        if not tm:
            break
        tok = tm.group(0)
        low = tok.lower()
        first = not tokens and not pending
        if first and not tok[0].isupper():
            return None
        if low in _STOP_WORDS and not first:
            break
        is_version = bool(_VERSION_TOKEN_RE.search(tok))
        if seen_version and not is_version and low not in QUALIFIERS:
            if not tok[0].isupper():
                break
            pending.append((tok, tm.end()))
            pos = tm.end()
            continue
        if pending:
            break
        if not seen_version and not is_version and not tok[0].isupper() and low not in QUALIFIERS:
            break
        tokens.append(tok)
        seen_version = seen_version or is_version
        end = tm.end()
        pos = tm.end()
        if len(tokens) > 6:
            return None
    if pending:
        rest_after = text[pending[-1][1] :].strip()
        if not rest_after:
            tokens.extend(t for t, _ in pending)
            end = pending[-1][1]
    if not tokens:
        return None
    return " ".join(tokens), text[end:].strip()


def title_names(title: str | None, vendor_words: set[str]) -> list[TitleName]:
    """Candidate model names of a title, in segment order (not yet vetted)."""
    if not title:
        return []
    title = re.sub(
        r"\s*\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\s*$", "", title.strip()
    )  # "X 发布 2025/01/20"
    if not title_is_announcing(title):
        return []
    out: list[TitleName] = []
    segments = [s for s in re.split(r"\s[-–—|]\s|[:：!！?？,，]", title)]
    carried_lead = False
    for i, seg in enumerate(segments):
        raw = seg.strip().strip("\"'“”*").strip()
        announced = carried_lead
        carried_lead = False
        while True:
            m = _ANNOUNCE_LEAD_RE.match(raw) or _NEUTRAL_LEAD_RE.match(raw)
            if not m:
                break
            announced = announced or bool(_ANNOUNCE_LEAD_RE.match(raw))
            raw = raw[m.end() :].strip()
        if re.fullmatch(r"(?i)introducing|announcing|meet|welcome|hello|new", raw):
            carried_lead = True
            continue
        raw = _strip_vendor(raw, vendor_words)
        run = _name_run(raw)
        if not run:
            continue
        name, rest = run
        name = name.rstrip(".")  # "Introducing Shieldstral."
        name = re.sub(r"[-\s](?:LLMs?|Series|Models?)$", "", name)  # "Qwen2.5-LLM": the family
        name = re.sub(r"\s+Beta$", "", name)  # "Grok 3 Beta": a release stage of Grok 3
        others: list[str] = []
        while True:
            cm = re.match(r"^(?:and|&|/)\s*(.*)$", rest)
            if not cm:
                break
            nxt = _name_run(_strip_vendor(cm.group(1), vendor_words))
            if not nxt:
                break
            others.append(nxt[0])
            rest = nxt[1]
        tagline = " ".join(s.strip() for s in segments[i + 1 :])
        ok_rest = bool(rest) and bool(_OK_REST_RE.match(rest))
        out.append(
            TitleName(
                name=name,
                rest=rest,
                tagline=tagline,
                announced=announced or ok_rest,
                others=others,
            )
        )
    return out


def _strip_vendor(text: str, vendor_words: set[str]) -> str:
    """`OpenAI's GPT-5.5` / `NVIDIA Nemotron 3` / `Google Gemma 2` -> the model name."""
    m = re.match(r"^([A-Z][\w.-]*(?: [A-Z][\w.-]*)?)(?:['’]s)?\s+(?=[A-Z])", text)
    if m and compact(m.group(1)) in vendor_words and not is_known_family(m.group(1)):
        return text[m.end() :]
    return text


def rest_ok(t: TitleName) -> bool:
    """The title segment ends with the name, an announcing predicate, a parenthesis
    (`Music-1.5 (Beta)`) or another announced thing (`X and the Mistral Coding Stack`)."""
    rest = re.sub(r"^\([^)]*\)\s*", "", t.rest).strip().rstrip(".!")
    return not rest or bool(_OK_REST_RE.match(rest)) or bool(re.match(r"^(?:and|&)\s", rest))


def tagline_ok(t: TitleName) -> bool:
    return not _ANALYSIS_TAGLINE_RE.search(t.tagline)


@lru_cache(maxsize=1024)
def _rx(name: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[-_ ]+", name) if p]
    return re.compile(r"(?<![\w.-])" + r"[-_ ]?".join(parts) + r"(?![\w]|[-.][\w])", re.I)


def called_non_model(name: str, sentences: list[str]) -> bool:
    """`X is an app that ...`, `X, an AI workbench for scientists` (and never a model)."""
    if called_model(name, sentences):
        return False
    rx = _non_model_rx(name)
    return any(rx.search(s) for s in sentences)


@lru_cache(maxsize=1024)
def _non_model_rx(name: str) -> re.Pattern[str]:
    return re.compile(
        _rx(name).pattern
        + r"\s*(?:\*\*)?(?:,|\s+is|\s+—|\s+–|:)?\s+(?:now\s+)?(?:an?|the|our)\s+(?:[\w-]+\s+){0,5}?"
        + _NON_MODEL_NOUN
        + r"s?\b",
        re.I,
    )


_MODEL_NOUNS = (  # the head noun is a model: no app / tool / relative clause in between
    r"(?:(?!(?:that|which|with|for|and|or|to|of)\b|"
    + _NON_MODEL_NOUN
    + r"s?\b)[\w-]+\s+){0,6}?(?:models?|LLMs?|classifier|encoder|VLMs?|checkpoints?)\b"
)


def called_model(name: str, sentences: list[str]) -> bool:
    """A sentence calls X a model: `X, our first model`, `X is a 3B ... classifier`,
    `releasing X as open weights`, `the X model`, `X has 8B parameters`."""
    rxs = _model_rxs(name)
    return any(r.search(s) for s in sentences for r in rxs)


@lru_cache(maxsize=1024)
def _model_rxs(name: str) -> tuple[re.Pattern[str], ...]:
    x = _rx(name).pattern
    pats = [
        x
        + r"\s*(?:\*\*)?\s*(?:,|\s+is|\s+—|\s+–|:|\()\s*(?:now\s+)?(?:an?|our|the|its)\s+"
        + _MODEL_NOUNS,
        x + r"\s+(?:(?:as|with)\s+)?open[- ]weights?\b",
        x + r"\s+(?:models?|LLMs?|weights|checkpoints?)\b",
        r"\b(?:models?|LLMs?|classifier)\s*(?:,|:)?\s*(?:called\s+|named\s+)?(?:\*\*)?" + x,
        x
        + r"[^.;]{0,40}?\b\d+(?:\.\d+)?\s?[BM]\b(?:\s*(?:total\s+|active\s+)?parameters|[^.;]{0,20}?\bmodel)",
    ]
    return tuple(re.compile(p, re.I) for p in pats)


def only_qualifiers(name: str) -> bool:
    """`Thinking`, `Vision`, `Pro Max`: words that qualify a model name, not a name."""
    words = [w.lower() for w in re.split(r"[\s\-_]+", name) if w]
    return bool(words) and all(w in QUALIFIERS for w in words)


def only_distributed(name: str, sentences: list[str]) -> bool:
    """The post only brings an existing model to a product or platform
    (`X is now available in Grok Build`, `X is now available to run using Ollama`)."""
    rx = _rx(name)
    dist = compiled(rx.pattern + _DISTRIBUTION_RE, re.I)
    naming = [s for s in sentences if rx.search(s)]
    if not any(dist.search(s) for s in naming):
        return False
    return not any(_ANNOUNCE_WORD_RE.search(s) for s in naming)
