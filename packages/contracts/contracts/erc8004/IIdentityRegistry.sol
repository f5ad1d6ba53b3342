// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The part of the ERC-8004 Identity Registry that the other two registries call.
interface IIdentityRegistry {
    /// @notice True when `spender` is the agent's owner, an approved-for-all operator, or the token-approved address.
    /// @dev Reverts with `ERC721NonexistentToken` for an unknown agent, so callers need no separate existence check.
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool);
}
