"""EstimateService through a store outage: the owner's writes are retried, so an estimate
never stays pending or running (with every replay polling it) until its lease runs out."""

from __future__ import annotations

from typing import Any

import pytest

import engine.service
from engine.config import EngineSettings
from engine.errors import StoreUnavailable
from engine.service import EstimateService, LeaseKeeper, Submission
from engine.store import InMemoryEstimateStore

pytestmark = pytest.mark.unit


class FlakyStore(InMemoryEstimateStore):
    """The in-memory store whose start/finish fail `failures` times each. With
    `after=True` the write happens and only the reply is lost (Redis went away after
    running the script), the case that needs the writes to be idempotent."""

    def __init__(self, failures: int, *, after: bool) -> None:
        super().__init__()
        self.left = {"start": failures, "finish": failures}
        self.after = after

    def _flaky(self, name: str, call: Any) -> bool:
        if self.left[name] > 0:
            self.left[name] -= 1
            if self.after:
                call()
            raise StoreUnavailable()
        return bool(call())

    def start(self, estimate_id: str, token: str) -> bool:
        return self._flaky("start", lambda: super(FlakyStore, self).start(estimate_id, token))

    def finish(self, estimate_id: str, token: str, **outcome: Any) -> bool:
        return self._flaky(
            "finish", lambda: super(FlakyStore, self).finish(estimate_id, token, **outcome)
        )


@pytest.fixture(autouse=True)
def _quick_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.service, "compute", lambda submission, settings: {"ok": 1})


def submit(store: InMemoryEstimateStore, lease_seconds: float) -> tuple[str, list[float]]:
    slept: list[float] = []
    service = EstimateService(
        EngineSettings(lease_seconds=lease_seconds), store, sleep=slept.append
    )
    claim = store.claim("job-1", "fp")
    assert claim.token is not None
    service.run(claim.record.id, claim.token, Submission(bundle=b"", region="us-east-1"))
    return claim.record.id, slept


@pytest.mark.parametrize("after", [False, True], ids=["request-lost", "reply-lost"])
def test_the_outcome_is_stored_through_a_store_blip(after: bool) -> None:
    store = FlakyStore(3, after=after)
    estimate_id, slept = submit(store, lease_seconds=30)
    record = store.get(estimate_id)
    assert record is not None and record.status == "succeeded" and record.result == {"ok": 1}
    assert record.computed == 1  # the repeated start did not count the work twice
    assert len(slept) == 6 and slept[:3] == [0.05, 0.1, 0.2]


def test_an_outage_longer_than_the_budget_leaves_it_to_the_lease() -> None:
    store = FlakyStore(1000, after=False)
    with pytest.raises(StoreUnavailable):
        submit(store, lease_seconds=0.01)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_lease_keeper_renews_what_it_holds_and_nothing_else() -> None:
    clock = Clock()
    store = InMemoryEstimateStore(lease_seconds=30, clock=clock)
    keeper = LeaseKeeper(store, interval=10)
    held = store.claim("held", "fp")
    dropped = store.claim("dropped", "fp")
    assert held.token is not None and dropped.token is not None
    keeper.hold(held.record.id, held.token)
    clock.now += 25
    keeper.renew_all()
    clock.now += 20  # 45 s after the claims: only the renewed lease still holds
    assert not store.claim("held", "fp").created
    assert store.claim("dropped", "fp").created  # abandoned: taken over
    keeper.stop()


def test_the_lease_keeper_lets_go_of_finished_or_taken_over_estimates() -> None:
    store = InMemoryEstimateStore(lease_seconds=30)
    keeper = LeaseKeeper(store, interval=10)
    claim = store.claim("done", "fp")
    assert claim.token is not None
    keeper.hold(claim.record.id, claim.token)
    assert store.start(claim.record.id, claim.token)
    assert store.finish(claim.record.id, claim.token, result={})
    keeper.renew_all()
    assert keeper.held() == {}
    keeper.stop()


def test_run_holds_the_lease_only_while_it_works(monkeypatch: pytest.MonkeyPatch) -> None:
    store = InMemoryEstimateStore()
    service = EstimateService(EngineSettings(), store)
    seen: list[dict[str, str]] = []

    def compute(submission: Submission, settings: EngineSettings) -> dict[str, Any]:
        seen.append(service.leases.held())
        return {}

    monkeypatch.setattr(engine.service, "compute", compute)
    claim = store.claim("k", "fp")
    assert claim.token is not None
    service.run(claim.record.id, claim.token, Submission(bundle=b"", region="us-east-1"))
    assert seen == [{claim.record.id: claim.token}]
    assert service.leases.held() == {}
    service.shutdown()
