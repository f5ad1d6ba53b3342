// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestUSDC} from "./TestUSDC.sol";

/// @title Test token
/// @notice Test USDC with a symbol and a number of decimals of your choice: an EIP-3009 token for testing amounts of
/// tokens that are not six-decimal dollars (an 18-decimal stablecoin, a 2-decimal one).
contract TestToken is TestUSDC {
    uint8 private immutable _decimals;
    string private _symbol;

    constructor(string memory name_, string memory version_, address owner_, string memory symbol_, uint8 decimals_)
        TestUSDC(name_, version_, owner_)
    {
        _symbol = symbol_;
        _decimals = decimals_;
    }

    function symbol() public view override returns (string memory) {
        return _symbol;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
