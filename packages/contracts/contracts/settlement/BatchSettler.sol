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
///
/// `settlePacked` takes the same (v, r, s) items in a tight encoding (about 142 calldata bytes an item instead of
/// 320), for batches of one token; `settle` and `settleWithSignatures` remain for the rest.
contract BatchSettler {
    // TRANSFER_WITH_AUTHORIZATION, written as a literal in `settlePacked`'s assembly:
    // `transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)` = 0xe3ee160e.

    /// @dev Bytes of one packed item: payer 20, payee index 1, value 12, validAfter 6, validBefore 6, nonce 32,
    /// r 32, s 32, v 1.
    uint256 private constant PACKED_ITEM = 142;

    /// @notice `settlePacked` data that does not parse: short header, a partial item, or a payee index out of range.
    error MalformedPackedBatch();

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

    /// @notice Settles authorizations of one token, packed: `token` (20 bytes), the payee count `k` (1 byte), `k`
    /// payees (20 bytes each), then items of 142 bytes: payer (20), payee index (1), value (uint96, 12),
    /// validAfter (uint48, 6), validBefore (uint48, 6), nonce (32), r (32), s (32), v (1). Each item is the token's
    /// (v, r, s) `transferWithAuthorization`, with the outcomes of `settle`. Returns how many settled.
    function settlePacked(bytes calldata data) external returns (uint256 settled) {
        address token;
        uint256 payees;
        uint256 payeeCount;
        uint256 cursor;
        uint256 end;
        assembly ("memory-safe") {
            if lt(data.length, 21) {
                mstore(0, 0x8c541c25) // MalformedPackedBatch()
                revert(28, 4)
            }
            token := shr(96, calldataload(data.offset))
            payeeCount := byte(0, calldataload(add(data.offset, 20)))
            payees := add(data.offset, 21)
            cursor := add(payees, mul(payeeCount, 20))
            end := add(data.offset, data.length)
            if or(gt(cursor, end), mod(sub(end, cursor), PACKED_ITEM)) {
                mstore(0, 0x8c541c25)
                revert(28, 4)
            }
        }
        uint256 count = (end - cursor) / PACKED_ITEM;
        // A call to an address without code succeeds: such a token settles nothing.
        bool hasCode = token.code.length != 0;
        for (; cursor < end; cursor += PACKED_ITEM) {
            if (_settlePackedItem(token, hasCode, payees, payeeCount, cursor)) {
                unchecked {
                    ++settled;
                }
            }
        }
        emit BatchSettled(settled, count - settled);
    }

    /// @dev One packed item at calldata `cursor`: the token's (v, r, s) `transferWithAuthorization`, or
    /// `AuthorizationFailed`. True when it settled.
    function _settlePackedItem(address token, bool hasCode, uint256 payees, uint256 payeeCount, uint256 cursor)
        private
        returns (bool ok)
    {
        address from;
        bytes32 nonce;
        assembly ("memory-safe") {
            from := shr(96, calldataload(cursor))
            nonce := calldataload(add(cursor, 45))
            let index := byte(0, calldataload(add(cursor, 20)))
            if iszero(lt(index, payeeCount)) {
                mstore(0, 0x8c541c25) // MalformedPackedBatch()
                revert(28, 4)
            }
            // The call's arguments, written past the free memory pointer each time (nothing is allocated).
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0xe3ee160e)) // TRANSFER_WITH_AUTHORIZATION
            mstore(add(ptr, 4), from)
            mstore(add(ptr, 36), shr(96, calldataload(add(payees, mul(index, 20)))))
            mstore(add(ptr, 68), shr(160, calldataload(add(cursor, 21))))
            mstore(add(ptr, 100), shr(208, calldataload(add(cursor, 33))))
            mstore(add(ptr, 132), shr(208, calldataload(add(cursor, 39))))
            mstore(add(ptr, 164), nonce)
            mstore(add(ptr, 196), byte(0, calldataload(add(cursor, 141))))
            mstore(add(ptr, 228), calldataload(add(cursor, 77)))
            mstore(add(ptr, 260), calldataload(add(cursor, 109)))
            ok := and(hasCode, call(gas(), token, 0, ptr, 292, 0, 0))
        }
        if (!ok) _packedItemFailed(token, from, nonce, hasCode);
    }

    /// @dev `AuthorizationFailed` with the revert data of the last call (none when the token has no code).
    function _packedItemFailed(address token, address from, bytes32 nonce, bool called) private {
        bytes memory reason;
        if (called) {
            assembly ("memory-safe") {
                reason := mload(0x40)
                mstore(reason, returndatasize())
                returndatacopy(add(reason, 32), 0, returndatasize())
                mstore(0x40, add(add(reason, 32), and(add(returndatasize(), 31), not(31))))
            }
        }
        emit AuthorizationFailed(token, from, nonce, reason);
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
