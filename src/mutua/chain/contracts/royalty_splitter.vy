# pragma version ~=0.4.3
"""
@title Mutua royalty splitter
@license GNU Affero General Public License v3.0 or later
@notice A pull-payment splitter: the ERC-2981 royalty receiver of an art
        edition. Every wei received is credited at once among the payees by
        their shares; each payee then withdraws its own credit.

        Invariants:
        - Payees and shares (basis points) are fixed at deploy; shares are
          positive and sum to exactly 10000, payees are distinct and not the
          zero address, and the declared remainder payee is one of them.
        - Each receipt of `amount` credits every payee
          `amount * shares[payee] // 10000` (floor) and the remainder payee
          also gets what the floors leave over, so the credits of one receipt
          sum exactly to `amount`.
        - `credited[p] + withdrawn[p]` is, for every payee, its part of all
          receipts; `total_received - total_withdrawn` equals the sum of
          outstanding credits, which the contract's balance covers.
        - `withdraw` pays only the caller's own credit, sets it to zero before
          sending (checks-effects-interactions) and holds the reentrancy lock,
          so a payee re-entering gets nothing more. A zero withdrawal reverts.
          A payee that cannot receive ether blocks only itself: receipts never
          push ether to anyone.
        - Ether forced in without a call (selfdestruct, block rewards) is not
          credited to anyone and stays in the contract.
"""


MAX_PAYEES: constant(uint256) = 8
TOTAL_BPS: constant(uint256) = 10_000


payees: public(DynArray[address, MAX_PAYEES])
shares: public(HashMap[address, uint256])
remainder_payee: public(immutable(address))
credited: public(HashMap[address, uint256])
withdrawn: public(HashMap[address, uint256])
total_received: public(uint256)
total_withdrawn: public(uint256)


event PayeeAdded:
    payee: indexed(address)
    shares_bps: uint256


event RoyaltyReceived:
    payer: indexed(address)
    amount: uint256


event Withdrawal:
    payee: indexed(address)
    amount: uint256


@deploy
def __init__(
    payees_: DynArray[address, MAX_PAYEES],
    shares_bps_: DynArray[uint256, MAX_PAYEES],
    remainder_payee_: address,
):
    """
    @param payees_ The payees, at most 8, distinct.
    @param shares_bps_ Each payee's share in basis points, in the same order.
    @param remainder_payee_ The payee who gets every receipt's rounding remainder.
    """
    assert len(payees_) != 0, "splitter: no payees"
    assert len(payees_) == len(shares_bps_), "splitter: payees and shares differ in length"
    total: uint256 = 0
    for i: uint256 in range(len(payees_), bound=MAX_PAYEES):
        payee: address = payees_[i]
        share: uint256 = shares_bps_[i]
        assert payee != empty(address), "splitter: payee is the zero address"
        assert share != 0, "splitter: share is zero"
        assert self.shares[payee] == 0, "splitter: duplicate payee"
        self.shares[payee] = share
        total += share
        log PayeeAdded(payee=payee, shares_bps=share)
    assert total == TOTAL_BPS, "splitter: shares do not sum to 10000"
    assert self.shares[remainder_payee_] != 0, "splitter: remainder payee is not a payee"
    self.payees = payees_
    remainder_payee = remainder_payee_


@external
@payable
@nonreentrant
def __default__():
    """
    @dev Plain ether transfers (marketplaces paying ERC-2981 royalties) are
         credited like `receive_royalty`. Crediting writes storage, so a
         sender limited to the 2300 gas stipend (`transfer`/`send`) fails.
    """
    self._credit(msg.value)


@external
@payable
@nonreentrant
def receive_royalty():
    """
    @notice Receives a royalty and credits every payee.
    """
    self._credit(msg.value)


@external
@nonreentrant
def withdraw():
    """
    @notice Pays the caller its whole credit.
    """
    amount: uint256 = self.credited[msg.sender]
    assert amount != 0, "splitter: nothing to withdraw"
    self.credited[msg.sender] = 0
    self.withdrawn[msg.sender] += amount
    self.total_withdrawn += amount
    log Withdrawal(payee=msg.sender, amount=amount)
    raw_call(msg.sender, b"", value=amount)


@external
@view
def payee_count() -> uint256:
    return len(self.payees)


@internal
def _credit(amount: uint256):
    assert amount != 0, "splitter: nothing received"
    distributed: uint256 = 0
    for payee: address in self.payees:
        part: uint256 = amount * self.shares[payee] // TOTAL_BPS
        self.credited[payee] += part
        distributed += part
    self.credited[remainder_payee] += amount - distributed
    self.total_received += amount
    log RoyaltyReceived(payer=msg.sender, amount=amount)
