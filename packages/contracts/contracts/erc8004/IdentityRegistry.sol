// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title ERC-8004 Identity Registry (non-upgradeable).
/// @notice Agents are ERC-721 tokens: tokenId is the agentId, tokenURI the agentURI. Same selectors, events,
/// event layouts, emission order and revert strings as the reference `IdentityRegistryUpgradeable` v2.0.0;
/// a constructor replaces `initialize` and there is no UUPS/Ownable surface.
contract IdentityRegistry is ERC721URIStorage, EIP712, IIdentityRegistry {
    struct MetadataEntry {
        string metadataKey;
        bytes metadataValue;
    }

    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);
    event MetadataSet(
        uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue
    );
    event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy);

    bytes32 private constant AGENT_WALLET_SET_TYPEHASH =
        keccak256("AgentWalletSet(uint256 agentId,address newWallet,address owner,uint256 deadline)");
    uint256 private constant MAX_DEADLINE_DELAY = 5 minutes;
    string private constant AGENT_WALLET_KEY = "agentWallet";
    bytes32 private constant AGENT_WALLET_KEY_HASH = keccak256("agentWallet");

    /// @dev Next agentId; ids are handed out from 0 and never burnt, so the ids in use are [0, _lastId).
    uint256 private _lastId;
    /// @dev agentId => metadataKey => metadataValue, including the reserved "agentWallet" (20 packed bytes).
    mapping(uint256 agentId => mapping(string metadataKey => bytes)) private _metadata;

    constructor() ERC721("AgentIdentity", "AGENT") EIP712("ERC8004IdentityRegistry", "1") {}

    // ------------------------------------------------------------------ registration

    function register() external returns (uint256 agentId) {
        agentId = _mintAgent();
        _emitRegistered(agentId, "");
    }

    function register(string memory agentURI) external returns (uint256 agentId) {
        agentId = _mintAgent();
        _setTokenURI(agentId, agentURI);
        _emitRegistered(agentId, agentURI);
    }

    function register(string memory agentURI, MetadataEntry[] memory metadata) external returns (uint256 agentId) {
        agentId = _mintAgent();
        _setTokenURI(agentId, agentURI);
        _emitRegistered(agentId, agentURI);
        for (uint256 i; i < metadata.length; i++) {
            require(keccak256(bytes(metadata[i].metadataKey)) != AGENT_WALLET_KEY_HASH, "reserved key");
            _metadata[agentId][metadata[i].metadataKey] = metadata[i].metadataValue;
            emit MetadataSet(agentId, metadata[i].metadataKey, metadata[i].metadataKey, metadata[i].metadataValue);
        }
    }

    /// @dev The wallet is written before `_safeMint` so it is already set when `onERC721Received` runs.
    function _mintAgent() private returns (uint256 agentId) {
        agentId = _lastId++;
        _metadata[agentId][AGENT_WALLET_KEY] = abi.encodePacked(msg.sender);
        _safeMint(msg.sender, agentId);
    }

    /// @dev Reference order: Transfer (mint), [MetadataUpdate (URI)], Registered, MetadataSet(agentWallet).
    function _emitRegistered(uint256 agentId, string memory agentURI) private {
        emit Registered(agentId, agentURI, msg.sender);
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, abi.encodePacked(msg.sender));
    }

    // ------------------------------------------------------------------ URI and metadata

    function setAgentURI(uint256 agentId, string calldata newURI) external {
        _requireAuthorized(agentId);
        _setTokenURI(agentId, newURI);
        emit URIUpdated(agentId, newURI, msg.sender);
    }

    function getMetadata(uint256 agentId, string memory metadataKey) external view returns (bytes memory) {
        return _metadata[agentId][metadataKey];
    }

    function setMetadata(uint256 agentId, string memory metadataKey, bytes memory metadataValue) external {
        _requireAuthorized(agentId);
        require(keccak256(bytes(metadataKey)) != AGENT_WALLET_KEY_HASH, "reserved key");
        _metadata[agentId][metadataKey] = metadataValue;
        emit MetadataSet(agentId, metadataKey, metadataKey, metadataValue);
    }

    // ------------------------------------------------------------------ agentWallet

    /// @notice The verified payment address, or address(0) when unset or when the agent does not exist.
    function getAgentWallet(uint256 agentId) external view returns (address) {
        return address(bytes20(_metadata[agentId][AGENT_WALLET_KEY]));
    }

    /// @notice Sets the agent's wallet; `newWallet` proves control by signing the EIP-712 `AgentWalletSet`
    /// (ECDSA, which also covers EIP-7702 delegated EOAs, then ERC-1271). The deadline may be at most 5 minutes
    /// ahead. There is no nonce: as in the reference, a signature can be replayed until its deadline.
    function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes calldata signature)
        external
    {
        address owner = _requireAuthorized(agentId);
        require(newWallet != address(0), "bad wallet");
        require(block.timestamp <= deadline, "expired");
        require(deadline <= block.timestamp + MAX_DEADLINE_DELAY, "deadline too far");

        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(AGENT_WALLET_SET_TYPEHASH, agentId, newWallet, owner, deadline)));
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != newWallet) {
            require(
                SignatureChecker.isValidERC1271SignatureNowCalldata(newWallet, digest, signature), "invalid wallet sig"
            );
        }

        _metadata[agentId][AGENT_WALLET_KEY] = abi.encodePacked(newWallet);
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, abi.encodePacked(newWallet));
    }

    function unsetAgentWallet(uint256 agentId) external {
        _requireAuthorized(agentId);
        _clearAgentWallet(agentId);
    }

    function _clearAgentWallet(uint256 agentId) private {
        _metadata[agentId][AGENT_WALLET_KEY] = "";
        emit MetadataSet(agentId, AGENT_WALLET_KEY, AGENT_WALLET_KEY, "");
    }

    // ------------------------------------------------------------------ authorization, transfers, version

    /// @inheritdoc IIdentityRegistry
    function isAuthorizedOrOwner(address spender, uint256 agentId) external view returns (bool) {
        return _isAuthorized(ownerOf(agentId), spender, agentId);
    }

    function getVersion() external pure returns (string memory) {
        return "2.0.0";
    }

    /// @dev Reverts `ERC721NonexistentToken` for an unknown agent, "Not authorized" for anyone but the owner,
    /// an approved-for-all operator or the token-approved address. Returns the owner.
    function _requireAuthorized(uint256 agentId) private view returns (address owner) {
        owner = ownerOf(agentId);
        require(_isAuthorized(owner, msg.sender, agentId), "Not authorized");
    }

    /// @dev A transfer (not a mint) clears the verified wallet before the balance update and the receiver hook,
    /// so a new owner must prove a wallet again.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        address from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) {
            _clearAgentWallet(tokenId);
        }
        return super._update(to, tokenId, auth);
    }
}
