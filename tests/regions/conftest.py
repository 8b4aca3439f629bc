"""A region of organisers with activity of known size, built through the factories."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from college import timeutil
from college.accounts.models import Kind
from college.enrolment.models import EnrolmentStatus
from college.extensions import db
from college.regions import residence, services


@pytest.fixture()
def region_of(make):
    """region_of(sizes): a region whose members have one edition each (forty days ago), with
    that many caregivers enrolled, every fifth of them completed; its regional coordinator."""

    def build(sizes: list[int], name: str = "Eerstelijnszone Leiestreek") -> SimpleNamespace:
        world = SimpleNamespace(members=[], coordinators=[])
        world.region = services.create_region(name, f"zone-{next(_slugs)}")
        started = timeutil.today() - timedelta(days=40)
        for index, size in enumerate(sizes):
            organiser = make.organiser(name=f"{name} lid {index + 1}")
            services.add_member(world.region, organiser)
            world.members.append(organiser)
            world.coordinators.append(make.coordinator(organiser))
            edition = make.edition(make.course(organiser), starts_on=started, capacity=20)
            for i in range(size):
                learner = make.learner(kind=Kind.CAREGIVER if i % 3 else Kind.PROFESSIONAL)
                completed = i % 5 == 0
                make.enrolment(learner, edition, status=EnrolmentStatus.COMPLETED if completed
                               else EnrolmentStatus.ENROLLED,
                               completed_at=timeutil.now() if completed else None)
        world.regional = make.user(kind=None, roles=())
        services.add_regional_coordinator(world.region, world.regional)
        db.session.commit()
        return world

    return build


_slugs = iter(range(1, 10_000))

#: Three municipalities of the installation's list, one without a population.
LIST = """nis_code;name;postcodes;population
44083;Deinze;9800 9810;44500
44081;Zulte;9870;16000
46021;Sint-Niklaas;9100;
"""


@pytest.fixture()
def towns():
    """The list imported; its municipalities by name."""
    residence.import_municipalities(LIST)
    db.session.commit()
    return {m.name: m for m in residence.municipalities()}
