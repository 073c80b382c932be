"""Structural checks of deploy/: the Dockerfile, docker-compose.yml, the Collector config and the k8s manifests.

Nothing here builds an image or starts a container; the files are parsed and checked against each other and
against the real `finops` CLI parser, so a renamed command or option, a drifting password or a forgotten
manifest fails here rather than at deploy time.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from finops.cli import app

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
COLLECTOR_FILE = DEPLOY / "otel-collector.yaml"

FINOPS_COMPOSE_SERVICES = {"migrate", "finops", "worker"}
FINOPS_PORT = 4318


# --- helpers ---------------------------------------------------------------------------------------------------


def interpolate(value: str) -> str:
    """Resolve compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}` the way an empty environment would."""

    def replace(match: re.Match[str]) -> str:
        return match.group("default") or ""

    resolved = re.sub(r"(?<!\$)\$\{(?P<name>\w+)(?:(?::?-)(?P<default>[^}]*))?\}", replace, value)
    return resolved.replace("$$", "$")


def compose_env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: interpolate(str(value)) for key, value in env.items()}


def parse_cli(args: list[str]) -> tuple[str, dict]:
    """Parse `finops ARGS` with the real CLI (strictly: unknown commands, options or values raise)."""
    command, name, rest, ctx = typer.main.get_command(app), "finops", list(args), None
    while hasattr(command, "list_commands"):
        ctx = command.make_context(name, [], parent=ctx, resilient_parsing=True)
        assert rest, f"`finops {' '.join(args)}` names no subcommand"
        name, *rest = rest
        command = command.get_command(ctx, name)
        assert command is not None, f"`finops {' '.join(args)}`: no command {name!r}"
    leaf = command.make_context(name, rest, parent=ctx)
    return leaf.command_path, leaf.params


def assert_real_finops_command(args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, f"`finops {' '.join(args)} --help` failed:\n{result.output}"
    parse_cli(args)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with line continuations joined and comments dropped."""
    logical: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    assert not current, "Dockerfile ends inside a line continuation"
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in logical]


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (op, _) in enumerate(instructions) if op == "FROM"]
    return instructions[starts[-1] :]


def k8s_manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.y*ml") if p.name != "kustomization.yaml")


def k8s_documents() -> list[dict]:
    docs = []
    for path in k8s_manifest_files():
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def k8s_objects(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in k8s_documents() if doc["kind"] == kind}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def finops_k8s_containers() -> list[tuple[str, dict]]:
    found = []
    for doc in k8s_documents():
        if doc["kind"] in {"Deployment", "Job"}:
            for container in pod_spec(doc)["containers"]:
                if container["image"].split(":")[0].endswith("finops"):
                    found.append((f"{doc['kind']}/{doc['metadata']['name']}", container))
    return found


def container_cli_args(container: dict) -> list[str]:
    command = container.get("command")
    assert command in (None, ["finops"]), f"container {container['name']} overrides the entrypoint with {command}"
    return [str(arg) for arg in container.get("args", [])]


def python_c_code(test: list[str]) -> str:
    """The code of a `python -c CODE` healthcheck, exec or JSON form."""
    args = test[1:] if test[0] in {"CMD", "CMD-SHELL"} else test
    if len(args) == 1:
        args = shlex.split(args[0])
    assert args[0] in {"python", "python3"} and args[1] == "-c", args
    return args[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def collector() -> dict:
    return yaml.safe_load(COLLECTOR_FILE.read_text())


# --- the files parse -------------------------------------------------------------------------------------------


def test_every_yaml_file_parses():
    paths = [COMPOSE_FILE, COLLECTOR_FILE, *K8S.glob("*.y*ml")]
    assert len(paths) >= 5
    for path in paths:
        docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
        assert docs, f"{path} is empty"
        assert all(isinstance(doc, dict) for doc in docs), path


# --- Dockerfile ------------------------------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_on_python_slim():
    instructions = dockerfile_instructions()
    args = dict(arg.split("=", 1) for op, arg in instructions if op == "ARG" and "=" in arg)
    froms = [arg.split() for op, arg in instructions if op == "FROM"]
    assert len(froms) >= 2, "expected a build stage and a runtime stage"
    images = [re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), parts[0]) for parts in froms]
    assert all(image == "python:3.11-slim" for image in images), images
    build_stage = froms[0][-1]
    uses_build = re.compile(rf"(--from|\bfrom)={re.escape(build_stage)}\b")  # COPY --from= or RUN --mount=...,from=
    assert any(uses_build.search(arg) for _, arg in final_stage(instructions)), "the runtime never uses the build"


def test_dockerfile_builds_a_wheel_and_installs_it_into_a_venv():
    instructions = dockerfile_instructions()
    runs = " ".join(arg for op, arg in instructions if op == "RUN")
    assert "pip wheel" in runs
    final_runs = " ".join(arg for op, arg in final_stage(instructions) if op == "RUN")
    assert "python -m venv" in final_runs and "pip install" in final_runs
    copied = {src for op, arg in instructions if op == "COPY" for src in arg.split()[:-1] if not src.startswith("--")}
    assert {"pyproject.toml", "README.md", "finops/", "migrations/"} <= copied
    for src in copied:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"


def test_dockerfile_runs_as_non_root_and_exposes_4318_with_a_healthcheck():
    runtime = final_stage(dockerfile_instructions())
    users = [arg for op, arg in runtime if op == "USER"]
    assert users, "the runtime stage has no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit(), "a numeric USER lets Kubernetes verify runAsNonRoot"

    exposed = {port.split("/")[0] for op, arg in runtime if op == "EXPOSE" for port in arg.split()}
    assert str(FINOPS_PORT) in exposed

    healthchecks = [arg for op, arg in runtime if op == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    check = healthchecks[0]
    exec_form = json.loads(check[check.index("CMD") + len("CMD") :].strip())
    code = python_c_code(exec_form)
    compile(code, "<healthcheck>", "exec")
    assert "urllib" in code and "/healthz" in code


def test_dockerfile_entrypoint_and_default_command():
    runtime = final_stage(dockerfile_instructions())
    entrypoints = [json.loads(arg) for op, arg in runtime if op == "ENTRYPOINT"]
    assert entrypoints == [["finops"]]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^finops = "finops\.cli:main"$', pyproject, re.M), "the `finops` script is not installed"
    cmds = [json.loads(arg) for op, arg in runtime if op == "CMD"]
    assert cmds == [["serve", "--host", "0.0.0.0"]]
    assert_real_finops_command(cmds[0])


# --- docker compose --------------------------------------------------------------------------------------------


def finops_services(compose: dict) -> dict[str, dict]:
    return {
        name: svc
        for name, svc in compose["services"].items()
        if "build" in svc or str(svc.get("image", "")).startswith("finops")
    }


def test_compose_has_the_expected_services(compose):
    assert set(compose["services"]) >= {"postgres", "grafana", "otel-collector", *FINOPS_COMPOSE_SERVICES}
    assert set(finops_services(compose)) == FINOPS_COMPOSE_SERVICES
    assert compose["services"]["postgres"]["image"].startswith("postgres:16")
    assert compose["services"]["grafana"]["image"].startswith("grafana/grafana-oss")
    assert compose["services"]["otel-collector"]["image"].startswith("otel/opentelemetry-collector-contrib")


def test_compose_finops_services_share_image_build_and_environment(compose):
    services = finops_services(compose)
    images = {interpolate(svc["image"]) for svc in services.values()}
    assert len(images) == 1, images
    builds = [svc.get("build") for svc in services.values()]
    assert all(build == builds[0] for build in builds), builds
    build = builds[0]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
    envs = [compose_env(svc) for svc in services.values()]
    assert all(env == envs[0] for env in envs), "finops services have different environments"
    assert "FINOPS_DATABASE_URL" in envs[0]


def test_compose_database_url_matches_the_postgres_service(compose):
    pg_env = compose_env(compose["services"]["postgres"])
    for name, svc in finops_services(compose).items():
        url = make_url(compose_env(svc)["FINOPS_DATABASE_URL"])
        assert url.drivername == "postgresql+psycopg", name
        assert url.host == "postgres" and (url.port or 5432) == 5432, name
        assert url.username == pg_env["POSTGRES_USER"], name
        assert url.password == pg_env["POSTGRES_PASSWORD"], name
        assert url.database == pg_env["POSTGRES_DB"], name


def test_compose_grafana_database_settings_match_postgres(compose):
    pg_env = compose_env(compose["services"]["postgres"])
    grafana = compose["services"]["grafana"]
    env = compose_env(grafana)
    host, _, port = env["FINOPS_DB_HOST"].partition(":")
    assert host == "postgres" and port in {"", "5432"}
    assert env["FINOPS_DB_NAME"] == pg_env["POSTGRES_DB"]
    assert env["FINOPS_DB_USER"] == pg_env["POSTGRES_USER"]
    assert env["FINOPS_DB_PASSWORD"] == pg_env["POSTGRES_PASSWORD"]
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in grafana["volumes"]}
    assert mounts["../dashboards/provisioning"] == "/etc/grafana/provisioning"
    assert mounts["../dashboards"] == "/var/lib/grafana/dashboards"
    assert (DEPLOY / "../dashboards").is_dir()
    # Every ${FINOPS_DB_*} the provisioned datasource reads is set on the grafana service.
    provisioning = DEPLOY / "../dashboards/provisioning"
    used = {m for p in provisioning.rglob("*.y*ml") for m in re.findall(r"\$\{(FINOPS_\w+)\}", p.read_text())}
    assert used <= set(env), f"grafana's provisioning reads {sorted(used - set(env))}, which compose does not set"


def test_compose_startup_order_and_healthchecks(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("finops", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    # The image's HEALTHCHECK (an HTTP probe) would mark the one-shot and the worker unhealthy: they switch it off.
    for name in ("migrate", "worker"):
        assert services[name]["healthcheck"] == {"disable": True}, name
    code = python_c_code(services["finops"]["healthcheck"]["test"])
    compile(code, "<healthcheck>", "exec")
    assert "/readyz" in code and f":{FINOPS_PORT}/" in code


def test_compose_commands_are_real_finops_commands(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["finops"]["command"] == ["serve", "--host", "0.0.0.0", "--no-scheduler"]
    assert services["worker"]["command"] == ["worker"]
    for svc in finops_services(compose).values():
        assert_real_finops_command(svc["command"])
    _, params = parse_cli(services["finops"]["command"])
    assert params["scheduler"] is False and params["host"] == "0.0.0.0"


def published_ports(service: dict) -> dict[int, int]:
    """container port -> host port."""
    ports = {}
    for entry in service.get("ports", []):
        parts = interpolate(str(entry)).split(":")
        ports[int(parts[-1].split("/")[0])] = int(parts[-2])
    return ports


def test_compose_agents_reach_the_collector_not_finops(compose):
    services = compose["services"]
    collector_ports = published_ports(services["otel-collector"])
    assert collector_ports.get(4317) == 4317 and collector_ports.get(4318) == 4318
    finops_ports = published_ports(services["finops"])
    assert finops_ports.get(FINOPS_PORT) not in {None, 4317, 4318}, "finops must not take the Collector's host port"
    for name in ("migrate", "worker"):
        assert not services[name].get("ports"), name
    mounts = {v.split(":")[0]: v.split(":")[1] for v in services["otel-collector"]["volumes"]}
    assert (DEPLOY / "otel-collector.yaml").samefile(DEPLOY / next(k for k in mounts if "otel-collector" in k))
    config_path = mounts["./otel-collector.yaml"]
    command = services["otel-collector"].get("command", [])
    assert config_path == "/etc/otelcol-contrib/config.yaml" or f"--config={config_path}" in command
    assert "FINOPS_API_KEY" in services["otel-collector"]["environment"]


# --- the Collector ---------------------------------------------------------------------------------------------


def test_collector_receives_otlp_on_4317_and_4318(collector):
    protocols = collector["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")


def test_collector_batches_and_limits_memory(collector):
    processors = collector["processors"]
    assert "memory_limiter" in processors
    assert processors["batch"]["send_batch_size"] == 512
    assert processors["batch"]["timeout"] == "2s"
    traces = collector["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    assert traces["processors"][0] == "memory_limiter", "memory_limiter must come first"
    assert "batch" in traces["processors"]


def test_collector_exports_to_finops_with_the_api_key_and_retries(collector, compose):
    traces = collector["service"]["pipelines"]["traces"]
    (name,) = traces["exporters"]
    assert name.split("/")[0] == "otlphttp"
    exporter = collector["exporters"][name]
    endpoint = urlsplit(exporter["endpoint"])
    assert endpoint.hostname == "finops" and endpoint.port == FINOPS_PORT
    assert endpoint.hostname in compose["services"], "compose has no service the Collector can reach"
    assert endpoint.hostname in k8s_objects("Service"), "k8s has no Service the Collector can reach"
    assert exporter["headers"]["x-finops-api-key"] == "${env:FINOPS_API_KEY}"
    retry = exporter["retry_on_failure"]
    assert retry["enabled"] is True
    assert {"initial_interval", "max_interval", "max_elapsed_time"} <= set(retry)
    queue = exporter["sending_queue"]
    assert queue["enabled"] is True and queue["queue_size"] > 0


def test_collector_pipeline_components_are_all_defined(collector):
    for pipeline in collector["service"]["pipelines"].values():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in collector[section], f"{section}: {component} is used but not configured"
    for extension in collector["service"].get("extensions", []):
        assert extension in collector["extensions"]


# --- Kubernetes ------------------------------------------------------------------------------------------------


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed))
    assert set(listed) == {path.name for path in k8s_manifest_files()}
    image_names = {image["name"] for image in kustomization.get("images", [])}
    assert {container["image"].split(":")[0] for _, container in finops_k8s_containers()} <= image_names


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomization_renders():
    result = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    kinds = [doc["kind"] for doc in yaml.safe_load_all(result.stdout) if doc]
    assert kinds.count("Deployment") == 3


def test_k8s_manifests_are_well_formed():
    docs = k8s_documents()
    kinds = {doc["kind"] for doc in docs}
    assert {"Namespace", "ConfigMap", "Secret", "Job", "Deployment", "Service"} <= kinds
    for doc in docs:
        assert doc.get("apiVersion") and doc.get("metadata", {}).get("name"), doc
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == "finops", doc["metadata"]["name"]
        if doc["kind"] in {"Deployment", "Job"} and "selector" in doc["spec"]:
            labels = doc["spec"]["template"]["metadata"]["labels"]
            assert doc["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_k8s_finops_containers_share_one_image_and_run_real_commands():
    containers = finops_k8s_containers()
    assert {where for where, _ in containers} == {
        "Deployment/finops-api",
        "Deployment/finops-worker",
        "Job/finops-migrate",
    }
    assert len({container["image"] for _, container in containers}) == 1
    by_workload = {where: container_cli_args(container) for where, container in containers}
    assert by_workload["Deployment/finops-api"] == ["serve", "--host", "0.0.0.0", "--no-scheduler"]
    assert by_workload["Deployment/finops-worker"] == ["worker"]
    assert by_workload["Job/finops-migrate"] == ["migrate"]
    for args in by_workload.values():
        assert_real_finops_command(args)


def test_k8s_config_and_secrets():
    configmap = k8s_objects("ConfigMap")["finops-config"]["data"]
    secret = k8s_objects("Secret")["finops-secrets"]["stringData"]
    assert {"FINOPS_DATABASE_URL", "FINOPS_ADMIN_TOKEN"} <= set(secret)
    assert not any(re.search(r"DATABASE_URL|TOKEN|PASSWORD|SECRET|API_KEY", key) for key in configmap), configmap
    assert configmap["FINOPS_PORT"] == str(FINOPS_PORT)
    assert make_url(secret["FINOPS_DATABASE_URL"]).drivername == "postgresql+psycopg"
    assert all(isinstance(value, str) for value in configmap.values()), "ConfigMap values must be strings"
    for where, container in finops_k8s_containers():
        refs = {next(iter(ref)): next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert refs == {"configMapRef": "finops-config", "secretRef": "finops-secrets"}, where


def http_probe(container: dict, probe: str) -> tuple[str, int]:
    get = container[probe]["httpGet"]
    port = get["port"]
    if isinstance(port, str):
        port = next(p["containerPort"] for p in container["ports"] if p["name"] == port)
    return get["path"], port


def test_k8s_api_deployment():
    api = k8s_objects("Deployment")["finops-api"]
    assert api["spec"]["replicas"] == 2
    (container,) = pod_spec(api)["containers"]
    assert http_probe(container, "readinessProbe") == ("/readyz", FINOPS_PORT)
    assert http_probe(container, "livenessProbe") == ("/healthz", FINOPS_PORT)
    assert {p["containerPort"] for p in container["ports"]} == {FINOPS_PORT}


def test_k8s_worker_deployment_runs_one_scheduler_and_says_why_more_are_safe():
    worker = k8s_objects("Deployment")["finops-worker"]
    assert worker["spec"]["replicas"] == 1
    comments = " ".join(line.lstrip("# ") for line in (K8S / "worker-deployment.yaml").read_text().splitlines())
    assert "advisory lock" in comments and "safe" in comments


def test_k8s_deployments_have_resources_and_run_as_non_root():
    workloads = {**k8s_objects("Deployment"), **k8s_objects("Job")}
    assert set(k8s_objects("Deployment")) == {"finops-api", "finops-worker", "otel-collector"}
    for name, workload in workloads.items():
        spec = pod_spec(workload)
        for container in spec["containers"]:
            requests = container.get("resources", {}).get("requests", {})
            assert {"cpu", "memory"} <= set(requests), f"{name}/{container['name']}: no resource requests"
            assert "memory" in container["resources"].get("limits", {}), f"{name}/{container['name']}: no limit"
            non_root = container.get("securityContext", {}).get(
                "runAsNonRoot", spec.get("securityContext", {}).get("runAsNonRoot")
            )
            assert non_root is True, f"{name}/{container['name']} may run as root"
            assert container.get("securityContext", {}).get("allowPrivilegeEscalation") is False, name


def test_k8s_finops_service_targets_the_api_on_4318():
    service = k8s_objects("Service")["finops"]
    api_labels = k8s_objects("Deployment")["finops-api"]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= api_labels.items()
    (port,) = service["spec"]["ports"]
    assert port["port"] == FINOPS_PORT and port["targetPort"] in {"http", FINOPS_PORT}


def test_k8s_collector_uses_the_same_config_and_is_reachable_on_4317_and_4318(collector):
    configmap = k8s_objects("ConfigMap")["otel-collector-config"]
    assert yaml.safe_load(configmap["data"]["config.yaml"]) == collector, "k8s and compose Collector configs differ"
    deployment = k8s_objects("Deployment")["otel-collector"]
    (container,) = pod_spec(deployment)["containers"]
    env = {item["name"]: item for item in container.get("env", [])}
    assert env["FINOPS_API_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "FINOPS_API_KEY"
    secret_name = env["FINOPS_API_KEY"]["valueFrom"]["secretKeyRef"]["name"]
    assert "FINOPS_API_KEY" in k8s_objects("Secret")[secret_name]["stringData"]
    mounted = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    config_volume = next(
        name for name, v in volumes.items() if v.get("configMap", {}).get("name") == configmap["metadata"]["name"]
    )
    assert f"--config={mounted[config_volume]}/config.yaml" in container["args"]
    service = k8s_objects("Service")["otel-collector"]
    assert {p["port"] for p in service["spec"]["ports"]} == {4317, 4318}
