"""The art edition contract: ERC-165, metadata URLs, minting rights, ERC-2981 and transfers."""

from typing import Any

import boa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import BASE_URI, funded_address

ZERO = "0x0000000000000000000000000000000000000000"


@pytest.fixture
def artist() -> Any:
    return funded_address("artist")


@pytest.fixture
def splitter_address() -> Any:
    # royaltyInfo only reports the receiver; any address stands for the splitter here.
    return boa.env.generate_address("splitter")


def mint(edition: Any, minter: Any, owner: Any, receiver: Any, bps: int = 1_000) -> int:
    return edition.mint(owner, receiver, bps, sender=minter)


@pytest.mark.parametrize(
    "interface_id",
    ["01ffc9a7", "80ac58cd", "5b5e139f", "780e9d63", "2a55205a"],
    ids=["erc165", "erc721", "erc721-metadata", "erc721-enumerable", "erc2981"],
)
def test_supports_interface_answers_for_what_it_implements(edition: Any, interface_id: str):
    assert edition.supportsInterface(bytes.fromhex(interface_id)) is True


@pytest.mark.parametrize("interface_id", ["ffffffff", "00000000", "589c5ce2", "49064906"])
def test_supports_interface_refuses_what_it_does_not_export(edition: Any, interface_id: str):
    # 0x589c5ce2 (ERC-4494 permit) and 0x49064906 (ERC-4906) are snekmate's, not exported here.
    assert edition.supportsInterface(bytes.fromhex(interface_id)) is False


def test_deployer_is_owner_and_minter(edition: Any, minter: Any):
    assert edition.owner() == minter
    assert edition.is_minter(minter) is True
    assert edition.name() == "Mutua Art for Land"
    assert edition.symbol() == "MART"


def test_mint_numbers_tokens_from_zero_with_stable_metadata_urls(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    first = mint(edition, minter, artist, splitter_address)
    second = mint(edition, minter, artist, splitter_address)

    assert (first, second) == (0, 1)
    assert edition.tokenURI(0) == BASE_URI + "0"
    assert edition.tokenURI(1) == BASE_URI + "1"
    assert edition.ownerOf(1) == artist
    assert edition.totalSupply() == 2
    assert edition.balanceOf(artist) == 2


def test_mint_logs_the_royalty_terms(edition: Any, minter: Any, artist: Any, splitter_address: Any):
    mint(edition, minter, artist, splitter_address, bps=750)

    minted = [log for log in edition.get_logs() if type(log).__name__ == "EditionMinted"]
    assert len(minted) == 1
    assert minted[0].token_id == 0
    assert minted[0].royalty_receiver == splitter_address
    assert minted[0].royalty_bps == 750


def test_token_uri_of_an_unminted_token_reverts(edition: Any):
    with boa.reverts("erc721: invalid token ID"):
        edition.tokenURI(0)


def test_only_a_minter_mints(edition: Any, artist: Any, splitter_address: Any):
    stranger = funded_address("stranger")

    with boa.reverts("art_edition: caller is not a minter"):
        edition.mint(stranger, splitter_address, 1_000, sender=stranger)
    with boa.reverts("art_edition: caller is not a minter"):
        edition.mint(artist, splitter_address, 1_000, sender=artist)
    assert edition.totalSupply() == 0


def test_owner_grants_and_revokes_the_minter_role(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    platform = funded_address("platform")

    with boa.reverts("ownable: caller is not the owner"):
        edition.set_minter(platform, True, sender=platform)
    edition.set_minter(platform, True, sender=minter)
    assert mint(edition, platform, artist, splitter_address) == 0

    edition.set_minter(platform, False, sender=minter)
    with boa.reverts("art_edition: caller is not a minter"):
        mint(edition, platform, artist, splitter_address)


def test_snekmate_safe_mint_and_burn_are_not_exposed(edition: Any):
    names = {item.get("name") for item in edition.abi}
    assert {"safe_mint", "burn", "permit", "set_token_royalty", "set_default_royalty"}.isdisjoint(
        names
    )
    assert {"mint", "royaltyInfo", "tokenURI", "transferFrom"} <= names


def test_mint_refuses_a_zero_receiver_and_a_royalty_above_the_price(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    with boa.reverts("erc2981: invalid receiver"):
        mint(edition, minter, artist, ZERO)
    with boa.reverts("erc2981: royalty fee will exceed sale_price"):
        mint(edition, minter, artist, splitter_address, bps=10_001)
    assert edition.totalSupply() == 0


@pytest.mark.parametrize(
    ("price", "bps", "royalty"),
    [
        (999_999, 1_000, 99_999),  # the field notes' example: 10 % of 999,999, floored
        (1_000_000, 1_000, 100_000),
        (9, 1_000, 0),  # too small a sale to owe anything
        (10, 1_000, 1),
        (12_345, 250, 308),  # 308.625 floored
        (5_000, 10_000, 5_000),  # the whole price
        (5_000, 0, 0),
        (0, 1_000, 0),
    ],
)
def test_royalty_info_floors_price_times_bps(
    edition: Any,
    minter: Any,
    artist: Any,
    splitter_address: Any,
    price: int,
    bps: int,
    royalty: int,
):
    token = mint(edition, minter, artist, splitter_address, bps=bps)

    assert edition.royaltyInfo(token, price) == (splitter_address, royalty)


@settings(max_examples=60)
@given(
    prices=st.lists(st.integers(min_value=0, max_value=2**128), min_size=1, max_size=4),
    bps=st.integers(min_value=0, max_value=10_000),
)
def test_royalty_info_is_price_times_bps_floor_division(
    edition_deployer: Any, prices: list[int], bps: int
):
    with boa.env.anchor():
        owner = funded_address("owner")
        receiver = boa.env.generate_address("receiver")
        edition = edition_deployer.deploy("Mutua Art for Land", "MART", BASE_URI, sender=owner)
        token = edition.mint(owner, receiver, bps, sender=owner)

        for price in prices:
            assert edition.royaltyInfo(token, price) == (receiver, price * bps // 10_000)


def test_each_token_keeps_its_own_royalty_receiver(edition: Any, minter: Any, artist: Any):
    first_splitter = boa.env.generate_address("first")
    second_splitter = boa.env.generate_address("second")
    mint(edition, minter, artist, first_splitter, bps=1_000)
    mint(edition, minter, artist, second_splitter, bps=500)

    assert edition.royaltyInfo(0, 1_000) == (first_splitter, 100)
    assert edition.royaltyInfo(1, 1_000) == (second_splitter, 50)
    assert edition.royaltyInfo(2, 1_000) == (ZERO, 0)  # unminted: no default royalty


def test_owner_transfers_and_a_stranger_cannot(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    investor = funded_address("investor")
    stranger = funded_address("stranger")
    token = mint(edition, minter, artist, splitter_address)

    with boa.reverts("erc721: caller is not token owner or approved"):
        edition.transferFrom(artist, stranger, token, sender=stranger)
    # The contract's owner and minter has no power over a member's token either.
    with boa.reverts("erc721: caller is not token owner or approved"):
        edition.transferFrom(artist, minter, token, sender=minter)

    edition.transferFrom(artist, investor, token, sender=artist)
    assert edition.ownerOf(token) == investor
    with boa.reverts("erc721: caller is not token owner or approved"):
        edition.transferFrom(investor, artist, token, sender=artist)


def test_approved_address_transfers_once(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    venue = funded_address("venue")
    buyer = funded_address("buyer")
    token = mint(edition, minter, artist, splitter_address)

    edition.approve(venue, token, sender=artist)
    edition.transferFrom(artist, buyer, token, sender=venue)

    assert edition.ownerOf(token) == buyer
    assert edition.getApproved(token) == ZERO  # the approval ends with the transfer
    with boa.reverts("erc721: caller is not token owner or approved"):
        edition.transferFrom(buyer, venue, token, sender=venue)


def test_operator_approved_for_all_transfers_every_token(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    venue = funded_address("venue")
    buyer = funded_address("buyer")
    first = mint(edition, minter, artist, splitter_address)
    second = mint(edition, minter, artist, splitter_address)

    edition.setApprovalForAll(venue, True, sender=artist)
    edition.transferFrom(artist, buyer, first, sender=venue)
    edition.safeTransferFrom(artist, buyer, second, sender=venue)
    assert edition.balanceOf(buyer) == 2

    edition.setApprovalForAll(venue, False, sender=artist)
    edition.setApprovalForAll(venue, False, sender=buyer)
    with boa.reverts("erc721: caller is not token owner or approved"):
        edition.transferFrom(buyer, venue, first, sender=venue)


def test_transfer_from_the_wrong_owner_reverts(
    edition: Any, minter: Any, artist: Any, splitter_address: Any
):
    stranger = funded_address("stranger")
    token = mint(edition, minter, artist, splitter_address)
    edition.approve(stranger, token, sender=artist)

    with boa.reverts("erc721: transfer from incorrect owner"):
        edition.transferFrom(stranger, stranger, token, sender=stranger)
    assert edition.ownerOf(token) == artist
