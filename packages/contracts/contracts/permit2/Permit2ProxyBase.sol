// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ISignatureTransferWitness} from "./ISignatureTransferWitness.sol";

/// @title What the two x402 Permit2 proxies share
/// @notice Tollgate's own implementation of the x402 Permit2 proxies' external behaviour (the functions, events and
/// custom errors the x402 clients and facilitators call and decode), written from the x402 `exact`/`upto` scheme
/// specifications. The devnet places it at the proxies' canonical addresses, which x402 clients hard-code.
/// @dev The proxy is the Permit2 `spender`: Permit2 hashes `msg.sender` into the permit, so only this contract can
/// redeem a signature made out to it, and the witness binds the recipient. A plain lock guards re-entry through a
/// token's callbacks.
abstract contract Permit2ProxyBase {
    /// @notice Permit2, fixed at construction.
    ISignatureTransferWitness public immutable PERMIT2;

    uint256 private _entered;

    event Settled();
    event SettledWithPermit();
    event EIP2612PermitFailedWithReason(address indexed token, address indexed owner, string reason);
    event EIP2612PermitFailedWithPanic(address indexed token, address indexed owner, uint256 errorCode);
    event EIP2612PermitFailedWithData(address indexed token, address indexed owner, bytes data);

    error InvalidPermit2Address();
    error InvalidDestination();
    error PaymentTooEarly();
    error InvalidOwner();
    error InvalidAmount();
    error Permit2612AmountMismatch();
    error ReentrancyGuardReentrantCall();

    /// @notice An EIP-2612 permit that approves Permit2 for the payer, sent along with the settlement.
    struct EIP2612Permit {
        uint256 value;
        uint256 deadline;
        bytes32 r;
        bytes32 s;
        uint8 v;
    }

    constructor(address permit2) {
        if (permit2 == address(0)) revert InvalidPermit2Address();
        PERMIT2 = ISignatureTransferWitness(permit2);
    }

    modifier locked() {
        if (_entered == 2) revert ReentrancyGuardReentrantCall();
        _entered = 2;
        _;
        _entered = 1;
    }

    /// @dev Checks the terms the proxy owns, then lets Permit2 check the signature, nonce, deadline and amount.
    function _transfer(
        ISignatureTransferWitness.PermitTransferFrom calldata permit,
        uint256 amount,
        address owner,
        address to,
        uint256 validAfter,
        bytes32 witness,
        string memory witnessTypeString,
        bytes calldata signature
    ) internal {
        if (amount == 0) revert InvalidAmount();
        if (owner == address(0)) revert InvalidOwner();
        if (to == address(0)) revert InvalidDestination();
        if (block.timestamp < validAfter) revert PaymentTooEarly();
        PERMIT2.permitWitnessTransferFrom(
            permit,
            ISignatureTransferWitness.SignatureTransferDetails({to: to, requestedAmount: amount}),
            owner,
            witness,
            witnessTypeString,
            signature
        );
    }

    /// @dev Approves Permit2 with the payer's EIP-2612 permit. Its value must be the permitted amount. A failing
    /// `permit` (already used by a front-runner, or a token without EIP-2612) only logs: the transfer then stands on
    /// the allowance that exists.
    function _permit(address token, address owner, EIP2612Permit calldata p, uint256 permitted) internal {
        if (p.value != permitted) revert Permit2612AmountMismatch();
        try IERC20Permit(token).permit(owner, address(PERMIT2), p.value, p.deadline, p.v, p.r, p.s) {}
        catch Error(string memory reason) {
            emit EIP2612PermitFailedWithReason(token, owner, reason);
        } catch Panic(uint256 code) {
            emit EIP2612PermitFailedWithPanic(token, owner, code);
        } catch (bytes memory data) {
            emit EIP2612PermitFailedWithData(token, owner, data);
        }
    }
}
