"""The service over HTTP against a real uvicorn process: every endpoint, the shipped examples
solved through it, malformed and oversize bodies, the token, the time cap, cancel."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.optimizer.service.conftest import (
    LONG_ROUTING,
    TOKEN,
    Server,
    body,
    example,
    wait_for,
)

KINDS = ["sourcing", "routing", "network", "plan"]


def assert_error(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """The response is the error object with this status and code (and no stack trace)."""
    assert response.status_code == status, response.text
    data = response.json()
    assert set(data) == {"code", "error", "problems"}, data
    assert data["code"] == code
    assert isinstance(data["error"], str) and data["error"]
    assert all(isinstance(p, str) for p in data["problems"])
    assert "Traceback" not in response.text
    return data


def test_health_and_docs_need_no_token(server: Server) -> None:
    health = httpx.get(f"{server.url}/health").json()
    assert health["status"] == "ok" and health["database"] == "ok"
    assert health["workers"] == 1 and isinstance(health["version"], str)
    assert {"queue", "running", "executor"} <= set(health)
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "/v1/{kind}/jobs" in spec["paths"] and "/v1/jobs/{job_id}/result" in spec["paths"]
    assert "swagger" in httpx.get(f"{server.url}/docs").text.lower()


def test_a_missing_or_wrong_token_is_refused(server: Server) -> None:
    for token in ("", "wrong"):
        with server.client(token=token) as client:
            response = client.get("/v1/jobs")
        assert_error(response, 401, 2)
        assert response.headers["www-authenticate"] == "Bearer"
    with server.client(token="wrong") as client:
        assert_error(client.post("/v1/sourcing/jobs", json=body("sourcing")), 401, 2)
    with server.client() as client:
        assert client.get("/v1/jobs").status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_schemas(server: Server, kind: str) -> None:
    with server.client() as client:
        schema = client.get(f"/v1/{kind}/schema").json()
        options = client.get(f"/v1/{kind}/options/schema").json()
    assert schema["type"] == "object" and schema["properties"]
    assert set(options["properties"]) >= set(body(kind)["options"])


def test_unknown_kind_job_path_and_method(server: Server) -> None:
    with server.client() as client:
        assert "trucking" in assert_error(client.get("/v1/trucking/schema"), 404, 2)["error"]
        assert_error(client.post("/v1/trucking/jobs", json=body("sourcing")), 404, 2)
        assert_error(client.get("/v1/jobs/0123456789abcdef"), 404, 2)
        assert_error(client.get("/v1/jobs/0123456789abcdef/result"), 404, 2)
        assert_error(client.delete("/v1/jobs/0123456789abcdef"), 404, 2)
        assert_error(client.get("/v1/nowhere"), 404, 2)
        assert_error(client.put("/v1/jobs/0123456789abcdef"), 405, 2)
        assert_error(client.get("/v1/jobs", params={"state": "sleeping"}), 400, 2)


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_examples_solve_through_the_service(server: Server, kind: str) -> None:
    with server.client() as client:
        created = client.post(f"/v1/{kind}/jobs", json=body(kind))
        assert created.status_code == 202, created.text
        job = created.json()
        assert job["state"] in ("queued", "running") and job["kind"] == kind
        assert created.headers["location"] == job["links"]["self"] == f"/v1/jobs/{job['id']}"
        job = wait_for(client, job["id"], {"done", "failed", "cancelled"}, seconds=180)
        assert job["state"] == "done", job
        assert job["exit_code"] == 0 and job["status"] in ("optimal", "feasible")
        assert job["objective"] is not None and job["summary"]
        assert job["started"] and job["finished"] and job["error"] is None
        # the solve ran in a worker process, not in the server
        _host, pid = job["worker"].rsplit(":", 1)
        assert int(pid) != server.pid
        result = client.get(job["links"]["result"])
        assert result.status_code == 200
        assert result.headers["x-optimizer-exit-code"] == "0"
        plan = result.json()
        assert isinstance(plan, dict) and plan
        report = client.get(job["links"]["report"])
        assert report.status_code == 200 and report.headers["content-type"].startswith(
            "text/html")
        assert "<html" in report.text.lower()
        listed = client.get("/v1/jobs", params={"state": "done", "kind": kind}).json()["jobs"]
        assert job["id"] in [j["id"] for j in listed]
        assert all(j["state"] == "done" and j["kind"] == kind for j in listed)


def test_the_sync_endpoint_answers_the_plan_json(server: Server) -> None:
    from optimizer.jobs import JobSpec, run_job

    with server.client() as client:
        response = client.post("/v1/sourcing/solve", json=body("sourcing"))
    assert response.status_code == 200, response.text
    assert response.headers["x-optimizer-status"] == "optimal"
    job_id = response.headers["x-optimizer-job-id"]
    here = run_job(JobSpec(kind="sourcing", instance=example("sourcing")))
    plan = response.json()
    # the plan JSON the CLI writes (the same library calls; only the solve's timing differs)
    assert plan.keys() == here.plan.keys()
    for key in ("cost", "allocations", "suppliers", "products"):
        assert plan[key] == here.plan[key]
    with server.client() as client:
        assert client.get(f"/v1/jobs/{job_id}/result").json() == plan


def test_malformed_json_and_a_body_of_the_wrong_shape(server: Server) -> None:
    with server.client() as client:
        post = client.post
        data = assert_error(post("/v1/routing/jobs", content=b'{"instance": {'), 400, 2)
        assert "malformed JSON" in data["problems"][0]
        assert_error(post("/v1/routing/jobs", content=b"\xff\xfe"), 400, 2)
        assert_error(post("/v1/routing/jobs", json=[1, 2]), 400, 2)
        data = assert_error(post("/v1/routing/jobs", json={"options": {}, "extra": 1}), 400, 2)
        assert any("'instance' is missing" in p for p in data["problems"])
        assert any("'extra'" in p for p in data["problems"])
        assert_error(post("/v1/routing/solve", content=b"not json"), 400, 2)
        deep = b'{"instance": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        assert_error(post("/v1/routing/jobs", content=deep), 400, 2)


def test_schema_problems_name_the_record_and_the_field(server: Server) -> None:
    request = body("routing")
    request["instance"]["stops"][1]["service_time"] = -5
    request["instance"]["stops"][2]["colour"] = "red"
    request["options"]["gap"] = 0.1
    with server.client() as client:
        data = assert_error(client.post("/v1/routing/jobs", json=request), 400, 2)
        jobs_after = client.get("/v1/jobs", params={"kind": "routing", "limit": 1000}).json()
    problems = data["problems"]
    assert any(p.startswith("instance: stops[1]: field 'service_time'") for p in problems)
    assert any(p.startswith("instance: stops[2]: field 'colour'") for p in problems)
    assert any(p.startswith("options: field 'gap'") for p in problems)
    assert all(j["options"].get("gap") is None for j in jobs_after["jobs"])  # nothing stored


def test_a_time_limit_over_the_cap_is_refused_and_an_unset_one_capped(server: Server) -> None:
    with server.client() as client:
        data = assert_error(client.post("/v1/routing/jobs", json=body(
            "routing", time_limit=1000)), 400, 2)
        assert "time_limit" in data["problems"][0] and "120" in data["problems"][0]
        job = client.post("/v1/sourcing/jobs", json=body("sourcing")).json()
        assert job["options"]["time_limit"] == 120
        # long polling: one request that answers when the job has ended
        waited = client.get(f"/v1/jobs/{job['id']}", params={"wait": 60})
        assert waited.status_code == 200 and waited.json()["state"] == "done"
        assert_error(client.get(f"/v1/jobs/{job['id']}", params={"wait": 1000}), 400, 2)


def test_an_oversize_body_is_refused_with_413(server: Server) -> None:
    big = json.dumps({"instance": {"name": "x" * (1024 * 1024)}}).encode()
    with server.client() as client:
        assert_error(client.post("/v1/routing/jobs", content=big), 413, 2)

        def chunks() -> Any:  # no Content-Length: the limit counts the bytes received
            for start in range(0, len(big), 64 * 1024):
                yield big[start:start + 64 * 1024]

        assert_error(client.post("/v1/routing/jobs", content=chunks()), 413, 2)
        assert client.get("/v1/jobs").status_code == 200  # the server is fine


def test_sync_cap_then_cancel_a_queued_and_a_running_job(server: Server) -> None:
    with server.client() as client:
        # longer than the 8 s sync cap: 202 and where to poll; the job keeps running
        slow = client.post("/v1/routing/solve", json=body("routing", **LONG_ROUTING))
        assert slow.status_code == 202, slow.text
        running = slow.json()
        assert running["state"] == "running"
        assert slow.headers["location"] == f"/v1/jobs/{running['id']}"
        # it reports progress while it runs
        wait_for(client, running["id"], {"running"}, seconds=30,
                 check=lambda job: job["progress"] is not None)
        queued = client.post("/v1/sourcing/jobs", json=body("sourcing")).json()
        assert client.get(f"/v1/jobs/{queued['id']}").json()["state"] == "queued"
        assert_error(client.get(f"/v1/jobs/{queued['id']}/result"), 409, 2)
        assert_error(client.get(f"/v1/jobs/{queued['id']}/report"), 409, 2)

        gone = client.delete(f"/v1/jobs/{queued['id']}")
        assert gone.status_code == 200 and gone.json()["state"] == "cancelled"
        assert gone.json()["exit_code"] == 130
        stopping = client.delete(f"/v1/jobs/{running['id']}")
        assert stopping.status_code == 202 and stopping.json()["cancel_requested"]
        job = wait_for(client, running["id"], {"cancelled", "failed", "done"}, seconds=30)
        assert job["state"] == "cancelled", job
        assert job["error"]["code"] == 130 and job["exit_code"] == 130
        assert_error(client.get(f"/v1/jobs/{running['id']}/result"), 409, 130)
        assert_error(client.delete(f"/v1/jobs/{running['id']}"), 409, 2)
        # the worker is free again: the next job runs
        after = client.post("/v1/sourcing/jobs", json=body("sourcing")).json()
        assert wait_for(client, after["id"], {"done", "failed"})["state"] == "done"
        assert client.get(f"/v1/jobs/{queued['id']}").json()["started"] is None


def test_the_token_is_needed_to_bind_beyond_loopback(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPTIMIZER_TOKEN"}
    env["OPTIMIZER_SERVICE_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "optimizer", "serve", "--host", "0.0.0.0",
                           "--port", "1"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "OPTIMIZER_TOKEN" in done.stderr
    assert TOKEN not in done.stderr


def test_an_infeasible_instance_is_an_outcome_not_an_error(server: Server) -> None:
    from tests.optimizer.service.conftest import INSTANCES

    instance = json.loads((INSTANCES / "sourcing" / "infeasible.json").read_text())
    with server.client() as client:
        response = client.post("/v1/sourcing/solve", json={"instance": instance})
        assert response.status_code == 200, response.text
        assert response.headers["x-optimizer-exit-code"] == "3"
        assert response.headers["x-optimizer-status"] == "infeasible"
        job = client.get(f"/v1/jobs/{response.headers['x-optimizer-job-id']}").json()
    assert job["state"] == "done" and job["exit_code"] == 3 and job["error"] is None
    assert response.json()["infeasibility"]


@pytest.mark.parametrize(("kind", "options", "field"), [
    ("routing", {"metaheuristic": "foo"}, "metaheuristic"),
    ("routing", {"first_solution": "bar"}, "first_solution"),
    ("routing", {"engine": "fast"}, "engine"),
    ("routing", {"workers": 100000}, "workers"),
    ("sourcing", {"time_limit": True}, "time_limit"),
    ("sourcing", {"marginals": "yes"}, "marginals"),
    ("sourcing", {"threads": "2"}, "threads"),
    ("plan", {"route_seconds": 1000}, "route_seconds"),
])
def test_option_values_are_checked_strictly_at_submission(server: Server, kind: str,
                                                          options: dict[str, Any],
                                                          field: str) -> None:
    """Values the solve would refuse, booleans or strings for numbers, a routing search
    longer than the time cap, more search processes than cores: 400 at once, naming the
    field (nothing is stored)."""
    with server.client() as client:
        before = len(client.get("/v1/jobs").json()["jobs"])
        data = assert_error(client.post(f"/v1/{kind}/jobs", json={
            "instance": example(kind), "options": options}), 400, 2)
        assert any(p.startswith(f"options: field '{field}'") for p in data["problems"]), data
        assert len(client.get("/v1/jobs").json()["jobs"]) == before


def test_query_parameters_kinds_and_allowed_methods(server: Server) -> None:
    with server.client() as client:
        assert "bogus" in assert_error(client.get("/v1/jobs", params={"kind": "bogus"}),
                                       400, 2)["problems"][0]
        for params in ({"kind": ""}, {"state": ""}, {"kind": "", "state": ""}):
            assert client.get("/v1/jobs", params=params).status_code == 200  # empty = any
        listed = client.get("/v1/jobs", params={"kind": "sourcing", "state": "done"})
        assert all(j["kind"] == "sourcing" and j["state"] == "done"
                   for j in listed.json()["jobs"])
        for method in ("GET", "POST"):  # an unknown kind is a 404 whatever the method
            assert "foo" in assert_error(client.request(method, "/v1/foo/jobs"), 404, 2)["error"]
        response = client.post("/v1/jobs/0123456789abcdef", json={})
        assert_error(response, 405, 2)
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert {"GET", "DELETE"} <= allowed and "POST" not in allowed
        response = client.get("/v1/sourcing/jobs")
        assert_error(response, 405, 2)
        assert response.headers["allow"] == "POST"


def test_the_openapi_document_describes_the_real_error_answers(server: Server) -> None:
    """Every error answer of the document is the error object (no FastAPI 422
    HTTPValidationError, which the service never sends); 409 only where it happens."""
    spec = httpx.get(f"{server.url}/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(spec)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) < 400 or path == "/health":  # /health's 503 is its own body
                    continue
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, \
                    (method, path, status)
    paths = spec["paths"]
    assert "409" not in paths["/v1/jobs"]["get"]["responses"]
    assert "409" not in paths["/v1/{kind}/jobs"]["post"]["responses"]
    assert "422" in paths["/v1/jobs/{job_id}/result"]["get"]["responses"]
    assert "422" in paths["/v1/{kind}/solve"]["post"]["responses"]
    assert "405" in paths["/v1/jobs/{job_id}"]["get"]["responses"]
