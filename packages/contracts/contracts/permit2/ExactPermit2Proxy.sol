// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISignatureTransferWitness} from "./ISignatureTransferWitness.sol";
import {Permit2ProxyBase} from "./Permit2ProxyBase.sol";

/// @title x402 `exact` over Permit2
/// @notice Moves exactly the permitted amount to the witnessed recipient. Anyone may submit a settlement: the payer's
/// signature fixes the token, amount, recipient and deadline, so the submitter chooses nothing.
contract ExactPermit2Proxy is Permit2ProxyBase {
    /// @notice What the payer's witness is: the recipient and the earliest settlement time.
    struct Witness {
        address to;
        uint256 validAfter;
    }

    string public constant WITNESS_TYPE_STRING =
        "Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)";
    bytes32 public constant WITNESS_TYPEHASH = keccak256("Witness(address to,uint256 validAfter)");

    constructor(address permit2) Permit2ProxyBase(permit2) {}

    /// @notice Settles on the payer's existing Permit2 allowance.
    function settle(
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external locked {
        _settle(permit, owner, witness, signature);
        emit Settled();
    }

    /// @notice Approves Permit2 with an EIP-2612 permit first, then settles.
    function settleWithPermit(
        EIP2612Permit calldata permit2612,
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external locked {
        _permit(permit.permitted.token, owner, permit2612, permit.permitted.amount);
        _settle(permit, owner, witness, signature);
        emit SettledWithPermit();
    }

    function _settle(
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) private {
        bytes32 hash = keccak256(abi.encode(WITNESS_TYPEHASH, witness.to, witness.validAfter));
        _transfer(
            permit,
            permit.permitted.amount,
            owner,
            witness.to,
            witness.validAfter,
            hash,
            WITNESS_TYPE_STRING,
            signature
        );
    }
}
