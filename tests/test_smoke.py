from tests import factories as f


def test_smoke(client, specialist):
    r = client.post("/api/v1/cases", json=f.flag(), headers=specialist.headers)
    assert r.status_code == 201, r.text
    r2 = client.post("/api/v1/cases", json=f.flag(), headers=specialist.headers)
    assert r2.status_code == 200, r2.text
    for body in (f.csm(), f.executive(), f.legal(), f.investigation()):
        r = client.post("/api/v1/cases", json=body, headers=specialist.headers)
        assert r.status_code == 201, r.text
    r = client.get("/api/v1/cases", headers=specialist.headers)
    assert r.status_code == 200, r.text
    print(r.json()["items"][0])
