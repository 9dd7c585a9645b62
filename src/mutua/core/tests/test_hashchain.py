"""The hash chain catches any edit, insertion or deletion (pure, no database)."""

from hypothesis import given
from hypothesis import strategies as st

from mutua.core.hashchain import GENESIS, ChainLink, chain_verify, link_hash

contents = st.lists(
    st.dictionaries(
        st.sampled_from(["action", "who", "amount"]), st.text(max_size=8) | st.integers()
    ),
    min_size=1,
    max_size=8,
)


def build(payloads: list[dict]) -> list[ChainLink]:
    links, prev = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        content = {"seq": seq, **payload}
        digest = link_hash(prev, content)
        links.append(ChainLink(seq, prev, digest, content))
        prev = digest
    return links


@given(contents)
def test_untouched_chain_verifies(payloads: list[dict]) -> None:
    assert chain_verify(build(payloads)) == []


@given(contents, st.data())
def test_edited_entry_is_detected(payloads: list[dict], data: st.DataObject) -> None:
    links = build(payloads)
    i = data.draw(st.integers(0, len(links) - 1))
    edited = dict(links[i].content, tampered=True)
    links[i] = links[i]._replace(content=edited)
    assert any(p.seq == links[i].seq for p in chain_verify(links))


@given(contents, st.data())
def test_deleted_entry_is_detected(payloads: list[dict], data: st.DataObject) -> None:
    links = build([*payloads, {"last": 1}])
    i = data.draw(st.integers(0, len(links) - 2))
    del links[i]
    assert chain_verify(links)


def test_canonical_json_ignores_key_order() -> None:
    assert link_hash(GENESIS, {"a": 1, "b": 2}) == link_hash(GENESIS, {"b": 2, "a": 1})
