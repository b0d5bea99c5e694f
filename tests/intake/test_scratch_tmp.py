import json
from tests import factories as f

def test_x(client, manager, db):
    for body in [f.flag(), f.csm(), f.executive(), f.legal(), f.investigation()]:
        r = client.post("/api/v1/cases", json=body, headers=manager.headers)
        print(r.status_code, json.dumps(r.json(), indent=1)[:3000])
        k = r.json()["case"]["key"]
        print(json.dumps(client.get(f"/api/v1/cases/{k}", headers=manager.headers).json()["priority_reasons"]))
    r = client.post("/api/v1/cases", json=f.legal(foo=1), headers=manager.headers)
    print(r.json())
    r = client.post("/api/v1/cases", json={"kind": "nope"}, headers=manager.headers)
    print(r.json())
