"""Editorial commands: accept / reject / merge / unmerge / override candidates and
tools, the review queue, history, editors and schema upgrades.

Every command takes `--db`; decisions take `--as EDITOR` (default
`$TOOLWATCH_EDITOR`), which must name an editor (`toolwatch editor add NAME`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.options import DbOption, JsonOption

console = Console()
err = Console(stderr=True)

ActorOption = Annotated[
    str | None,
    typer.Option(
        "--as", envvar="TOOLWATCH_EDITOR", help="Editor making the decision ($TOOLWATCH_EDITOR)"
    ),
]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the history)")]

review_app = typer.Typer(
    no_args_is_help=False, help="Pending changes to published tools and override conflicts."
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic migrations).")
editor_app = typer.Typer(no_args_is_help=True, help="Editors who may make decisions.")


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@contextmanager
def opened(db: str | None, *, create: bool = False) -> Iterator[Any]:
    """A Store (an existing database unless `create`); editorial refusals become a
    red message and exit status 1."""
    from cli.database import open_store
    from storage.errors import EditorialError

    store = open_store(db, create=create)
    try:
        yield store
    except EditorialError as exc:
        err.print(str(exc), style="red", markup=False)  # values may hold [brackets]
        raise typer.Exit(1) from exc
    finally:
        store.close()


def need_actor(actor: str | None) -> str:
    if not actor:
        err.print("[red]who is deciding? pass --as EDITOR or set $TOOLWATCH_EDITOR[/red]")
        raise typer.Exit(2)
    return actor


def find_slug(store: Any, ref: str) -> str:
    slug = store.tool_slug_for(ref)
    if slug is None:
        err.print(f"[red]no tool matches {ref!r}[/red] (try `toolwatch tools`)")
        raise typer.Exit(1)
    return str(slug)


VALUE_EXAMPLES = {
    "license": '{"id": "apache-2.0", "terms": "permissive"}',
    "parameters": '{"total": 8030000000, "active": null}',
    "pricing": '{"model": "paid", "prices": [{"provider": "openrouter", '
    '"input_per_mtok": 0.03, "output_per_mtok": 0.06}]}',
    "links": '[{"type": "docs", "url": "https://example.org/docs"}]',
    "aliases": '["Llama 3 8B"]',
    "context_length": "131072",
    "open_weights": "true",
}
"""Fields whose value is not plain text, with a value of the right shape."""


class UnreadableValue(Exception):
    """A VALUE that cannot be read for its field."""


def parse_value(text: str, field: str = "") -> Any:
    """JSON when the text parses as JSON, else the text itself; a field that is not
    plain text (license, pricing, parameters, numbers, lists) must be valid JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if field in VALUE_EXAMPLES:
            raise UnreadableValue(
                f"{field} needs a JSON value; {text!r} is not valid JSON ({exc.msg} at "
                f"character {exc.pos + 1}). Example: {VALUE_EXAMPLES[field]}"
            ) from exc
        return text


def _done(as_json: bool, data: dict[str, Any], message: str) -> None:
    if as_json:
        emit_json(data)
    else:
        console.print(message)


# lifecycle -----------------------------------------------------------------------------


RefArgument = Annotated[str, typer.Argument(help="Slug, alias or Hugging Face repo id")]


def _lifecycle(
    action: str, ref: str, reason: str, actor: str | None, as_json: bool, db: str | None
) -> None:
    """accept / reject / withdraw one tool and say what it is now."""
    who = need_actor(actor)
    with opened(db) as store:
        resolved = getattr(store, action)(find_slug(store, ref), who, reason)
    words = {
        "accept": "[green]published[/green]",
        "reject": "[yellow]rejected[/yellow]",
        "withdraw": "[yellow]withdrawn[/yellow] (no longer published)",
    }
    data = {"slug": resolved.slug, "status": resolved.status}
    if action == "withdraw":
        data["withdrawn"] = True
    _done(as_json, data, f"{words[action]} {resolved.slug}")


def accept(
    refs: Annotated[
        list[str], typer.Argument(help="Slugs, aliases or Hugging Face repo ids (one or more)")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (optional)")] = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Publish candidates: each resolved record becomes the published record. Several
    at once are published in one transaction (all or none)."""
    if len(refs) == 1:
        _lifecycle("accept", refs[0], reason, actor, as_json, db)
        return
    who = need_actor(actor)
    with opened(db) as store:
        slugs = [find_slug(store, ref) for ref in refs]
        count = store.accept_many(slugs, who, reason)
    _done(as_json, {"published": slugs, "count": count}, f"[green]published[/green] {count} tools")


def reject(
    ref: RefArgument,
    reason: ReasonOption,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Reject a candidate. It returns to the queue only if new evidence arrives."""
    _lifecycle("reject", ref, reason, actor, as_json, db)


def withdraw(
    ref: RefArgument,
    reason: ReasonOption,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Unpublish a published tool: it leaves the API and exports (the change feed says
    `_status: unpublished`); `accept` publishes it again."""
    _lifecycle("withdraw", ref, reason, actor, as_json, db)


def merge(
    ref: Annotated[str, typer.Argument(help="The duplicate (slug, alias or repo id)")],
    into: Annotated[str, typer.Option("--into", help="The tool that absorbs it")],
    reason: Annotated[str, typer.Option("--reason", help="Why (optional)")] = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Merge a duplicate into another tool, which gains its names, variants and claims."""
    who = need_actor(actor)
    with opened(db) as store:
        slug, target = find_slug(store, ref), find_slug(store, into)
        resolved = store.merge(slug, target, who, reason)
    _done(
        as_json,
        {"slug": slug, "status": "merged", "into": resolved.slug},
        f"merged {slug} into [bold]{resolved.slug}[/bold]",
    )


def unmerge(
    slug: Annotated[str, typer.Argument(help="The merged tool's slug")],
    reason: Annotated[str, typer.Option("--reason", help="Why (optional)")] = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Undo a merge: what it moved goes back; the tool gets its former status."""
    who = need_actor(actor)
    with opened(db) as store:
        resolved = store.unmerge(slug, who, reason)
    _done(
        as_json,
        {"slug": resolved.slug, "status": resolved.status},
        f"unmerged {resolved.slug} (now {resolved.status})",
    )


def override(
    ref: Annotated[str, typer.Argument(help="Slug, alias or Hugging Face repo id")],
    field: Annotated[str, typer.Argument(help="A ToolRecord field, e.g. license")],
    value: Annotated[
        str | None,
        typer.Argument(help="The value: JSON if it parses as JSON, else text; null empties"),
    ] = None,
    value_option: Annotated[
        str | None,
        typer.Option(
            "--value",
            help="The value as an option, for values starting with '-': --value=-5",
        ),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (required)")] = "",
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the override instead of setting one")
    ] = False,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Set an editor's value for a field; it wins over every source and every crawl."""
    who = need_actor(actor)
    if value is not None and value_option is not None:
        err.print("[red]give the value once: as VALUE or as --value[/red]")
        raise typer.Exit(2)
    value = value if value is not None else value_option
    if not clear and value is None:
        err.print("[red]give a VALUE (or --value=...), or --clear to remove the override[/red]")
        raise typer.Exit(2)
    parsed: Any = None
    if not clear:
        try:
            parsed = parse_value(str(value), field)
        except UnreadableValue as exc:
            err.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from exc
    if not clear and not reason.strip():
        err.print("[red]--reason is required for an override[/red]")
        raise typer.Exit(2)
    with opened(db) as store:
        slug = find_slug(store, ref)
        if clear:
            removed = store.clear_override(slug, field, who, reason)
            _done(
                as_json,
                {"slug": slug, "field": field, "cleared": removed},
                f"override of {slug}.{field} {'removed' if removed else 'was not set'}",
            )
            return
        from storage.errors import InvalidOverride

        try:
            stored = store.override(slug, field, parsed, who, reason)
        except InvalidOverride as exc:
            hint = f" Example: {VALUE_EXAMPLES[field]}" if field in VALUE_EXAMPLES else ""
            raise InvalidOverride(f"{exc}.{hint}") from exc
    _done(
        as_json,
        {"slug": slug, "field": field, "value": stored},
        f"{slug}.{field} = {json.dumps(stored, ensure_ascii=False)} [dim](override)[/dim]",
    )


def history(
    ref: Annotated[str, typer.Argument(help="Slug, alias or Hugging Face repo id")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every change to a tool's published data, and its editorial decisions."""
    with opened(db) as store:
        slug = find_slug(store, ref)
        changes = store.history(slug)
        decisions = store.decisions(slug)
    if as_json:
        emit_json(
            {
                "slug": slug,
                "changes": [c.model_dump(mode="json") for c in changes],
                "decisions": [d.model_dump(mode="json") for d in decisions],
            }
        )
        return
    from storage.diff import describe_change

    table = Table(title=f"{slug}: changes to published data ({len(changes)})")
    for col in ("#", "at", "field", "what changed", "by", "reason"):
        table.add_column(col, overflow="fold")
    for c in changes:
        if c.field == "_status":
            what = f"status {c.old} → {c.new}"
        else:
            what = "\n".join(describe_change(c.field, c.old, c.new)) or "re-checked, same value"
        table.add_row(str(c.id), str(c.at)[:19], c.field, Text(what), c.actor, Text(c.reason))
    console.print(table)
    if decisions:
        log = Table(title="decisions")
        for col in ("at", "action", "field", "by", "reason"):
            log.add_column(col, overflow="fold")
        for d in decisions:
            field = str(d.data.get("field") or d.data.get("into_slug") or "")
            log.add_row(str(d.at)[:19], d.action, field, d.actor, Text(d.reason or "—"))
        console.print(log)


# review --------------------------------------------------------------------------------


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    all_items: Annotated[bool, typer.Option("--all", help="Decided items too")] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """List pending changes to published tools and claims disagreeing with overrides."""
    if ctx.invoked_subcommand is not None:
        return
    with opened(db) as store:
        items = store.review_queue(status=None if all_items else "pending")
    if as_json:
        from storage.diff import describe_change

        emit_json(
            [
                {**i.model_dump(mode="json"), "changes": describe_change(i.field, i.old, i.new)}
                for i in items
            ]
        )
        return
    from storage.diff import describe_change

    table = Table(title=f"{len(items)} review items", show_lines=True)
    for col in ("id", "tool", "kind", "field", "what changed", "sources"):
        table.add_column(col, overflow="fold")
    for i in items:
        sources = "\n".join(
            f"{s.get('source_kind')}: {s.get('source_url')}" for s in i.sources[:3]
        ) + (" …" if len(i.sources) > 3 else "")
        kind = i.kind if i.status == "pending" else f"{i.kind} ({i.status})"
        what = "\n".join(describe_change(i.field, i.old, i.new)) or "(check time only)"
        table.add_row(str(i.id), i.slug, kind, i.field, Text(what), Text(sources))
    console.print(table)
    if items and not all_items:
        console.print("[dim]decide with `toolwatch review accept ID` / `review reject ID`[/dim]")


def _decide(
    item_id: int, accept_it: bool, note: str, actor: str | None, as_json: bool, db: str | None
) -> None:
    who = need_actor(actor)
    with opened(db) as store:
        item = store.decide_review(item_id, accept_it, who, note)
    _done(
        as_json,
        item.model_dump(mode="json"),
        f"review #{item.id} ({item.kind} {item.slug}.{item.field}) {item.status}",
    )


@review_app.command("accept")
def review_accept(
    item_id: Annotated[int, typer.Argument(help="Review item id")],
    note: Annotated[str, typer.Option("--note", help="Why (optional)")] = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Accept: publish the sources' value (for a conflict: drop the override)."""
    _decide(item_id, True, note, actor, as_json, db)


@review_app.command("reject")
def review_reject(
    item_id: Annotated[int, typer.Argument(help="Review item id")],
    note: Annotated[str, typer.Option("--note", help="Why (optional)")] = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Reject: keep the published value (for a conflict: keep the override)."""
    _decide(item_id, False, note, actor, as_json, db)


# database and editors ------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
    db: DbOption = None,
) -> None:
    """Run the schema migrations (Alembic) up to REVISION (default: head)."""
    from sqlalchemy.exc import DBAPIError

    from cli.database import database_url, display_url, fail, short_error
    from storage.db import make_engine
    from storage.migrations import upgrade

    url = database_url(db)
    engine = make_engine(url)
    try:
        before, after = upgrade(engine, revision)
    except DBAPIError as exc:
        raise fail(f"cannot open the database {display_url(url)}: {short_error(exc)}", exc) from exc
    finally:
        engine.dispose()
    if before == after:
        console.print(f"schema already at {after}")
    else:
        console.print(f"schema upgraded: {before or 'empty'} → {after}")


def read_password(from_stdin: bool, prompt: str) -> str:
    """One line of standard input, or a hidden prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@editor_app.command("add")
def editor_add(
    name: Annotated[str, typer.Argument(help="Editor name (letters, digits, . _ @ -)")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an editor; the password is prompted for twice (or read from stdin)."""
    password = read_password(password_stdin, "Password")
    with opened(db, create=True) as store:
        store.add_editor(name, password)
    console.print(f"editor [bold]{name}[/bold] added")


@editor_app.command("passwd")
def editor_passwd(
    name: Annotated[str, typer.Argument(help="Editor whose password changes")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set a new password; every session of the editor (any browser) is logged out."""
    password = read_password(password_stdin, "New password")
    with opened(db) as store:
        store.set_editor_password(name, password)
    console.print(f"password of [bold]{name}[/bold] changed; its sessions are logged out")


@editor_app.command("list")
def editor_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """Editors by name."""
    with opened(db) as store:
        names = store.editors()
    if as_json:
        emit_json(names)
    else:
        for name in names:
            console.print(name)


def register(app: typer.Typer) -> None:
    for command in (accept, reject, withdraw, merge, unmerge, override, history):
        app.command()(command)
    app.add_typer(review_app, name="review")
    app.add_typer(db_app, name="db")
    app.add_typer(editor_app, name="editor")
