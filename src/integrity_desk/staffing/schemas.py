"""The staffing plan over HTTP: per queue its sources, its forecast's error, its summary, and
(unless ``hours=false``) every hour."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from integrity_desk.staffing.plan import Plan, QueuePlan


class ForecastOut(BaseModel):
    method: str
    holdout_weeks: int = Field(description="weeks held out to measure the error (0: none yet)")
    mape: float | None = Field(description="mean absolute percentage error of daily totals "
                                           "on the held-out weeks, as a share")
    bias: float | None = Field(description="(Σ forecast − Σ actual) ÷ Σ actual on them")
    holiday_ratio: float = Field(description="holiday volume ÷ an ordinary day's, as learnt")


class HourOut(BaseModel):
    at: datetime
    arrivals: float
    workload: float = Field(description="arrivals, closed hours' work carried to open hours")
    calendar_open: bool
    load_erlangs: float
    required: float = Field(description="people handling work (Erlang C)")
    required_on_shift: float = Field(description="required ÷ (1 − shrinkage)")
    scheduled: float = Field(description="people on shift for this queue")
    gap: float = Field(description="scheduled − required on shift; negative: people missing")
    occupancy: float | None
    expected_service_level: float | None


class QueuePlanOut(BaseModel):
    queue: str
    name: str
    team: str
    vendor: str
    aht_minutes: float
    aht_source: str
    target_minutes: float
    target_source: str
    service_level_target: float
    service_level_target_source: str
    unscheduled_people: int = Field(description="people of the team with no shift pattern, "
                                                "counted as on shift throughout")
    forecast: ForecastOut
    arrivals_per_week: float
    hours_short: int
    worst_gap: float
    expected_service_level: float | None
    mean_occupancy: float | None
    hours: list[HourOut] | None = Field(default=None,
                                       description="every hour; null when hours=false")


class PlanOut(BaseModel):
    start: datetime
    weeks: int
    shrinkage: float
    volume_factor: float
    aht_factor: float
    what_if: str
    queues: list[QueuePlanOut]


def queue_out(plan: Plan, q: QueuePlan, *, hours: bool) -> QueuePlanOut:
    f, a = q.queue, q.forecast.accuracy
    return QueuePlanOut(
        queue=f.slug, name=f.name, team=f.team, vendor=f.vendor,
        aht_minutes=f.aht_minutes * plan.what_if.aht, aht_source=f.aht_source,
        target_minutes=f.target_minutes, target_source=f.target_source,
        service_level_target=f.level, service_level_target_source=f.level_source,
        unscheduled_people=q.unscheduled_people,
        forecast=ForecastOut(method=q.forecast.method, holdout_weeks=a.weeks, mape=a.mape,
                             bias=a.bias, holiday_ratio=q.forecast.holiday_ratio),
        arrivals_per_week=sum(h.arrivals for h in q.hours) / plan.weeks,
        hours_short=q.short_hours, worst_gap=q.worst_gap,
        expected_service_level=q.expected_service_level, mean_occupancy=q.mean_occupancy,
        hours=[HourOut(at=h.at, arrivals=h.arrivals, workload=h.workload,
                       calendar_open=h.open, load_erlangs=h.load, required=h.required,
                       required_on_shift=h.required_on_shift, scheduled=h.scheduled,
                       gap=h.gap, occupancy=h.occupancy,
                       expected_service_level=h.service_level)
               for h in q.hours] if hours else None)


def plan_out(plan: Plan, *, hours: bool) -> PlanOut:
    return PlanOut(start=plan.start, weeks=plan.weeks, shrinkage=plan.shrinkage,
                   volume_factor=plan.what_if.volume, aht_factor=plan.what_if.aht,
                   what_if=plan.what_if.words,
                   queues=[queue_out(plan, q, hours=hours) for q in plan.queues])
