# pragma version ~=0.4.3
"""
@notice Test double: a splitter payee that, on receiving ether, calls the
        splitter's `withdraw` again, up to three times, swallowing the failures
        and counting the re-entries that succeeded.
"""

interface Splitter:
    def withdraw(): nonpayable


target: public(address)
attempts: public(uint256)
reentries: public(uint256)


@external
def attack(splitter: address):
    self.target = splitter
    extcall Splitter(splitter).withdraw()


@external
@payable
def __default__():
    if self.attempts < 3:
        self.attempts += 1
        ok: bool = raw_call(self.target, method_id("withdraw()"), revert_on_failure=False)
        if ok:
            self.reentries += 1
