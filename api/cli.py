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

from index.errors import SearchIndexError
from index.hybrid import HybridIndex
from knowledge.catalog import Catalog
from knowledge.errors import DocumentInvalid, KnowledgeError, MeasureNotFound, UnknownDocument
from knowledge.parser import parse_document
from knowledge.settings import Settings, get_settings
from knowledge.validity import describe_validity, validity_of
from knowledge.views import measure_view

EXIT_INVALID = 1
EXIT_NOT_FOUND = 3


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = EXIT_NOT_FOUND) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _knowledge_settings() -> Settings:
    """The settings naming the knowledge base the commands read: its question bank and
    evaluation set, beside its documents (_catalog)."""
    return get_settings()


def _catalog() -> Catalog:
    try:
        return Catalog.load()
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INVALID)


@click.group()
def main() -> None:
    """policybot: cited answers about district policy measures."""


@main.group()
def kb() -> None:
    """Inspect and validate the knowledge base."""


@kb.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def kb_validate(path: Path) -> None:
    """Check a policy document; print PATH:LINE: message for every problem."""
    try:
        document = parse_document(path)
    except DocumentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{path}: {len(exc.problems)} problem(s); document rejected", err=True)
        sys.exit(EXIT_INVALID)
    measures = document.measures
    departments = {d for m in measures for d in m.departments}
    click.echo(
        f"{path}: OK: {document.info.doc_id} 《{document.info.title}》 "
        f"{document.info.issuer} {document.info.issue_date}; {len(measures)} measures "
        f"({measures[0].number}-{measures[-1].number}), "
        f"{len({m.chapter.number for m in measures})} chapters, "
        f"{len({m.section.number for m in measures})} sections, "
        f"{len(departments)} departments"
    )


@kb.command("show")
@click.argument("number", type=int)
@click.option("--doc", "doc_id", help="Document id (default: the newest document).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_show(number: int, doc_id: str | None, as_json: bool) -> None:
    """Show one measure."""
    try:
        measure = _catalog().measure(number, doc_id)
    except KnowledgeError as exc:
        _fail(str(exc))
    if as_json:
        _emit_json(measure_view(measure))
        return
    click.echo(f"{measure.citation} [{measure.chapter.numeral}、{measure.chapter.title} / "
               f"({measure.section.numeral}){measure.section.title}]")
    click.echo(measure.text)
    click.echo(f"责任单位: {'、'.join(measure.departments)}{measure.departments_note}")
    click.echo(describe_validity(validity_of(measure)))


@kb.command("departments")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def kb_departments(as_json: bool) -> None:
    """Each department with the measures it is responsible for."""
    index = {name: [m.number for m in ms] for name, ms in _catalog().departments().items()}
    if as_json:
        _emit_json(index)
        return
    for name, numbers in sorted(index.items(), key=lambda item: -len(item[1])):
        click.echo(f"{name}\t{len(numbers)}\t{','.join(map(str, numbers))}")


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
        _emit_json([measure_view(m) for m in measures])
        return
    for m in measures:
        status = validity_of(m).status.value
        click.echo(f"{m.number:>3}  {status:<11} {'、'.join(m.departments)}  {m.text[:40]}…")


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
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(question: str | None, top: int, batch: Any, as_json: bool) -> None:
    """Measures that answer QUESTION, best first."""
    if (question is None) == (batch is None):
        raise click.UsageError("give either QUESTION or --batch FILE")
    index = _load_index()
    if batch is not None:
        for line in batch:
            query = line.strip()
            if not query:
                continue
            found = [r.to_json() for r in index.search(query, k=top)]
            click.echo(json.dumps({"query": query, "results": found}, ensure_ascii=False))
        return
    assert question is not None
    results = index.search(question, k=top)
    if as_json:
        _emit_json([r.to_json() for r in results])
        return
    if results and not results[0].answerable:
        click.echo(f"(no measure answers this confidently: {results[0].confidence:.2f})")
    for r in results:
        click.echo(f"第{r.measure.number}条  {r.score:6.2f}  {'、'.join(r.measure.departments)}  "
                   f"{r.measure.text[:50]}…")


@main.command("eval")
@click.option("--set", "eval_set", type=click.Path(exists=True, path_type=Path),
              help="Evaluation set (default: the eval_set setting, "
                   "knowledge/evaluation/questions.yml).")
@click.option("--tune", is_flag=True, help="Re-tune index/fusion.yml on the set, then rebuild.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", is_flag=True, help="Print a Markdown table (for the README).")
def eval_command(eval_set: Path | None, tune: bool, as_json: bool, markdown: bool) -> None:
    """Recall@1/@3, MRR, no-answer rates and latency for BM25, dense and hybrid."""
    from index import evaluate as ev

    eval_set = eval_set or get_settings().eval_set
    questions = ev.load_eval_set(eval_set)
    index = _load_index()
    if tune:
        from index.store import FUSION_FILE

        index.fusion = ev.tune(index, questions)
        ev.save_fusion(index.fusion, FUSION_FILE, eval_set)
        click.echo(f"tuned fusion written to {FUSION_FILE}; run `policybot index build`", err=True)
    report = ev.evaluate(index, questions)
    if as_json:
        _emit_json(report)
        return
    if markdown:
        click.echo(ev.markdown(report, index))
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
    path = settings.resolved_conversations_db
    try:
        exchanges = ConversationStore(path).exchanges(start) if path.exists() else []
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
def serve(host: str | None, port: int | None) -> None:
    """Run the answer service: Rasa action webhook, REST API, health."""
    import logging

    import uvicorn

    from api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    uvicorn.run(create_app(), host=host or settings.host, port=port or settings.port)


@main.group()
def bot() -> None:
    """Rasa bot: training data generated from the knowledge base."""


@bot.command("data")
def bot_data() -> None:
    """Write bot/data/generated/nlu.yml and bot/dictionary/ from knowledge/."""
    from bot.training_data import generate

    settings = get_settings()
    try:
        summary = generate(settings, settings.bot_dir)
    except KnowledgeError as exc:
        _fail(str(exc), EXIT_INVALID)
    counts = ", ".join(f"{k} {v}" for k, v in summary.examples.items())
    click.echo(f"wrote {summary.nlu_file} ({counts}) and {summary.dictionary_file}")


if __name__ == "__main__":
    main()


@main.command("secret")
@click.argument("name", type=click.Choice(["action-token", "conversation-key"]))
def show_secret(name: str) -> None:
    """Print a deployment secret (made and kept under var/secrets/ on first use), e.g. the
    action token that scripts/run-all.sh hands to Rasa."""
    from api.keys import secret

    click.echo(secret(get_settings(), name))
