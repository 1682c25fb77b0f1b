"""All settings of policybot in one class, read once; every field has a POLICYBOT_ env override."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from knowledge.versions import KbVersion

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYBOT_", extra="ignore")

    # "Today" for validity; tests pin it with POLICYBOT_TODAY=YYYY-MM-DD.
    today: dt.date | None = None
    var_dir: Path = PROJECT_ROOT / "var"
    sources_dir: Path = PACKAGE_DIR / "sources"
    questions_dir: Path = PACKAGE_DIR / "questions"
    eligibility_dir: Path = PACKAGE_DIR / "eligibility"
    departments_file: Path = PACKAGE_DIR / "departments.yml"
    terms_file: Path = PACKAGE_DIR / "terms.txt"
    # Questions with gold measure numbers: `policybot eval`, the benchmarks, the chat test.
    eval_set: Path = PACKAGE_DIR / "evaluation" / "questions.yml"
    # Embedding model: empty means the distilled default under var/models/; otherwise a
    # local folder or a hub name (e.g. BAAI/bge-small-zh-v1.5) with its query prefix.
    model: str = ""
    query_prefix: str = ""
    # Where `policybot model build` puts the distilled model (retrieval's default and the
    # bot's NLU features); empty means var/models/policy-static-zh. Rasa's environment
    # cannot import this class: scripts/train-bot.sh hands the path to config.yml as
    # POLICYBOT_DISTILLED_MODEL_DIR, printed by `policybot model path`.
    distilled_model_dir: Path | None = None
    index_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Rasa's REST channel; several Rasa processes sharing their trackers (the production
    # profile) as a comma-separated list, over which chat turns are spread (rasa_urls).
    rasa_url: str = "http://localhost:5005"
    # Chat transcripts and answer ratings (SQLite); empty means var/chat/conversations.sqlite.
    conversations_db: Path | None = None
    # The Rasa project (domain, data, endpoints); generated training data goes under it.
    bot_dir: Path = PROJECT_ROOT / "bot"

    # Public-facing limits (api/fair_use.py). Costs are counted in units: a chat turn
    # costs 1 plus 1 per 250 characters, so long messages use a budget up faster.
    # Syntax of the `limits` library: "N/period" rules separated by ";".
    client_rate_limits: str = "120/minute;20/10second"
    conversation_rate_limits: str = "60/minute;10/10second"
    # Long messages (over 250 characters) from all clients together: a budget in the same
    # units, and how many may be with Rasa at once (bench: tests/bench/bench_abuse.py).
    heavy_turn_rate_limits: str = "9/5second"
    heavy_turns_in_flight: int = 1
    # Seconds a client already over its budget waits for its 429 (api/throttle.py).
    throttle_delay: float = 1.0
    # Where the counters live: "async+memory://" (one process) or a Redis URL
    # ("async+redis://host:6379") when several answer-service processes share them; left
    # at the default, redis_url (below) is used when it is set (api/shared_state.py).
    rate_limit_storage: str = "async+memory://"
    # Addresses of reverse proxies (nginx) whose X-Forwarded-For is believed; the client
    # is then the address the nearest such proxy saw. Comma-separated.
    trusted_proxies: str = ""
    # Origins allowed to call the chat routes from a browser ("*": any website).
    chat_origins: str = "*"
    # How long a chat request waits for a locked conversation store before answering 503.
    store_timeout: float = 2.0
    # Secrets; empty means generated once and kept under var_dir/secrets/ (api/keys.py).
    # secret_key signs conversation ids; action_token is what Rasa must present to /webhook.
    secret_key: str = ""
    action_token: str = ""

    # Published knowledge-base versions (knowledge/versions.py): the live one is what the
    # answer service and Rasa serve. kb_dir holds the versions and the LIVE pointer;
    # artifacts_dir the models they share (distilled models and Rasa models, named by
    # digest). Both default to var_dir/kb.
    kb_dir: Path | None = None
    artifacts_dir: Path | None = None
    keep_versions: int = 10
    # How often a running answer service looks at the LIVE pointer (seconds).
    kb_poll_seconds: float = 1.0
    # Answer services a publish waits for (comma-separated base URLs; empty: this
    # machine's port), and the token of Rasa's model API (empty: var_dir/secrets/).
    api_urls: str = ""
    rasa_token: str = ""
    # Whether this answer service has its Rasa processes (rasa_url, comma-separated)
    # load the live version's model (api/rasa_models.py).
    manage_rasa: bool = True

    # The production profile (api/prod/, `policybot prod`): where the shared state lives.
    # database_url: conversations (SQLAlchemy URL, postgresql+psycopg://…; empty: SQLite
    # under var/chat/), with a pool of database_pool_size connections per process (and
    # as many again for bursts); redis_url: what the answer-service processes share —
    # turns in flight, rate-limit counters, answers kept for retries (empty: in process;
    # `serve --workers N` needs it). Passwords empty: generated once into var/secrets/.
    database_url: str = ""
    database_pool_size: int = 5
    redis_url: str = ""
    pg_password: str = ""
    redis_password: str = ""

    # Maintainers' pages and API under /admin (api/routers/admin.py): off while empty.
    # The token is what a maintainer types to log in (or sends as a Bearer token); use a
    # long random one. admin_secret_key signs the session cookie (empty: generated once
    # under var_dir/secrets/); sessions end after admin_session_minutes. Failed logins
    # are limited per client (`limits` syntax, counted with rate_limit_storage).
    admin_token: str = ""
    admin_secret_key: str = ""
    admin_session_minutes: int = 480
    admin_login_limits: str = "10/minute;100/day"

    # `policybot report` and /admin/report: an answer whose retrieval confidence (the
    # no-answer gate's probability, index/hybrid.py) is below this is listed as unsure.
    # 0.9: on the evaluation set, answers under it were wrong 4 times in 16, over it 2 in 138.
    report_low_confidence: float = 0.9
    # Questions whose embeddings have at least this cosine with every other question of a
    # group are one question in different words (complete linkage; measured for the
    # distilled default model in tests/test_report_grouping.py; another model needs its own).
    report_group_similarity: float = 0.8

    @property
    def resolved_kb_dir(self) -> Path:
        return self.kb_dir or self.var_dir / "kb"

    @property
    def resolved_artifacts_dir(self) -> Path:
        return self.artifacts_dir or self.var_dir / "kb"

    def for_knowledge(self, tree: Path) -> Settings:
        """These settings reading a knowledge tree laid out like knowledge/ in git."""
        return self.model_copy(update={
            "sources_dir": tree / "sources", "questions_dir": tree / "questions",
            "eligibility_dir": tree / "eligibility", "departments_file": tree / "departments.yml",
            "terms_file": tree / "terms.txt"})

    @property
    def resolved_index_dir(self) -> Path:
        """The index to read: the configured folder, else the live version's, else the
        development build's (`policybot index build`, var/index)."""
        if self.index_dir is not None:
            return self.index_dir
        version = self._live_version()
        return version.index_dir if version is not None else self.development_index_dir

    @property
    def development_index_dir(self) -> Path:
        return self.var_dir / "index"

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa process the chat may ask (rasa_url split on commas)."""
        return [u.strip().rstrip("/") for u in self.rasa_url.split(",") if u.strip()]

    @property
    def resolved_conversations_db(self) -> Path:
        return self.conversations_db or self.var_dir / "chat" / "conversations.sqlite"

    @property
    def pending_questions_dir(self) -> Path:
        """Question-bank entries added by maintainers, merged into the next published version."""
        return self.resolved_kb_dir / "pending"

    @property
    def secrets_dir(self) -> Path:
        return self.var_dir / "secrets"

    @property
    def default_model_dir(self) -> Path:
        """The distilled model to read: the configured folder, else the live version's,
        else the development build's (`policybot model build`)."""
        if self.distilled_model_dir is not None:
            return self.distilled_model_dir
        version = self._live_version()
        return version.model_dir if version is not None else self.development_model_dir

    @property
    def development_model_dir(self) -> Path:
        """Where `policybot model build` writes (publishing has its own store)."""
        return self.distilled_model_dir or self.var_dir / "models" / "policy-static-zh"

    def _live_version(self) -> KbVersion | None:
        from knowledge.versions import live  # the version store reads these settings

        return live(self)


@cache
def get_settings() -> Settings:
    return Settings()


def today() -> dt.date:
    return get_settings().today or dt.date.today()
