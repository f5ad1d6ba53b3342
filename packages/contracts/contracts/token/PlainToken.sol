// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Plain token
/// @notice An ERC-20 with nothing else: no EIP-3009, no EIP-2612. Such a token is paid through Permit2 only, after
/// the payer approved Permit2 once. The owner mints.
contract PlainToken is ERC20 {
    address public immutable owner;
    uint8 private immutable _decimals;

    error NotOwner();

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address owner_) ERC20(name_, symbol_) {
        owner = owner_;
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner();
        _mint(to, amount);
    }
}
