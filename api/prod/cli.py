"""`policybot prod up`: the production profile, one role or all of them on this machine.

Roles: `db` (PostgreSQL and Redis), `node` (answer-service workers and Rasa processes),
`front` (nginx, the one public origin) and `all` (every role here: the databases, N
nodes, the front). Every address is an option or a POLICYBOT_ variable, so the same
command starts a role on each machine of a larger topology (README, "Production
profile"). Ctrl-C stops what this command started; so does any of it dying.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import click

from api.keys import ACTION_TOKEN, PG_PASSWORD, RASA_TOKEN, REDIS_PASSWORD, SIGNING_KEY, secret
from api.prod.databases import Postgres, Redis
from api.prod.front import Front
from api.prod.node import Node
from api.prod.processes import StartFailed, Supervisor, port_free
from knowledge.settings import Settings, get_settings
from knowledge.versions import live

log = logging.getLogger(__name__)


def _ports(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip()]


def prod_dir(settings: Settings) -> Path:
    return settings.var_dir / "prod"


def databases(settings: Settings, host: str, pg_port: int, redis_port: int) -> tuple[Postgres, Redis]:
    base = prod_dir(settings)
    return (Postgres(base / "pg", base / "pg-run", host, pg_port, secret(settings, PG_PASSWORD)),
            Redis(base / "redis", host, redis_port, secret(settings, REDIS_PASSWORD)))


def nodes(settings: Settings, count: int, rasa_per_node: int, workers: int, database_url: str,
          redis_url: str, front_address: str, first_api_port: int, first_rasa_port: int) -> list[Node]:
    version = live(settings)
    if version is None or version.rasa_model is None:
        raise click.ClickException("nothing is published: run `make setup` (it publishes knowledge/)")
    shared = {"action_token": secret(settings, ACTION_TOKEN), "rasa_token": secret(settings, RASA_TOKEN),
              "secret_key": secret(settings, SIGNING_KEY)}
    return [Node(f"node{i + 1}", first_api_port + i,
                 [first_rasa_port + 10 * i + j for j in range(rasa_per_node)], workers, database_url,
                 redis_url, front_address, version.rasa_model, shared) for i in range(count)]


@click.group()
def prod() -> None:
    """The production profile: PostgreSQL, Redis, several Rasa and answer-service processes, nginx."""


@prod.command("up")
@click.option("--role", type=click.Choice(["all", "db", "node", "front"]), default="all", show_default=True)
@click.option("--nodes", "node_count", type=int, default=1, show_default=True,
              help="With --role all: how many application nodes on this machine.")
@click.option("--rasa", "rasa_per_node", type=int, default=2, show_default=True,
              help="Rasa processes per node.")
@click.option("--workers", type=int, default=2, show_default=True, help="Answer-service workers per node.")
@click.option("--db-host", default="127.0.0.1", show_default=True, help="Where PostgreSQL and Redis listen.")
@click.option("--pg-port", type=int, default=5433, show_default=True)
@click.option("--redis-port", type=int, default=6380, show_default=True)
@click.option("--api-port", type=int, default=8101, show_default=True,
              help="The (first) node's answer-service port; further nodes take the next ones.")
@click.option("--rasa-port", type=int, default=5101, show_default=True,
              help="The (first) node's first Rasa port; node i uses ports from rasa-port + 10·i.")
@click.option("--listen", default="127.0.0.1:8080", show_default=True, help="The front's public address.")
@click.option("--upstreams", default="", help="With --role front: the nodes' answer services (host:port,…).")
@click.option("--front-address", default="127.0.0.1", show_default=True,
              help="With --role node: the front's address, whose X-Forwarded-For the node believes.")
@click.option("--admin/--no-admin", default=False, help="Let /admin through the front.")
def up(role: str, node_count: int, rasa_per_node: int, workers: int, db_host: str, pg_port: int,
       redis_port: int, api_port: int, rasa_port: int, listen: str, upstreams: str, front_address: str,
       admin: bool) -> None:
    """Start ROLE here and keep it running until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _interrupt)  # stop everything on SIGTERM, as on Ctrl-C
    settings = get_settings()
    supervisor = Supervisor(settings.var_dir / "log" / "prod", prod_dir(settings) / "processes.json")
    postgres, redis = databases(settings, db_host, pg_port, redis_port)
    database_url = settings.database_url or postgres.url()
    redis_url = settings.redis_url or redis.url()
    try:
        if role in ("all", "db"):
            for name, port in (("PostgreSQL", pg_port), ("Redis", redis_port)):
                if not port_free(db_host, port):
                    raise StartFailed(f"{name}'s port {db_host}:{port} is in use")
            postgres.start(supervisor)
            redis.start(supervisor)
        started_nodes: list[Node] = []
        if role in ("all", "node"):
            count = node_count if role == "all" else 1
            started_nodes = nodes(settings, count, rasa_per_node, workers, database_url, redis_url,
                                  listen.rsplit(":", 1)[0] if role == "all" else front_address,
                                  api_port, rasa_port)
            for node in started_nodes:
                node.start(supervisor)
        if role in ("all", "front"):
            targets = ([u for u in upstreams.split(",") if u]
                       or [f"127.0.0.1:{n.api_port}" for n in started_nodes])
            if not targets:
                raise StartFailed("the front needs --upstreams host:port,…")
            Front(listen, targets, prod_dir(settings) / "nginx", supervisor.log_dir, admin).start(supervisor)
        click.echo(_summary(role, listen, started_nodes, db_host, pg_port, redis_port, supervisor.log_dir))
        dead = supervisor.watch()
        click.echo(f"error: {dead.name} keeps stopping (exit {dead.process.returncode}); "
                   f"see {dead.log_file}", err=True)
        supervisor.stop_all()
        sys.exit(1)
    except StartFailed as exc:
        click.echo(f"error: {exc}", err=True)
        supervisor.stop_all()
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("stopping the production profile...")
    finally:
        supervisor.stop_all()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _summary(role: str, listen: str, started: list[Node], db_host: str, pg_port: int, redis_port: int,
             logs: Path) -> str:
    lines = [f"policybot production profile ({role}) is running:"]
    if role in ("all", "db"):
        lines.append(f"  PostgreSQL {db_host}:{pg_port}, Redis {db_host}:{redis_port}")
    for node in started:
        lines.append(f"  {node.name}: answer service {node.api_url} ({node.workers} workers), "
                     f"Rasa {', '.join(node.rasa_urls)}")
    if role in ("all", "front"):
        lines.append(f"  public origin http://{listen}/ (chat widget, /operator, /api)")
    lines.append(f"  logs in {logs}/; Ctrl-C stops everything")
    return "\n".join(lines)
