// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @dev The two EIP-3009 `transferWithAuthorization` overloads of FiatToken v2.2 (USDC).
interface IBatchSettlerToken {
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    ) external;
}

/// @title Batch settler
/// @notice Settles many EIP-3009 authorizations in one transaction, so they share its 21k base cost. Each
/// `transferWithAuthorization` runs in its own try/catch: one bad authorization (used nonce, expired, low balance,
/// bad signature) does not sink the others, and the batch itself never reverts because of an item.
/// @dev Permissionless and stateless: an EIP-3009 transfer moves `value` from `from` to `to` whoever submits it, so
/// the caller gains nothing and no one can redirect funds. Results, per item: a success is the token's own
/// `AuthorizationUsed(from, nonce)` (and `Transfer`) event; a failure is `AuthorizationFailed` with the token's revert
/// data. Successes emit nothing more here, which saves about 1.9k gas per item (5% of a settlement); `BatchSettled`
/// sums up the batch. Only list trusted tokens: a token call may consume the gas it is given.
contract BatchSettler {
    /// @notice An authorization signed by an EOA (65-byte ECDSA signature split into v, r, s).
    struct Authorization {
        address token;
        address from;
        address to;
        uint256 value;
        uint256 validAfter;
        uint256 validBefore;
        bytes32 nonce;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice An authorization with a `bytes` signature (ERC-1271 smart wallets; FiatToken v2.2's bytes overload).
    struct SignedAuthorization {
        address token;
        address from;
        address to;
        uint256 value;
        uint256 validAfter;
        uint256 validBefore;
        bytes32 nonce;
        bytes signature;
    }

    /// @notice An item did not settle; `reason` is the token's revert data (empty for a token with no code or out of gas).
    event AuthorizationFailed(address indexed token, address indexed from, bytes32 indexed nonce, bytes reason);

    /// @notice Emitted once per batch.
    event BatchSettled(uint256 settled, uint256 failed);

    /// @notice Settles each authorization with the (v, r, s) overload; returns how many settled.
    function settle(Authorization[] calldata items) external returns (uint256 settled) {
        uint256 length = items.length;
        for (uint256 i; i < length; ++i) {
            Authorization calldata a = items[i];
            // A call to an address without code reverts in the caller, where try/catch cannot catch it.
            if (a.token.code.length == 0) {
                emit AuthorizationFailed(a.token, a.from, a.nonce, "");
                continue;
            }
            try IBatchSettlerToken(a.token).transferWithAuthorization(
                a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, a.v, a.r, a.s
            ) {
                unchecked {
                    ++settled;
                }
            } catch (bytes memory reason) {
                emit AuthorizationFailed(a.token, a.from, a.nonce, reason);
            }
        }
        emit BatchSettled(settled, length - settled);
    }

    /// @notice Settles each authorization with the `bytes signature` overload; returns how many settled.
    function settleWithSignatures(SignedAuthorization[] calldata items) external returns (uint256 settled) {
        uint256 length = items.length;
        for (uint256 i; i < length; ++i) {
            SignedAuthorization calldata a = items[i];
            if (a.token.code.length == 0) {
                emit AuthorizationFailed(a.token, a.from, a.nonce, "");
                continue;
            }
            try IBatchSettlerToken(a.token).transferWithAuthorization(
                a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, a.signature
            ) {
                unchecked {
                    ++settled;
                }
            } catch (bytes memory reason) {
                emit AuthorizationFailed(a.token, a.from, a.nonce, reason);
            }
        }
        emit BatchSettled(settled, length - settled);
    }
}
