// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISignatureTransferWitness} from "./ISignatureTransferWitness.sol";
import {Permit2ProxyBase} from "./Permit2ProxyBase.sol";

/// @title x402 `upto` over Permit2
/// @notice Moves any amount up to the permitted maximum to the witnessed recipient. The witness names the one
/// facilitator allowed to choose that amount, and only it can submit the settlement.
contract UptoPermit2Proxy is Permit2ProxyBase {
    /// @notice What the payer's witness is: the recipient, the facilitator that sets the amount, the earliest time.
    struct Witness {
        address to;
        address facilitator;
        uint256 validAfter;
    }

    string public constant WITNESS_TYPE_STRING =
        "Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,address facilitator,uint256 validAfter)";
    bytes32 public constant WITNESS_TYPEHASH = keccak256("Witness(address to,address facilitator,uint256 validAfter)");

    error UnauthorizedFacilitator();
    error AmountExceedsPermitted();

    constructor(address permit2) Permit2ProxyBase(permit2) {}

    /// @notice Settles `amount` (at most the permitted one) on the payer's existing Permit2 allowance.
    function settle(
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        uint256 amount,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external locked {
        _settle(permit, amount, owner, witness, signature);
        emit Settled();
    }

    /// @notice Approves Permit2 with an EIP-2612 permit for the permitted maximum first, then settles `amount`.
    function settleWithPermit(
        EIP2612Permit calldata permit2612,
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        uint256 amount,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external locked {
        _authorize(permit, amount, witness);
        _permit(permit.permitted.token, owner, permit2612, permit.permitted.amount);
        _settle(permit, amount, owner, witness, signature);
        emit SettledWithPermit();
    }

    function _authorize(
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        uint256 amount,
        Witness calldata witness
    ) private view {
        if (amount > permit.permitted.amount) revert AmountExceedsPermitted();
        if (msg.sender != witness.facilitator) revert UnauthorizedFacilitator();
    }

    function _settle(
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        uint256 amount,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) private {
        _authorize(permit, amount, witness);
        bytes32 hash = keccak256(abi.encode(WITNESS_TYPEHASH, witness.to, witness.facilitator, witness.validAfter));
        _transfer(permit, amount, owner, witness.to, witness.validAfter, hash, WITNESS_TYPE_STRING, signature);
    }
}
