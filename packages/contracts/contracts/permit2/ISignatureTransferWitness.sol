// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The part of Permit2's `SignatureTransfer` the x402 proxies call
/// @notice Written from Permit2's published interface: one token, one recipient, a witness the signature covers.
interface ISignatureTransferWitness {
    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    function permitWitnessTransferFrom(
        PermitTransferFrom calldata permit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes32 witness,
        string calldata witnessTypeString,
        bytes calldata signature
    ) external;
}
