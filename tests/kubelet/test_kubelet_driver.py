"""The Kubelet driver with the real Store, the real Runtime (bubblewrap or plain) and real probes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubelet_helpers import (
    BUSYBOX,
    PODS,
    container_status,
    events,
    eventually,
    find_event,
    node,
    pod_status,
    run,
)

from podlab import kube_version

Obj = dict[str, Any]


def busybox_pod(name: str, script: str, *, grace: int = 2, **container: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"test": "liveness"}},
        "spec": {
            "terminationGracePeriodSeconds": grace,
            "containers": [
                {"name": name.split("-")[0], "image": BUSYBOX, "args": ["/bin/sh", "-c", script], **container}
            ],
        },
    }


def test_exec_liveness_probe_restarts_the_container(tmp_path: Path) -> None:
    """Docs exec-liveness.yaml with periods shrunk to 1 s: the file vanishes, liveness kills."""

    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod(
                "liveness-exec",
                "touch /tmp/healthy; sleep 2; rm -f /tmp/healthy; sleep 600",
                livenessProbe={
                    "exec": {"command": ["cat", "/tmp/healthy"]},
                    "periodSeconds": 1,
                    "failureThreshold": 2,
                },
            )
            store.create(PODS, pod)
            scheduled = await eventually(
                lambda: find_event(store, "liveness-exec", "Scheduled"), 5, "Scheduled"
            )
            assert scheduled["message"] == "Successfully assigned default/liveness-exec to podlab"
            assert scheduled["source"]["component"] == "default-scheduler"
            await eventually(
                lambda: container_status(store, "liveness-exec").get("restartCount") == 1,
                20,
                "restartCount 1",
            )
            cs = container_status(store, "liveness-exec")
            last = cs["lastState"]["terminated"]
            # sh is PID 1 in the sandbox and ignores SIGTERM: SIGKILL after the 2 s grace.
            assert last["exitCode"] in (137, 143) and last["reason"] == "Error"
            assert (
                last["containerID"].startswith("containerd://") and last["containerID"] != cs["containerID"]
            )
            assert "running" in cs["state"]
            unhealthy = find_event(store, "liveness-exec", "Unhealthy")
            killing = find_event(store, "liveness-exec", "Killing")
            assert unhealthy is not None and killing is not None
            assert unhealthy["type"] == "Warning"
            assert unhealthy["message"].rstrip("\n") == (
                "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
            )
            assert unhealthy["count"] >= 2
            assert unhealthy["involvedObject"]["fieldPath"] == "spec.containers{liveness}"
            assert killing["message"] == "Container liveness failed liveness probe, will be restarted"
            assert killing["type"] == "Normal" and killing["source"] == {
                "component": "kubelet",
                "host": "podlab",
            }
            reasons = [
                e["reason"] for e in sorted(events(store, "liveness-exec"), key=lambda e: e["firstTimestamp"])
            ]
            assert reasons[:4] == ["Scheduled", "Pulled", "Created", "Started"]
            messages = {e["reason"]: e["message"] for e in events(store, "liveness-exec")}
            assert messages["Pulled"] == f'Container image "{BUSYBOX}" already present on machine'
            assert messages["Created"] == "Created container: liveness"
            assert messages["Started"] == "Started container liveness"

    run(scenario())


def test_crashing_container_goes_to_crash_loop_backoff(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            created = store.create(PODS, busybox_pod("crash-pod", "echo bye; exit 3"))
            uid = created["metadata"]["uid"]

            def in_backoff() -> Obj | None:
                cs = container_status(store, "crash-pod")
                waiting = cs.get("state", {}).get("waiting", {})
                return cs if waiting.get("reason") == "CrashLoopBackOff" else None

            cs = await eventually(in_backoff, 10, "CrashLoopBackOff")
            assert cs["restartCount"] == 1  # the first restart is immediate
            assert cs["state"]["waiting"]["message"] == (
                f"back-off 10s restarting failed container=crash pod=crash-pod_default({uid})"
            )
            assert cs["lastState"]["terminated"]["exitCode"] == 3
            assert cs["lastState"]["terminated"]["reason"] == "Error"
            assert cs["ready"] is False
            status = pod_status(store, "crash-pod")
            assert status["phase"] == "Running"
            ready = next(c for c in status["conditions"] if c["type"] == "Ready")
            assert (ready["status"], ready["reason"]) == ("False", "ContainersNotReady")
            backoff = await eventually(lambda: find_event(store, "crash-pod", "BackOff"), 5, "BackOff event")
            assert backoff["type"] == "Warning"
            assert (
                backoff["message"]
                == f"Back-off restarting failed container crash in pod crash-pod_default({uid})"
            )

    run(scenario())


def test_never_policy_fails_the_pod_without_restart(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod("never-pod", "exit 1")
            pod["spec"]["restartPolicy"] = "Never"
            store.create(PODS, pod)
            status = await eventually(
                lambda: (s := pod_status(store, "never-pod")).get("phase") == "Failed" and s,
                10,
                "phase Failed",
            )
            cs = status["containerStatuses"][0]
            assert cs["state"]["terminated"]["exitCode"] == 1 and cs["restartCount"] == 0

    run(scenario())


def test_missing_configmap_keeps_container_creating_until_it_exists(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod(
                "mount-pod",
                "cat /etc/cfg/greeting; sleep 600",
                volumeMounts=[{"name": "cfg", "mountPath": "/etc/cfg", "readOnly": True}],
            )
            pod["spec"]["volumes"] = [{"name": "cfg", "configMap": {"name": "greetings"}}]
            store.create(PODS, pod)
            failed = await eventually(lambda: find_event(store, "mount-pod", "FailedMount"), 5, "FailedMount")
            assert (
                failed["message"]
                == 'MountVolume.SetUp failed for volume "cfg" : configmap "greetings" not found'
            )
            assert failed["type"] == "Warning" and "fieldPath" not in failed["involvedObject"]
            cs = container_status(store, "mount-pod")
            assert cs["state"] == {"waiting": {"reason": "ContainerCreating"}}
            sandbox = next(
                c
                for c in pod_status(store, "mount-pod")["conditions"]
                if c["type"] == "PodReadyToStartContainers"
            )
            assert sandbox["status"] == "False"
            store.create(
                ("", "configmaps"),
                {"metadata": {"name": "greetings", "namespace": "default"}, "data": {"greeting": "hi"}},
            )
            await eventually(
                lambda: "running" in container_status(store, "mount-pod").get("state", {}), 5, "running"
            )

    run(scenario())


def test_missing_env_configmap_is_create_container_config_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod(
                "env-pod",
                "sleep 600",
                env=[{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}],
            )
            store.create(PODS, pod)
            cs = await eventually(
                lambda: (
                    (c := container_status(store, "env-pod"))
                    .get("state", {})
                    .get("waiting", {})
                    .get("reason")
                    == "CreateContainerConfigError"
                    and c
                ),
                5,
                "CreateContainerConfigError",
            )
            assert cs["state"]["waiting"]["message"] == 'configmap "settings" not found'
            failed = find_event(store, "env-pod", "Failed")
            assert failed is not None and failed["message"] == 'Error: configmap "settings" not found'

    run(scenario())


def test_start_error_reports_exit_code_128(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod("nocmd-pod", "")
            pod["spec"]["containers"][0]["command"] = ["/no/such/binary"]
            pod["spec"]["containers"][0].pop("args")
            store.create(PODS, pod)
            failed = await eventually(lambda: find_event(store, "nocmd-pod", "Failed"), 5, "Failed event")
            assert failed["message"].startswith("Error: failed to create containerd task: ")

            def terminated() -> Obj | None:
                cs = container_status(store, "nocmd-pod")
                return cs.get("lastState", {}).get("terminated") or cs.get("state", {}).get("terminated")

            term = await eventually(terminated, 5, "terminated StartError")
            assert (term["exitCode"], term["reason"]) == (128, "StartError")
            assert term["startedAt"] == "1970-01-01T00:00:00Z"

    run(scenario())


def test_graceful_deletion_stops_containers_then_removes_the_pod(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, kubelet):
            # Ready once the trap is in place: the shell is PID 1 of its namespace, and a SIGTERM
            # before `trap` would be ignored (as on a node), leaving the pod its whole grace.
            script = "trap 'exit 0' TERM; touch /tmp/trapped; while true; do sleep 0.1; done"
            gate = {"exec": {"command": ["cat", "/tmp/trapped"]}, "periodSeconds": 1}
            store.create(PODS, busybox_pod("del-pod", script, grace=10, readinessProbe=gate))
            await eventually(
                lambda: container_status(store, "del-pod").get("ready") is True, 10, "trap in place"
            )
            store.delete(PODS, "default", "del-pod")
            await eventually(lambda: not store.list(PODS)[0], 8, "pod removed from the store")
            killing = find_event(store, "del-pod", "Killing")
            assert killing is not None and killing["message"] == "Stopping container del"
            # The runner ends just after its pod left the store.
            await eventually(lambda: not kubelet.runners, 5, "the pod's runner gone")

    run(scenario())


def test_stop_stops_every_container(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, kubelet):
            store.create(PODS, busybox_pod("stop-pod", "sleep 600"))
            await eventually(
                lambda: "running" in container_status(store, "stop-pod").get("state", {}), 5, "running"
            )
            running = [rc for r in kubelet.runners.values() for rc in r.running.values()]
            assert running and all(rc.running for rc in running)
            node_obj = store.get(("", "nodes"), None, "podlab")
            ready = next(c for c in node_obj["status"]["conditions"] if c["type"] == "Ready")
            assert (ready["status"], ready["reason"], ready["message"]) == (
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
            )
            assert node_obj["metadata"]["labels"]["kubernetes.io/hostname"] == "podlab"
            assert node_obj["status"]["nodeInfo"]["kubeletVersion"] == kube_version.current().git_version
            await kubelet.stop()
            assert not any(rc.running for rc in running)

    run(scenario())


def test_readiness_turns_false_during_termination_and_liveness_stops(tmp_path: Path) -> None:
    """e2e #22/#23: readiness keeps probing after SIGTERM, liveness never kills during it."""

    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            script = (
                "trap 'rm -f /tmp/ready /tmp/liveness; sleep 4; exit 0' TERM; "
                "touch /tmp/ready /tmp/liveness; while true; do sleep 0.2; done"
            )
            pod = busybox_pod(
                "term-pod",
                script,
                grace=30,
                readinessProbe={
                    "exec": {"command": ["cat", "/tmp/ready"]},
                    "periodSeconds": 1,
                    "failureThreshold": 1,
                },
                livenessProbe={
                    "exec": {"command": ["cat", "/tmp/liveness"]},
                    "periodSeconds": 1,
                    "failureThreshold": 1,
                },
            )
            store.create(PODS, pod)
            await eventually(lambda: container_status(store, "term-pod").get("ready") is True, 10, "ready")
            store.delete(PODS, "default", "term-pod")
            await eventually(
                lambda: (
                    store.get(PODS, "default", "term-pod")["status"]["containerStatuses"][0]["ready"] is False
                ),
                5,
                "NotReady while terminating",
            )
            await eventually(lambda: not store.list(PODS)[0], 15, "pod gone")
            assert not any("failed liveness probe" in e["message"] for e in events(store, "term-pod"))

    run(scenario())


def test_http_readiness_probe_failure_and_downward_api_env(tmp_path: Path) -> None:
    """busybox httpd on $(POD_IP):8080; readiness on a missing path -> 404, never Ready."""

    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod(
                "web-pod",
                "mkdir -p /tmp/www && echo ok > /tmp/www/index.html && exec httpd -f -p $(POD_IP):8080 -h /tmp/www",
                env=[{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                readinessProbe={"httpGet": {"path": "/missing", "port": 8080}, "periodSeconds": 1},
                livenessProbe={
                    "httpGet": {"path": "/", "port": 8080},
                    "periodSeconds": 1,
                    "failureThreshold": 3,
                },
            )
            store.create(PODS, pod)

            # Probes may see "connection refused" before httpd listens; wait for the 404 verdict.
            def not_found() -> Obj | None:
                return next(
                    (e for e in events(store, "web-pod") if e["message"].endswith("statuscode: 404")), None
                )

            unhealthy = await eventually(not_found, 10, "Unhealthy 404")
            assert unhealthy["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 404"
            assert unhealthy["type"] == "Warning" and unhealthy["reason"] == "Unhealthy"
            status = pod_status(store, "web-pod")
            assert status["podIP"].startswith("127.244.")
            cs = status["containerStatuses"][0]
            assert (cs["ready"], cs["started"], cs["restartCount"]) == (False, True, 0)
            ready = next(c for c in status["conditions"] if c["type"] == "Ready")
            assert ready["message"] == "containers with unready status: [web]"
            assert find_event(store, "web-pod", "Killing") is None  # liveness on / answers 200

    run(scenario())


def test_startup_probe_gates_liveness_and_readiness(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod(
                "startup-pod",
                "sleep 1.5; touch /tmp/started; sleep 600",
                startupProbe={
                    "exec": {"command": ["cat", "/tmp/started"]},
                    "periodSeconds": 1,
                    "failureThreshold": 30,
                },
                livenessProbe={
                    "exec": {"command": ["cat", "/tmp/started"]},
                    "periodSeconds": 1,
                    "failureThreshold": 1,
                },
                readinessProbe={"exec": {"command": ["cat", "/tmp/started"]}, "periodSeconds": 30},
            )
            store.create(PODS, pod)
            await eventually(
                lambda: "running" in container_status(store, "startup-pod").get("state", {}), 5, "running"
            )
            assert container_status(store, "startup-pod")["started"] is False
            # Readiness runs right after startup succeeds (manual trigger), not 30 s later.
            await eventually(lambda: container_status(store, "startup-pod").get("ready") is True, 6, "ready")
            cs = container_status(store, "startup-pod")
            assert cs["started"] is True and cs["restartCount"] == 0
            messages = [e["message"] for e in events(store, "startup-pod") if e["reason"] == "Unhealthy"]
            assert messages and all(m.startswith("Startup probe failed: ") for m in messages)

    run(scenario())


def test_init_container_runs_to_completion_first(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod(
                "init-pod",
                "cat /work/ready && sleep 600",
                volumeMounts=[{"name": "work", "mountPath": "/work"}],
            )
            pod["spec"]["volumes"] = [{"name": "work", "emptyDir": {}}]
            pod["spec"]["initContainers"] = [
                {
                    "name": "setup",
                    "image": BUSYBOX,
                    "command": ["sh", "-c", "sleep 0.3; echo done > /work/ready"],
                    "volumeMounts": [{"name": "work", "mountPath": "/work"}],
                }
            ]
            store.create(PODS, pod)

            def initializing() -> bool:
                status = pod_status(store, "init-pod")
                init = status["initContainerStatuses"][0]
                main = status["containerStatuses"][0]
                return (
                    status["phase"] == "Pending"
                    and "running" in init["state"]
                    and main["state"] == {"waiting": {"reason": "PodInitializing"}}
                )

            await eventually(initializing, 5, "init container running, main PodInitializing")
            status = await eventually(
                lambda: (
                    (s := pod_status(store, "init-pod")).get("containerStatuses", [{}])[0].get("ready") and s
                ),
                10,
                "main container ready",
            )
            init = status["initContainerStatuses"][0]
            assert init["state"]["terminated"]["exitCode"] == 0 and init["ready"] is True
            assert status["containerStatuses"][0]["restartCount"] == 0
            started = [e for e in events(store, "init-pod") if e["reason"] == "Started"]
            assert {e["involvedObject"]["fieldPath"] for e in started} == {
                "spec.initContainers{setup}",
                "spec.containers{init}",
            }

    run(scenario())


def test_pre_stop_hook_runs_before_the_stop_signal(tmp_path: Path) -> None:
    host_dir = tmp_path / "hp"
    host_dir.mkdir()

    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            ok = busybox_pod(
                "hook-pod",
                "trap 'echo term >> /hp/order; exit 0' TERM; while true; do sleep 0.1; done",
                grace=10,
                volumeMounts=[{"name": "hp", "mountPath": "/hp"}],
                lifecycle={"preStop": {"exec": {"command": ["sh", "-c", "echo prestop >> /hp/order"]}}},
            )
            ok["spec"]["volumes"] = [{"name": "hp", "hostPath": {"path": str(host_dir)}}]
            bad = busybox_pod(
                "badhook-pod",
                "trap 'exit 0' TERM; while true; do sleep 0.1; done",
                grace=10,
                lifecycle={"preStop": {"exec": {"command": ["sh", "-c", "exit 7"]}}},
            )
            store.create(PODS, ok)
            store.create(PODS, bad)
            for name in ("hook-pod", "badhook-pod"):

                def is_running(n: str = name) -> bool:
                    return "running" in container_status(store, n).get("state", {})

                await eventually(is_running, 5, "running")
                store.delete(PODS, "default", name)
            await eventually(lambda: not store.list(PODS)[0], 10, "pods removed")
            assert (host_dir / "order").read_text().split() == ["prestop", "term"]
            failed = find_event(store, "badhook-pod", "FailedPreStopHook")
            assert failed is not None and failed["message"] == "PreStopHook failed"
            assert find_event(store, "hook-pod", "FailedPreStopHook") is None

    run(scenario())


def test_probe_grace_exec_timeout_and_never_policy(tmp_path: Path) -> None:
    """Three e2e cases on one node:
    - #9: an exec liveness probe that outlives timeoutSeconds is a failure and restarts;
    - #18: the probe-level terminationGracePeriodSeconds (here 2) wins over the pod's 500 s;
    - Never: the kill message has no ", will be restarted" and the pod ends Failed.
    """

    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            slow = busybox_pod(
                "slow-pod",
                "sleep 600",
                grace=500,
                livenessProbe={
                    "exec": {"command": ["/bin/sh", "-c", "sleep 10"]},
                    "timeoutSeconds": 1,
                    "periodSeconds": 1,
                    "failureThreshold": 1,
                    "terminationGracePeriodSeconds": 2,
                },
            )
            never = busybox_pod(
                "never-pod",
                "sleep 600",
                livenessProbe={"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 1},
            )
            never["spec"]["restartPolicy"] = "Never"
            store.create(PODS, slow)
            store.create(PODS, never)
            # sh ignores SIGTERM as PID 1: the restart within seconds proves the 2 s probe grace.
            await eventually(
                lambda: container_status(store, "slow-pod").get("restartCount") == 1, 12, "restart"
            )
            unhealthy = find_event(store, "slow-pod", "Unhealthy")
            assert unhealthy is not None and unhealthy["message"].startswith("Liveness probe failed: ")
            assert "timed out" in unhealthy["message"]
            status = await eventually(
                lambda: (s := pod_status(store, "never-pod")).get("phase") == "Failed" and s,
                10,
                "never-pod Failed",
            )
            assert status["containerStatuses"][0]["restartCount"] == 0
            killing = find_event(store, "never-pod", "Killing")
            assert killing is not None and killing["message"] == "Container never failed liveness probe"

    run(scenario())


def test_sidecar_starts_first_and_is_stopped_when_the_job_is_done(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            pod = busybox_pod("job-pod", "sleep 1.5; exit 0")
            pod["spec"]["restartPolicy"] = "OnFailure"
            pod["spec"]["initContainers"] = [
                {
                    "name": "proxy",
                    "image": BUSYBOX,
                    "restartPolicy": "Always",
                    "command": ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"],
                    "readinessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 1},
                }
            ]
            store.create(PODS, pod)

            def both_ready() -> Obj | None:
                status = pod_status(store, "job-pod")
                init, main = status["initContainerStatuses"][0], status["containerStatuses"][0]
                return status if init["ready"] and init["started"] and main["ready"] else None

            status = await eventually(both_ready, 8, "sidecar and app ready")
            assert status["phase"] == "Running"
            assert next(c for c in status["conditions"] if c["type"] == "Ready")["status"] == "True"
            final = await eventually(
                lambda: (s := pod_status(store, "job-pod")).get("phase") == "Succeeded" and s, 10, "Succeeded"
            )
            assert final["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
            assert "terminated" in final["initContainerStatuses"][0]["state"]
            stopping = find_event(store, "job-pod", "Killing")
            assert stopping is not None and stopping["message"] == "Stopping container proxy"
            assert stopping["involvedObject"]["fieldPath"] == "spec.initContainers{proxy}"

    run(scenario())


def test_foreign_pods_are_left_alone_and_force_delete_stops_containers(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, kubelet):
            elsewhere = busybox_pod("other-pod", "sleep 600")
            elsewhere["spec"]["nodeName"] = "some-other-node"
            custom = busybox_pod("custom-pod", "sleep 600")
            custom["spec"]["schedulerName"] = "my-scheduler"
            store.create(PODS, elsewhere)
            store.create(PODS, custom)
            store.create(PODS, busybox_pod("mine-pod", "sleep 600"))
            await eventually(
                lambda: "running" in container_status(store, "mine-pod").get("state", {}), 5, "running"
            )
            # Same loop, later: the other two were seen long ago and got nothing.
            assert pod_status(store, "other-pod") == {}
            assert "nodeName" not in store.get(PODS, "default", "custom-pod")["spec"]
            assert [r.pod["metadata"]["name"] for r in kubelet.runners.values()] == ["mine-pod"]
            running = [rc for r in kubelet.runners.values() for rc in r.running.values()]
            store.delete(PODS, "default", "mine-pod", grace_period_seconds=0)
            await eventually(lambda: not kubelet.runners, 8, "runner finished")
            assert not any(rc.running for rc in running)

    run(scenario())


def test_post_start_hook_runs_and_a_failing_one_kills_the_container(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            good = busybox_pod(
                "poststart-pod",
                "while [ ! -f /tmp/hooked ]; do sleep 0.1; done; sleep 600",
                readinessProbe={"exec": {"command": ["cat", "/tmp/hooked"]}, "periodSeconds": 1},
                lifecycle={"postStart": {"exec": {"command": ["sh", "-c", "echo hi > /tmp/hooked"]}}},
            )
            bad = busybox_pod(
                "badstart-pod",
                "trap 'exit 0' TERM; while true; do sleep 0.1; done",
                lifecycle={"postStart": {"exec": {"command": ["sh", "-c", "exit 3"]}}},
            )
            store.create(PODS, good)
            store.create(PODS, bad)
            await eventually(
                lambda: container_status(store, "poststart-pod").get("ready") is True, 8, "ready"
            )
            failed = await eventually(
                lambda: find_event(store, "badstart-pod", "FailedPostStartHook"), 8, "hook event"
            )
            uid = store.get(PODS, "default", "badstart-pod")["metadata"]["uid"]
            assert failed["type"] == "Warning"
            assert failed["message"] == (
                f'Exec lifecycle hook ([sh -c exit 3]) for Container "badstart" in Pod "badstart-pod_default({uid})" '
                "failed - error: command 'sh -c exit 3' exited with 3: , message: \"\""
            )
            killing = await eventually(lambda: find_event(store, "badstart-pod", "Killing"), 5, "Killing")
            assert killing["message"] == "FailedPostStartHook"
            await eventually(
                lambda: container_status(store, "badstart-pod").get("restartCount", 0) >= 1, 8, "restart"
            )

    run(scenario())


def test_unknown_image_goes_to_image_pull_backoff(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with node(tmp_path) as (store, _kubelet):
            image = "example.com/nope/app:1.0"
            store.create(
                PODS,
                {"metadata": {"name": "pull-pod"}, "spec": {"containers": [{"name": "app", "image": image}]}},
            )

            def backoff() -> Obj | None:
                waiting = container_status(store, "pull-pod").get("state", {}).get("waiting", {})
                return waiting if waiting.get("reason") == "ImagePullBackOff" else None

            waiting = await eventually(backoff, 5, "ImagePullBackOff")
            assert waiting["message"].startswith(f'Back-off pulling image "{image}": ErrImagePull: ')
            by_message = {e["message"]: e for e in events(store, "pull-pod")}
            assert by_message[f'Pulling image "{image}"']["reason"] == "Pulling"
            assert by_message["Error: ErrImagePull"]["reason"] == "Failed"
            assert any(m.startswith(f'Failed to pull image "{image}": ') for m in by_message)
            backoff_event = by_message[f'Back-off pulling image "{image}"']
            assert (backoff_event["reason"], backoff_event["type"]) == ("BackOff", "Normal")
            assert pod_status(store, "pull-pod")["phase"] == "Pending"

    run(scenario())
