# pragma version ~=0.4.3
"""
@title Mutua art edition
@license GNU Affero General Public License v3.0 or later
@notice An ERC-721 collection of editions of artworks that stay in community
        custody, with ERC-2981 royalty information, built on snekmate.

        Design:
        - Token ids count up from 0 (snekmate's `_counter`). `tokenURI` is the
          base URI fixed at deploy followed by the decimal token id, so the
          platform serves each token's metadata JSON at a stable URL.
        - The royalty receiver and rate are set per token, at mint, and cannot
          be changed afterwards: each edition has its own original investor,
          so each token gets its own splitter contract as receiver. The
          owner-only royalty setters of snekmate's `erc2981` are therefore not
          exported, and no default royalty exists (`royaltyInfo` of an unminted
          token answers `(empty(address), 0)`).
        - The deployer is the owner and a minter (snekmate's built-in minter
          role); the owner may add or remove other minters with `set_minter`.
          Only a minter mints, and only through `mint`, which sets the royalty
          before the token exists; snekmate's `safe_mint` is not exported.
        - `burn` and the ERC-4494 `permit` are not exported: a token stands for
          a physical work whose provenance is kept for good, and the platform
          does not use signed approvals. `supportsInterface` answers only for
          what is exported.
"""

from ethereum.ercs import IERC165
implements: IERC165

from ethereum.ercs import IERC721
implements: IERC721

from snekmate.tokens.interfaces import IERC721Metadata
implements: IERC721Metadata

from snekmate.extensions.interfaces import IERC2981
implements: IERC2981

from snekmate.auth import ownable
initializes: ownable

from snekmate.tokens import erc721
initializes: erc721[ownable := ownable]

from snekmate.extensions import erc2981
initializes: erc2981[ownable := ownable]


exports: (
    ownable.owner,
    erc721.name,
    erc721.symbol,
    erc721.balanceOf,
    erc721.ownerOf,
    erc721.approve,
    erc721.getApproved,
    erc721.setApprovalForAll,
    erc721.isApprovedForAll,
    erc721.transferFrom,
    erc721.safeTransferFrom,
    erc721.tokenURI,
    erc721.totalSupply,
    erc721.tokenByIndex,
    erc721.tokenOfOwnerByIndex,
    erc721.is_minter,
    erc721.set_minter,
    erc721.transfer_ownership,
    erc2981.royaltyInfo,
)


_SUPPORTED_INTERFACES: constant(bytes4[5]) = [
    0x01FFC9A7, # ERC-165
    0x80AC58CD, # ERC-721
    0x5B5E139F, # ERC-721 metadata
    0x780E9D63, # ERC-721 enumeration
    0x2A55205A, # ERC-2981
]


event EditionMinted:
    token_id: indexed(uint256)
    owner: indexed(address)
    royalty_receiver: indexed(address)
    royalty_bps: uint96


@deploy
@payable
def __init__(name_: String[25], symbol_: String[5], base_uri_: String[80]):
    """
    @param name_ Collection name, at most 25 characters.
    @param symbol_ Collection symbol, at most 5 characters.
    @param base_uri_ Prefix of every token's metadata URL, at most 80
           characters; the token id is appended to it.
    """
    ownable.__init__()
    erc721.__init__(name_, symbol_, base_uri_, name_, "1")
    erc2981.__init__()


@external
@view
def supportsInterface(interface_id: bytes4) -> bool:
    """
    @dev One answer for both modules, since `erc721` and `erc2981` each
         define their own `supportsInterface`.
    """
    return interface_id in _SUPPORTED_INTERFACES


@external
def mint(owner: address, royalty_receiver: address, royalty_bps: uint96) -> uint256:
    """
    @notice Mints the next token to `owner` with its royalty terms.
    @dev The royalty is recorded before `_safe_mint` calls a contract owner's
         `onERC721Received`, so no external code runs before the token's
         state is complete.
    @param owner The first holder; a contract must accept ERC-721 tokens.
    @param royalty_receiver The token's royalty splitter (not the zero address).
    @param royalty_bps Royalty in basis points of the sale price, at most 10000.
    @return uint256 The new token id.
    """
    assert erc721.is_minter[msg.sender], "art_edition: caller is not a minter"
    token_id: uint256 = erc721._counter
    erc721._counter = token_id + 1
    erc2981._set_token_royalty(token_id, royalty_receiver, royalty_bps)
    erc721._safe_mint(owner, token_id, b"")
    log EditionMinted(
        token_id=token_id, owner=owner, royalty_receiver=royalty_receiver, royalty_bps=royalty_bps
    )
    return token_id
