"""`policybot` command line: knowledge base, index, search and evaluation.

Domain errors are translated here into a one-line message and an exit code:
1 for invalid documents, 2 for bad usage, 3 for a missing measure/department/index.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from api.kb_commands import COMMANDS as KB_LIFECYCLE
from api.prod.cli import prod
from index.errors import SearchIndexError
from index.hybrid import HybridIndex
from knowledge import validation
from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, KnowledgeError, MeasureNotFound, UnknownDocument
from knowledge.identity import SIDECAR_SUFFIX
from knowledge.models import Document, Measure
from knowledge.settings import PROJECT_ROOT, Settings, get_settings
from knowledge.validation import validate_file
from knowledge.validity import describe_validity, validity_of
from knowledge.versions import live_settings
from knowledge.views import measure_view

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = EXIT_NOT_FOUND) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _knowledge_settings() -> Settings:
    """The settings naming the knowledge base the commands read: its question bank and
    evaluation set, beside its documents (_catalog): the live version's."""
    return live_settings(get_settings())


def _catalog() -> Catalog:
    """The live version's documents (the seed's when nothing is published)."""
    try:
        return Catalog.from_settings(live_settings(get_settings()))
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)


@click.group()
def main() -> None:
    """policybot: cited answers about district policy measures."""


main.add_command(prod)


@main.group()
def kb() -> None:
    """Inspect, validate, publish and roll back the knowledge base."""


for _command in KB_LIFECYCLE:
    kb.add_command(_command)


@kb.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def kb_validate(path: Path) -> None:
    """Check knowledge files; print PATH:LINE: message for every problem.

    PATH is a policy document (.txt, with its .meta.yml sidecar), a sidecar, the
    department table, the terms, an eligibility rule or question-bank file, or a whole
    knowledge directory (sources/, departments.yml, questions/, eligibility/, terms.txt).
    A file is checked in the place of its namesake in the tree it sits in (or the
    configured knowledge base), so its references are checked too."""
    try:
        kind, report = validate_file(path)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)
    if report.problems:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(f"{path}: {len(report.problems)} problem(s); {kind} rejected", err=True)
        sys.exit(EXIT_INVALID)
    if kind in (validation.DOCUMENT, validation.SIDECAR):
        stem = path.name.removesuffix(SIDECAR_SUFFIX).removesuffix(".txt")
        document = next(d for d in report.documents if d.info.doc_id == stem)
        click.echo(f"{path}: OK: {_document_summary(document)}")
        return
    documents = "; ".join(f"{d.info.doc_id} ({len(d.measures)} measures)" for d in report.documents)
    click.echo(f"{path}: OK: {kind}; {len(report.documents)} document(s): {documents}; "
               f"{report.rules} eligibility rules, {report.questions} bank questions, "
               f"{report.terms} terms")


def _document_summary(document: Document) -> str:
    info, measures = document.info, document.measures
    departments = {d for m in measures for d in m.departments}
    text = (f"{info.doc_id} 《{info.title}》 {info.issuer} {info.issue_date}; {len(measures)} measures "
            f"({measures[0].number}-{measures[-1].number}), "
            f"{len({m.chapter.number for m in measures})} chapters, "
            f"{len({m.section.number for m in measures})} sections, "
            f"{len(departments)} departments")
    if info.meta_path:
        text += f"; short name 《{info.name}》"
    for claim in info.supersedes:
        replaced = ("the whole document" if claim.measures is None else
                    ", ".join(f"第{old}条 -> 第{new}条" for old, new in claim.measures.items()))
        text += f"; supersedes {claim.doc_id}: {replaced}"
    return text


@kb.command("show")
@click.argument("number", type=int)
@click.option("--doc", "doc_id", help="Document id (default: the newest document that has "
                                      "measure NUMBER).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_show(number: int, doc_id: str | None, as_json: bool) -> None:
    """Show one measure."""
    catalog = _catalog()
    try:
        measure = catalog.measure(number, doc_id)
    except KnowledgeError as exc:
        _fail(str(exc))
    if as_json:
        _emit_json(_view(catalog, measure))
        return
    click.echo(f"{measure.citation} [{measure.chapter.numeral}、{measure.chapter.title} / "
               f"({measure.section.numeral}){measure.section.title}]")
    if catalog.several:
        info = catalog.document(measure.doc_id).info
        click.echo(f"文件: 《{info.title}》({info.doc_id},{info.issue_date})")
    click.echo(measure.text)
    click.echo(f"责任单位: {'、'.join(measure.departments)}{measure.departments_note}")
    click.echo(describe_validity(validity_of(measure)))


def _view(catalog: Catalog, measure: Measure) -> dict[str, Any]:
    return measure_view(measure, document=catalog.document(measure.doc_id).info)


@kb.command("departments")
@click.option("--doc", "doc_id", help="Only measures of this document.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_departments(doc_id: str | None, as_json: bool) -> None:
    """Each department with the measures it is responsible for.

    JSON: {department: [measure numbers]} with one document loaded (or --doc);
    with several, numbers alone are ambiguous: {department: [{"doc_id", "number"}]}."""
    catalog = _catalog()
    if doc_id:
        try:
            catalog.document(doc_id)
        except KnowledgeError as exc:
            _fail(str(exc))
    index = {name: [m for m in ms if doc_id in (None, m.doc_id)]
             for name, ms in catalog.departments().items()}
    index = {name: ms for name, ms in index.items() if ms}
    if as_json:
        _emit_json({name: _refs(ms, bare=bool(doc_id) or not catalog.several)
                    for name, ms in index.items()})
        return
    for name, measures in sorted(index.items(), key=lambda item: -len(item[1])):
        click.echo(f"{name}\t{len(measures)}\t{','.join(m.citation for m in measures)}")


def _refs(measures: list[Measure], bare: bool) -> list[Any]:
    if bare:
        return [m.number for m in measures]
    return [{"doc_id": m.doc_id, "number": m.number} for m in measures]


@kb.command("list")
@click.option("--department", "-d", help="Only measures of this department (any alias).")
@click.option("--chapter", "-c", type=int, help="Only measures of chapter N (1-based).")
@click.option("--in-force", is_flag=True, help="Only measures not expired today.")
@click.option("--doc", "doc_id", help="Only this document.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_list(department: str | None, chapter: int | None, in_force: bool, doc_id: str | None,
            as_json: bool) -> None:
    """List measures, filtered."""
    catalog = _catalog()
    try:
        measures = catalog.measures_of(department) if department else catalog.measures
        if doc_id:
            catalog.document(doc_id)
            measures = [m for m in measures if m.doc_id == doc_id]
    except KnowledgeError as exc:
        _fail(str(exc))
    if chapter is not None:
        if chapter not in {m.chapter.number for m in catalog.measures}:
            _fail(f"no chapter {chapter}")
        measures = [m for m in measures if m.chapter.number == chapter]
    if in_force:
        measures = [m for m in measures if validity_of(m).in_force]
    if as_json:
        _emit_json([_view(catalog, m) for m in measures])
        return
    width = max((len(d.info.doc_id) for d in catalog.documents), default=0)
    for m in measures:
        status = validity_of(m).status.value
        document = f"{m.doc_id:<{width}}  " if catalog.several else ""
        click.echo(f"{m.number:>3}  {document}{status:<11} {'、'.join(m.departments)}  {m.text[:40]}…")


@kb.command("add-question")
@click.argument("question")
@click.option("--measure", "-m", type=int, required=True, help="The measure that answers it.")
@click.option("--doc", "doc_id", help="Document id (default: the newest document).")
def kb_add_question(question: str, measure: int, doc_id: str | None) -> None:
    """Add QUESTION to the question bank of a measure at the next publish.

    It waits in var/kb/pending/<doc_id>.yml; rejected (exit 1) when it is already in the
    bank or pending, or belongs to the evaluation set; exit 3 for an unknown measure."""
    from api.bank_additions import add_question, pending
    from knowledge.pending import QuestionRejected

    settings = _knowledge_settings()
    store = pending(settings)
    try:
        entry = add_question(settings, store, _catalog(), question, measure, doc_id)
    except (MeasureNotFound, UnknownDocument) as exc:
        _fail(str(exc))
    except QuestionRejected as exc:
        _fail(str(exc), EXIT_INVALID)
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)
    click.echo(f"pending: {entry.doc_id}#{entry.measure} “{entry.question}” in "
               f"{store.path(entry.doc_id)} (takes effect at the next publish)")


@kb.command("pending")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_pending(as_json: bool) -> None:
    """Question-bank entries waiting for the next publish."""
    from api.bank_additions import pending

    try:
        entries = pending(get_settings()).entries()
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)
    if as_json:
        _emit_json([{"doc_id": e.doc_id, "measure": e.measure, "question": e.question} for e in entries])
        return
    for e in entries:
        click.echo(f"{e.doc_id}#{e.measure}\t{e.question}")


def _load_index() -> HybridIndex:
    from index.embedder import Embedder
    from index.store import load_index

    try:
        return load_index(get_settings().resolved_index_dir, Embedder.from_settings())
    except SearchIndexError as exc:
        _fail(str(exc))


@main.group()
def model() -> None:
    """The default embedding model (distilled offline)."""


@model.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the inputs did not change.")
def model_build(force: bool) -> None:
    """Distil the default Chinese static model into var/models/ if its inputs changed.

    Built even when retrieval is configured to use another model: the bot's NLU reads
    the distilled model's vectors as features (bot/components/)."""
    from index.build import build_default_model

    if get_settings().model:
        click.echo(f"model: retrieval uses the configured model {get_settings().model!r}; "
                   "the bot's NLU still uses the distilled default")
    try:
        result = build_default_model(force=force)
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)
    if result.rebuilt:
        click.echo(f"model: distilled {result.vocabulary} tokens into {result.path} "
                   f"in {result.seconds:.1f}s")
    else:
        click.echo(f"model: {result.path} is up to date")


@model.command("path")
def model_path() -> None:
    """Print the distilled model's folder (the distilled_model_dir setting).

    Rasa's environment cannot read the project's settings; the scripts that train Rasa
    pass this on to config.yml as POLICYBOT_DISTILLED_MODEL_DIR."""
    click.echo(str(get_settings().default_model_dir.resolve()))


@main.group("index")
def index_group() -> None:
    """The hybrid (FAISS + BM25) index."""


@index_group.command("build")
@click.option("--if-changed", is_flag=True,
              help="Do nothing when the current index was built from the same inputs.")
def index_build(if_changed: bool) -> None:
    """Validate the sources and build a new index version, then make it current."""
    from index.build import build_index

    try:
        result = build_index(if_changed=if_changed)
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("index: not built; the current index is unchanged", err=True)
        sys.exit(EXIT_INVALID)
    except SearchIndexError as exc:
        _fail(str(exc))
    if result is None:
        click.echo("index: up to date (same model, sources, questions and code)")
        return
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items())
    click.echo(f"index: version {result.version} ({counts}) with {result.model_id} "
               f"in {result.seconds:.1f}s -> {result.path}")


@main.command()
@click.argument("question", required=False)
@click.option("--top", "-k", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--batch", type=click.File("r", encoding="utf-8"),
              help="File with one question per line (- for stdin).")
@click.option("--superseded", is_flag=True,
              help="Also offer measures that a later document has replaced.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(question: str | None, top: int, batch: Any, superseded: bool, as_json: bool) -> None:
    """Measures that answer QUESTION, best first."""
    if (question is None) == (batch is None):
        raise click.UsageError("give either QUESTION or --batch FILE")
    index = _load_index()
    if batch is not None:
        for line in batch:
            query = line.strip()
            if not query:
                continue
            found = [r.to_json() for r in index.search(query, k=top, include_superseded=superseded)]
            click.echo(json.dumps({"query": query, "results": found}, ensure_ascii=False))
        return
    assert question is not None
    results = index.search(question, k=top, include_superseded=superseded)
    if as_json:
        _emit_json([r.to_json() for r in results])
        return
    if results and not results[0].answerable:
        click.echo(f"(no measure answers this confidently: {results[0].confidence:.2f})")
    for r in results:
        click.echo(f"{r.measure.citation}  {r.score:6.2f}  {'、'.join(r.measure.departments)}  "
                   f"{r.measure.text[:50]}…")


def _shown(path: Path) -> str:
    """A path as a reader of the README would type it: relative to the project if inside."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


@main.command("eval")
@click.option("--set", "eval_set", type=click.Path(exists=True, path_type=Path),
              help="Evaluation set (default: the eval_set setting, "
                   "knowledge/evaluation/questions.yml).")
@click.option("--tune", is_flag=True, help="Re-tune index/fusion.yml on the set, then rebuild.")
@click.option("--refit-gate", is_flag=True,
              help="Fit only the no-answer gate again (the weights stay), for a new model "
                   "whose cosines run on another scale; then publish again.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (for the README).")
def eval_command(eval_set: Path | None, tune: bool, refit_gate: bool, as_json: bool,
                 markdown: bool) -> None:
    """Recall@1/@3, MRR, no-answer rates and latency for BM25, dense and hybrid."""
    from index import evaluate as ev

    default_set = get_settings().eval_set
    eval_set = eval_set or default_set
    questions = ev.load_eval_set(eval_set)
    index = _load_index()
    if tune or refit_gate:
        from index.store import FUSION_FILE

        index.fusion = ev.tune(index, questions) if tune else ev.refit_gate(index, questions)
        ev.save_fusion(index.fusion, FUSION_FILE, eval_set)
        click.echo(f"fusion written to {FUSION_FILE}; publish again (`make kb`)", err=True)
    report = ev.evaluate(index, questions)
    if as_json:
        _emit_json(report)
        return
    if markdown:
        tuned_on_it = eval_set.resolve() == default_set.resolve()
        command = "policybot eval" + ("" if tuned_on_it else f" --set {_shown(eval_set)}")
        click.echo(ev.markdown(report, index, command, tuned_on_it))
        return
    click.echo(f"{report['questions']} questions ({report['answerable']} answerable), "
               f"index {index.version}, model {index.embedder.model_id}")
    click.echo(f"{'method':<8} {'R@1':>6} {'R@3':>6} {'MRR':>6}")
    for method in ("bm25", "dense", "hybrid"):
        m = report[method]
        click.echo(f"{method:<8} {m['recall@1']:6.3f} {m['recall@3']:6.3f} {m['mrr']:6.3f}")
    h = report["hybrid"]
    click.echo(f"no-answer: {h['unanswerable_caught']:.1%} of unanswerable caught, "
               f"{h['answerable_refused']:.1%} of answerable refused")
    for kind, m in report["hybrid_by_kind"].items():
        click.echo(f"  hybrid on {kind:<12} R@1 {m['recall@1']:.3f}  R@3 {m['recall@3']:.3f}")
    lat = report["latency_ms"]
    click.echo(f"latency (in-process hybrid search): p50 {lat['p50']:.1f} ms, "
               f"p95 {lat['p95']:.1f} ms")


@main.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only questions asked on or after this day (default: the last 30 days).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def report(since: dt.datetime | None, as_json: bool) -> None:
    """Questions the chat answered with no citation, rated down or with low confidence,
    paraphrases grouped, newest first."""
    from api.bank_additions import known_questions, pending
    from api.conversations import ConversationStore, StoreUnavailable
    from api.report import REPORT_DAYS, build_report
    from index.embedder import Embedder
    from knowledge.questions import QuestionBank

    settings = _knowledge_settings()
    start = (since.astimezone() if since else dt.datetime.now(dt.UTC) - dt.timedelta(days=REPORT_DAYS))
    try:
        exchanges = (ConversationStore.from_settings(settings).exchanges(start)
                     if settings.database_url or settings.resolved_conversations_db.exists() else [])
    except StoreUnavailable as exc:
        _fail(f"conversation store unavailable: {exc}")
    catalog = _catalog()
    try:
        bank = QuestionBank.load(catalog, settings.questions_dir)
        known = known_questions(pending(settings).entries(), bank)
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)
    embedders: list[Embedder] = []

    def encode(texts: list[str]) -> Any:
        # The model loads only when there are two wordings to compare.
        if not embedders:
            embedders.append(Embedder.from_settings(settings))
        return embedders[0].encode(texts, query=True)

    try:
        result = build_report(exchanges, encode, low_confidence=settings.report_low_confidence,
                              similarity=settings.report_group_similarity, since=start, known=known)
    except SearchIndexError as exc:
        _fail(str(exc))
    if as_json:
        _emit_json(result.to_json())
    else:
        click.echo(result.to_text())


@main.command()
@click.option("--host", default=None, help="Bind address (default from POLICYBOT_HOST).")
@click.option("--port", "-p", type=int, default=None, help="Port (default 8000).")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=1, envvar="POLICYBOT_WORKERS",
              show_default=True, help="Worker processes sharing the port (more than one needs "
                                      "POLICYBOT_REDIS_URL).")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the answer service: Rasa action webhook, REST API, chat proxy, pages, health.

    Each worker is a process of its own with its own index in memory; what they must agree
    on (turns in flight, rate limits, answers kept for retries) lives in Redis, so several
    workers need POLICYBOT_REDIS_URL (and share the conversation store: the SQLite file,
    or PostgreSQL with POLICYBOT_DATABASE_URL)."""
    import uvicorn

    from api.http_protocol import KEEP_ALIVE_SECONDS, PROTOCOL
    from api.logs import log_config

    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        _fail("several workers share turns in flight and rate limits through Redis: "
              "set POLICYBOT_REDIS_URL (or run one worker)", EXIT_USAGE)
    uvicorn.run("api.app:create_app", factory=True, host=host or settings.host, port=port or settings.port,
                workers=workers, log_config=log_config(), http=PROTOCOL,
                timeout_keep_alive=KEEP_ALIVE_SECONDS)


@main.command("migrate-conversations")
@click.option("--to", "target", envvar="POLICYBOT_DATABASE_URL", required=True,
              help="The PostgreSQL database (postgresql+psycopg://user:password@host:port/db; "
                   "default POLICYBOT_DATABASE_URL).")
@click.option("--from", "source", type=click.Path(path_type=Path), default=None,
              help="The chat transcripts (default: var/chat/conversations.sqlite).")
@click.option("--rasa-tracker", type=click.Path(path_type=Path), default=None,
              help="Rasa's SQLite tracker store (default: var/rasa/tracker.db, when it exists).")
def migrate_conversations(target: str, source: Path | None, rasa_tracker: Path | None) -> None:
    """Copy the embedded profile's conversations (transcripts with ratings and claims, and
    Rasa's trackers) into PostgreSQL. Run it again at will: nothing is copied twice."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.migrate import migrate_chat, migrate_tracker, target_engine

    settings = get_settings()
    source = source or settings.resolved_conversations_db
    tracker = rasa_tracker or settings.var_dir / "rasa" / "tracker.db"
    if rasa_tracker is not None and not rasa_tracker.is_file():
        _fail(f"no Rasa tracker store at {rasa_tracker}", EXIT_USAGE)
    engine = target_engine(target)
    try:
        if source.is_file():
            click.echo(str(migrate_chat(source, engine)))
        else:
            click.echo(f"chat transcripts: none ({source} does not exist)")
        if tracker.is_file():
            click.echo(str(migrate_tracker(tracker, engine)))
        else:
            click.echo(f"Rasa trackers: none ({tracker} does not exist)")
    except SQLAlchemyError as exc:
        _fail(f"migration stopped (what was copied stays copied; run it again): "
              f"{type(exc).__name__}: {str(exc).splitlines()[0]}", EXIT_NOT_FOUND)
    finally:
        engine.dispose()


@main.group()
def bot() -> None:
    """Rasa bot: training data generated from the knowledge base."""


@bot.command("data")
def bot_data() -> None:
    """Write bot/data/generated/nlu.yml and bot/dictionary/ from the live knowledge base."""
    from bot.training_data import generate

    settings = live_settings(get_settings())
    try:
        summary = generate(settings, settings.bot_dir)
    except KnowledgeError as exc:
        _fail(str(exc), EXIT_INVALID)
    counts = ", ".join(f"{k} {v}" for k, v in summary.examples.items())
    click.echo(f"wrote {summary.nlu_file} ({counts}) and {summary.dictionary_file}")


if __name__ == "__main__":
    main()


@main.command("secret")
@click.argument("name", type=click.Choice(["action-token", "conversation-key", "rasa-token"]))
def show_secret(name: str) -> None:
    """Print a deployment secret (made and kept under var/secrets/ on first use), e.g. the
    action token that scripts/run-all.sh hands to Rasa."""
    from api.keys import secret

    click.echo(secret(get_settings(), name))
