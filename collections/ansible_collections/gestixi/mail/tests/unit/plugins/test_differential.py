# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Differential property test: the controller's check and the host's converge agree.

For every generated description (description_strategies.descriptions(): valid and invalid,
hostile content, alias graphs around the host's Postfix limits, a share structurally wrong):
1. the controller (check_description) refuses it exactly when the host (gestixi_mail's
   converge on a fresh, empty store, no purge) refuses it;
2. a refused host run writes nothing: no store file, no Sieve script;
3. the same problems, normalized by normalized_problems() to (YAML path, message): every
   problem the host names is one the gate named, at the same path and in the same words; when
   the gate names one problem, the host names exactly it (the host stops at its first failing
   step, so with several problems it may name fewer);
4. the host never crashes: bad input is a problem, not an exception.

Budget: the CI profile runs a fixed, derandomized set of examples (reproducible); the long
profile (GESTIXI_HYPOTHESIS=long, `./run property`) runs 20,000 random ones.
GESTIXI_HYPOTHESIS_EXAMPLES=N overrides the number of examples of either profile.
"""
from __future__ import annotations

import collections
import os
import time

from hypothesis import HealthCheck, given, settings

from ansible_collections.gestixi.mail.plugins.module_utils._errors import InvalidItem
from ansible_collections.gestixi.mail.tests.unit.plugins import description_strategies as ds

PROFILE = os.environ.get("GESTIXI_HYPOTHESIS", "ci")
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.large_base_example]
settings.register_profile("gestixi-ci", max_examples=300, deadline=None, derandomize=True, database=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.register_profile("gestixi-long", max_examples=20000, deadline=None, derandomize=False,
                          suppress_health_check=_SLOW_OK, print_blob=True)
SETTINGS = settings(settings.get_profile("gestixi-long" if PROFILE == "long" else "gestixi-ci"),
                    **({"max_examples": int(os.environ["GESTIXI_HYPOTHESIS_EXAMPLES"])}
                       if os.environ.get("GESTIXI_HYPOTHESIS_EXAMPLES") else {}))


def describe(description, controller, host) -> str:
    return ("\ndescription: %r\ncontroller problems:\n  %s\nhost problems:\n  %s%s" % (
        description, "\n  ".join(str(p) for p in controller) or "(none: accepted)",
        "\n  ".join(str(p) for p in host.problems) or "(none: accepted)",
        "\nhost CRASHED: %r" % host.crash if host.crash else ""))


def test_controller_and_host_agree_on_every_description(capsys):
    stats: collections.Counter = collections.Counter()
    started = time.monotonic()

    @SETTINGS
    @given(ds.descriptions())
    def agree(description):
        stats["cases"] += 1
        controller = ds.controller_problems(description)
        host = ds.host_outcome(description)
        # The domain's own settings (rules/_dns.py, rules/_senders.py) are judged too.
        for name, keys in ds.SETTINGS.items():
            if ds.has_settings(description, keys):
                stats["with %s" % name] += 1
                if ds.settings_problem_paths(controller, keys):
                    stats["with %s, refused for them by the gate" % name] += 1
                if ds.settings_problem_paths(host.problems, keys):
                    stats["with %s, refused for them by the host" % name] += 1
        # (2) a refused run leaves nothing behind, whatever the controller thinks.
        assert not host.wrote_when_refused, "the host refused but wrote %s%s" % (
            host.wrote_when_refused, describe(description, controller, host))
        assert host.crash is None, "the host crashed instead of refusing%s" % describe(description, controller, host)
        # (1) the same verdict.
        assert bool(controller) == host.refused, "only the %s refuses this description%s" % (
            "controller" if controller else "host", describe(description, controller, host))
        if not controller:
            stats["valid on both sides"] += 1
            if host.answer is not None:
                # (4) a re-run is answered from the store's record, with the counts a full re-run gives.
                counts = host.result["counts"]
                assert host.answer.get("converged") is True and host.answer["counts"]["unchanged"] == (
                    counts["created"] + counts["updated"] + counts["unchanged"]), "the re-run is not answered " \
                    "from the store's record: %r%s" % (host.answer, describe(description, controller, host))
                stats["valid on both sides, re-run answered from the store's record"] += 1
            return
        stats["refused on both sides"] += 1
        if ds.sent_as_text(description):
            # The action plugin sends YAML dates as text (module arguments are JSON): a date
            # where no date belongs is "a date" to the gate and "the text ..." to the host.
            stats["refused on both sides, a YAML date sent as text (verdict only)"] += 1
            return
        # (3) the same problems: every problem the host names is one the gate named, at the same
        # path, in the same words. The host stops at its first failing step, so the gate may
        # name more; with one problem, both name exactly it.
        mine, theirs = ds.normalized_problems(controller), ds.normalized_problems(host.problems, description)
        missing = sorted(set(theirs) - set(mine))
        assert not missing, "the host names problems the gate does not:\n  %s%s" % (
            "\n  ".join(map(str, missing)), describe(description, controller, host))
        if len(mine) == 1:
            assert mine == theirs, "the gate and the host name different problems%s" % describe(
                description, controller, host)
        stats["refused on both sides, host problems named by the gate"] += 1

    try:
        agree()
    finally:
        with capsys.disabled():
            print("\ndifferential (profile %s): %d cases in %.1f s" % (PROFILE, stats.pop("cases", 0),
                                                                       time.monotonic() - started))
            for key, count in sorted(stats.items()):
                print("    %6d  %s" % (count, key))


# ---------------------------------------------------------------------------------------------
# normalized_problems itself

def test_normalized_problems_maps_both_sides_to_yaml_paths_of_the_task_option():
    description = [{"name": "example.org", "users": [{"login": "a"}, {"login": "b", "responders": [{"name": "r"}]}],
                    "aliases": [{"address": "x", "to": []}], "responders": [{"name": "d"}]},
                   {"name": "example.net", "aliases": [{"address": "y", "to": []}]}]
    controller = [InvalidItem("gestixi_mail_domains[1].aliases[0].address", None, "m1")]
    host = [InvalidItem("users of example.org: users[1] (b)", "login", "m2"),
            InvalidItem("aliases: aliases[1] (y@example.net)", "to[0]", "m3"),
            InvalidItem("automatic replies of example.org: responders[1] (d)", None, "m4"),
            InvalidItem("catch-alls: domains[1] (example.net)", "catchall", "m5"),
            InvalidItem("store", None, "m6")]
    assert ds.normalized_problems(controller) == [("domains[1].aliases[0].address", "m1")]
    assert ds.normalized_problems(host, description) == [
        ("domains[0].responders[0]", "m4"), ("domains[0].users[1].login", "m2"),
        ("domains[1].aliases[0].to[0]", "m3"), ("domains[1].catchall", "m5"), ("store", "m6")]
    # A host problem that carries the controller's path is taken as it is.
    with_path = InvalidItem("users of example.org: users[1] (b)", "login", "m2")
    with_path.path = "gestixi_mail_domains[0].users[1].login"
    assert ds.normalized_problems([with_path], description) == [("domains[0].users[1].login", "m2")]
