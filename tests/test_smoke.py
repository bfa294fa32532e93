from tests import factories as f

REGISTER = """
mutation($input: RegisterWorkerInput!) {
  registerWorker(input: $input) {
    __typename
    ... on RegisterWorkerSuccess { worker { id nik fullName phase status version } }
    ... on ValidationError { field rule message errors { field rule } }
  }
}
"""


async def test_partner_registers_a_worker_and_lists_only_its_own(client):
    hk = await f.partner("kbri-hongkong")
    sg = await f.partner("kbri-singapore", country="SG")
    hk_client = client.as_key(await f.key(hk))
    sg_client = client.as_key(await f.key(sg))

    data = await hk_client.run(REGISTER, {"input": f.worker_input()})
    assert data["registerWorker"]["__typename"] == "RegisterWorkerSuccess"
    assert data["registerWorker"]["worker"]["phase"] == "BEFORE"

    hk_list = await hk_client.run("{ workers { edges { node { fullName } } } }")
    sg_list = await sg_client.run("{ workers { edges { node { fullName } } } }")
    assert len(hk_list["workers"]["edges"]) == 1
    assert sg_list["workers"]["edges"] == []
