"""The console's calibration pages: a manager builds, opens and closes an exercise through its
forms, a member answers blind on theirs, and the results page reads each figure in words."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Browser, Person


def _post(browser: Browser, path: str, data: dict[str, object]) -> object:
    return browser.client.post(path, data={"csrf_token": browser.csrf, **data},
                               follow_redirects=False)


def _item_ids(html: str) -> list[str]:
    return re.findall(r'name="action-(\d+)"', html)


def test_build_answer_blind_close_and_read_the_results(
        client: TestClient, manager: Person, make_person: Callable[..., Person],
        sign_in: Callable[..., Browser]) -> None:
    ana, ben = make_person("agent"), make_person("specialist")
    lead = sign_in(manager)
    r = _post(lead, "/calibrations", {"title": "", "min_alpha": "0.5"})
    assert r.status_code == 422 and "Title" in r.text  # the field named, the form kept
    r = _post(lead, "/calibrations", {"title": "Spam or not", "min_alpha": "0.3",
                                      "min_agreement": "0.5", "certification": "spam-ready"})
    assert r.status_code == 303, r.text
    page = r.headers["location"]
    ex = page.rsplit("/", 1)[1]
    for n, action in enumerate(["remove_review", "keep", "remove_review"]):
        r = _post(lead, f"{page}/items", {"title": f"Item {n}", "text": f"Buy now {n}!",
                                          "reference_action": action,
                                          "reference_guideline": "advertising_spam"
                                          if action == "remove_review" else ""})
        assert r.status_code == 303, r.text
    r = _post(lead, f"{page}/items", {"case": "FLG-999999"})
    assert r.status_code == 404 and "FLG-999999" in r.text
    r = lead.client.post(f"{page}/invitations", data={
        "csrf_token": lead.csrf, "user_ids": [str(ana.user.id), str(ben.user.id)]},
        follow_redirects=False)
    assert r.status_code == 303
    assert _post(lead, f"{page}/open", {}).status_code == 303

    answers = {"ana": (ana, ["remove_review", "keep", "remove_review"]),
               "ben": (ben, ["remove_review", "keep", "keep"])}
    browsers = {name: sign_in(person) for name, (person, _) in answers.items()}
    for name, (_, labels) in answers.items():
        b = browsers[name]
        assert "Spam or not" in b.client.get("/calibrations/mine").text
        form = b.client.get(f"/calibrations/{ex}/answer").text
        assert "reference" not in form.lower()
        ids = _item_ids(form)
        data: dict[str, object] = {"submit": "yes"}
        for item, action in zip(ids, labels, strict=True):
            data[f"action-{item}"] = action
            data[f"guideline-{item}"] = "advertising_spam" if action != "keep" else ""
        r = _post(b, f"/calibrations/{ex}/answer", data)
        assert r.status_code == 303, r.text
    # Ben's page shows his answers only, and no longer takes any.
    ben_page = browsers["ben"].client.get(f"/calibrations/{ex}/answer").text
    assert "handed your answers in" in ben_page and 'name="action-' not in ben_page
    # A member may not open the manager's pages.
    assert browsers["ana"].client.get(f"/calibrations/{ex}").status_code == 403

    r = _post(lead, f"{page}/close", {})
    assert r.status_code == 303 and r.headers["location"].endswith("/results")
    results = lead.client.get(f"/calibrations/{ex}/results").text
    assert "Krippendorff&#39;s alpha" in results or "Krippendorff's alpha" in results
    assert "unreliable" in results or "tentative" in results or "reliable" in results
    assert "Cohen&#39;s kappa per pair" in results or "Cohen's kappa per pair" in results
    assert "Item 2" in results  # the item they split on
    mine = browsers["ana"].client.get(f"/calibrations/{ex}/answer").text
    assert "Your result" in mine and "Reference:" in mine
