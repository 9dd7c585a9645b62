# pragma version ~=0.4.3
"""
@notice Test double: a splitter payee that refuses every ether transfer, so its
        own withdrawals always revert.
"""

interface Splitter:
    def withdraw(): nonpayable


@external
def withdraw_from(splitter: address):
    extcall Splitter(splitter).withdraw()


@external
@payable
def __default__():
    raise "reverting_payee: no ether accepted"
