// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title ERC-8004 Reputation Registry (non-upgradeable).
/// @notice Feedback from clients about agents of one Identity Registry. Same selectors, events, event layouts,
/// maths and revert strings as the reference `ReputationRegistryUpgradeable` v2.0.0; a constructor replaces
/// `initialize` and there is no UUPS/Ownable surface.
contract ReputationRegistry {
    event NewFeedback(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        int128 value,
        uint8 valueDecimals,
        string indexed indexedTag1,
        string tag1,
        string tag2,
        string endpoint,
        string feedbackURI,
        bytes32 feedbackHash
    );

    event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex);

    event ResponseAppended(
        uint256 indexed agentId,
        address indexed clientAddress,
        uint64 feedbackIndex,
        address indexed responder,
        string responseURI,
        bytes32 responseHash
    );

    struct Feedback {
        int128 value;
        uint8 valueDecimals;
        bool isRevoked;
        string tag1;
        string tag2;
    }

    /// @dev The columns `readAllFeedback` returns, gathered in one memory struct.
    struct FeedbackList {
        address[] clients;
        uint64[] feedbackIndexes;
        int128[] values;
        uint8[] valueDecimals;
        string[] tag1s;
        string[] tag2s;
        bool[] revoked;
    }

    int128 private constant MAX_ABS_VALUE = 1e38;
    bytes32 private constant EMPTY_HASH = keccak256("");

    address private immutable _identityRegistry;

    /// @dev agentId => client => feedbackIndex (from 1) => feedback.
    mapping(uint256 => mapping(address => mapping(uint64 => Feedback))) private _feedback;
    /// @dev agentId => client => last feedbackIndex (0 when the client gave none).
    mapping(uint256 => mapping(address => uint64)) private _lastIndex;
    /// @dev agentId => client => feedbackIndex => responder => number of responses.
    mapping(uint256 => mapping(address => mapping(uint64 => mapping(address => uint64)))) private _responseCount;
    mapping(uint256 => mapping(address => mapping(uint64 => address[]))) private _responders;
    mapping(uint256 => mapping(address => mapping(uint64 => mapping(address => bool)))) private _responderExists;
    /// @dev agentId => clients in order of their first feedback.
    mapping(uint256 => address[]) private _clients;
    mapping(uint256 => mapping(address => bool)) private _clientExists;

    constructor(address identityRegistry_) {
        require(identityRegistry_ != address(0), "bad identity");
        _identityRegistry = identityRegistry_;
    }

    function getIdentityRegistry() external view returns (address) {
        return _identityRegistry;
    }

    function getVersion() external pure returns (string memory) {
        return "2.0.0";
    }

    // ------------------------------------------------------------------ writes

    /// @notice Records feedback from `msg.sender`, who must not be the agent's owner or one of its operators
    /// (that check also reverts `ERC721NonexistentToken` for an unknown agent). Only value, decimals, tags and
    /// the revoked flag are stored; endpoint, feedbackURI and feedbackHash live in the event.
    function giveFeedback(
        uint256 agentId,
        int128 value,
        uint8 valueDecimals,
        string memory tag1,
        string memory tag2,
        string memory endpoint,
        string memory feedbackURI,
        bytes32 feedbackHash
    ) external {
        // `memory` rather than `calldata` strings keep this under the stack limit without via-IR.
        require(valueDecimals <= 18, "too many decimals");
        require(value >= -MAX_ABS_VALUE && value <= MAX_ABS_VALUE, "value too large");
        require(
            !IIdentityRegistry(_identityRegistry).isAuthorizedOrOwner(msg.sender, agentId), "Self-feedback not allowed"
        );

        uint64 feedbackIndex = ++_lastIndex[agentId][msg.sender];
        _feedback[agentId][msg.sender][feedbackIndex] =
            Feedback({value: value, valueDecimals: valueDecimals, isRevoked: false, tag1: tag1, tag2: tag2});

        if (!_clientExists[agentId][msg.sender]) {
            _clients[agentId].push(msg.sender);
            _clientExists[agentId][msg.sender] = true;
        }

        emit NewFeedback(
            agentId, msg.sender, feedbackIndex, value, valueDecimals, tag1, tag1, tag2, endpoint, feedbackURI, feedbackHash
        );
    }

    function revokeFeedback(uint256 agentId, uint64 feedbackIndex) external {
        require(feedbackIndex > 0, "index must be > 0");
        require(feedbackIndex <= _lastIndex[agentId][msg.sender], "index out of bounds");
        Feedback storage fb = _feedback[agentId][msg.sender][feedbackIndex];
        require(!fb.isRevoked, "Already revoked");
        fb.isRevoked = true;
        emit FeedbackRevoked(agentId, msg.sender, feedbackIndex);
    }

    /// @notice Anyone may respond to any existing feedback, revoked or not.
    function appendResponse(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        string calldata responseURI,
        bytes32 responseHash
    ) external {
        require(feedbackIndex > 0, "index must be > 0");
        require(bytes(responseURI).length > 0, "Empty URI");
        require(feedbackIndex <= _lastIndex[agentId][clientAddress], "index out of bounds");

        if (!_responderExists[agentId][clientAddress][feedbackIndex][msg.sender]) {
            _responders[agentId][clientAddress][feedbackIndex].push(msg.sender);
            _responderExists[agentId][clientAddress][feedbackIndex][msg.sender] = true;
        }
        _responseCount[agentId][clientAddress][feedbackIndex][msg.sender]++;

        emit ResponseAppended(agentId, clientAddress, feedbackIndex, msg.sender, responseURI, responseHash);
    }

    // ------------------------------------------------------------------ reads

    function getLastIndex(uint256 agentId, address clientAddress) external view returns (uint64) {
        return _lastIndex[agentId][clientAddress];
    }

    function getClients(uint256 agentId) external view returns (address[] memory) {
        return _clients[agentId];
    }

    function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)
        external
        view
        returns (int128 value, uint8 valueDecimals, string memory tag1, string memory tag2, bool isRevoked)
    {
        require(feedbackIndex > 0, "index must be > 0");
        require(feedbackIndex <= _lastIndex[agentId][clientAddress], "index out of bounds");
        Feedback storage fb = _feedback[agentId][clientAddress][feedbackIndex];
        return (fb.value, fb.valueDecimals, fb.tag1, fb.tag2, fb.isRevoked);
    }

    /// @notice Average of the non-revoked feedback from `clientAddresses` (required: the caller chooses whom to
    /// trust) matching the tags ("" matches any). Every value is scaled to 18 decimals, the sum divided by the
    /// count (truncating), then scaled down (truncating) to the most frequent `valueDecimals`, ties going to
    /// the smaller.
    function getSummary(uint256 agentId, address[] calldata clientAddresses, string calldata tag1, string calldata tag2)
        external
        view
        returns (uint64 count, int128 summaryValue, uint8 summaryValueDecimals)
    {
        require(clientAddresses.length > 0, "clientAddresses required");

        bytes32 tag1Hash = keccak256(bytes(tag1));
        bytes32 tag2Hash = keccak256(bytes(tag2));
        int256 sum;
        uint64[19] memory decimalCounts;
        for (uint256 i; i < clientAddresses.length; i++) {
            sum += _sumClient(agentId, clientAddresses[i], tag1Hash, tag2Hash, decimalCounts);
        }
        for (uint8 d; d <= 18; d++) {
            count += decimalCounts[d];
        }

        if (count == 0) return (0, 0, 0);

        uint64 maxCount;
        for (uint8 d; d <= 18; d++) {
            if (decimalCounts[d] > maxCount) {
                maxCount = decimalCounts[d];
                summaryValueDecimals = d;
            }
        }
        int256 averageWad = sum / int256(uint256(count));
        summaryValue = int128(averageWad / int256(10 ** uint256(18 - summaryValueDecimals)));
    }

    /// @dev Adds one client's non-revoked matching feedback: returns the sum of the values scaled to 18
    /// decimals and counts each one in `decimalCounts[valueDecimals]`.
    function _sumClient(
        uint256 agentId,
        address client,
        bytes32 tag1Hash,
        bytes32 tag2Hash,
        uint64[19] memory decimalCounts
    ) private view returns (int256 sum) {
        uint64 lastIdx = _lastIndex[agentId][client];
        for (uint64 j = 1; j <= lastIdx; j++) {
            Feedback storage fb = _feedback[agentId][client][j];
            if (fb.isRevoked || !_tagsMatch(fb, tag1Hash, tag2Hash)) continue;
            sum += int256(fb.value) * int256(10 ** uint256(18 - fb.valueDecimals));
            decimalCounts[fb.valueDecimals]++;
        }
    }

    /// @notice Every feedback matching the filters, flattened; an empty `clientAddresses` means every client.
    /// @dev `memory` parameters and the `FeedbackList` struct keep this under the stack limit without via-IR.
    function readAllFeedback(
        uint256 agentId,
        address[] memory clientAddresses,
        string memory tag1,
        string memory tag2,
        bool includeRevoked
    )
        external
        view
        returns (
            address[] memory clients,
            uint64[] memory feedbackIndexes,
            int128[] memory values,
            uint8[] memory valueDecimals,
            string[] memory tag1s,
            string[] memory tag2s,
            bool[] memory revokedStatuses
        )
    {
        if (clientAddresses.length == 0) clientAddresses = _clients[agentId];
        FeedbackList memory list =
            _collect(agentId, clientAddresses, keccak256(bytes(tag1)), keccak256(bytes(tag2)), includeRevoked);
        return (list.clients, list.feedbackIndexes, list.values, list.valueDecimals, list.tag1s, list.tag2s, list.revoked);
    }

    function _collect(
        uint256 agentId,
        address[] memory clientList,
        bytes32 tag1Hash,
        bytes32 tag2Hash,
        bool includeRevoked
    ) private view returns (FeedbackList memory list) {
        uint256 total;
        for (uint256 i; i < clientList.length; i++) {
            uint64 lastIdx = _lastIndex[agentId][clientList[i]];
            for (uint64 j = 1; j <= lastIdx; j++) {
                if (_selected(_feedback[agentId][clientList[i]][j], tag1Hash, tag2Hash, includeRevoked)) total++;
            }
        }

        list.clients = new address[](total);
        list.feedbackIndexes = new uint64[](total);
        list.values = new int128[](total);
        list.valueDecimals = new uint8[](total);
        list.tag1s = new string[](total);
        list.tag2s = new string[](total);
        list.revoked = new bool[](total);

        uint256 k;
        for (uint256 i; i < clientList.length; i++) {
            uint64 lastIdx = _lastIndex[agentId][clientList[i]];
            for (uint64 j = 1; j <= lastIdx; j++) {
                Feedback storage fb = _feedback[agentId][clientList[i]][j];
                if (!_selected(fb, tag1Hash, tag2Hash, includeRevoked)) continue;
                list.clients[k] = clientList[i];
                list.feedbackIndexes[k] = j;
                list.values[k] = fb.value;
                list.valueDecimals[k] = fb.valueDecimals;
                list.tag1s[k] = fb.tag1;
                list.tag2s[k] = fb.tag2;
                list.revoked[k] = fb.isRevoked;
                k++;
            }
        }
    }

    /// @notice Number of responses. `clientAddress == 0`: every feedback of every client of the agent;
    /// `feedbackIndex == 0`: every feedback of that client; empty `responders`: from every responder.
    function getResponseCount(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) external view returns (uint64 count) {
        if (clientAddress == address(0)) {
            address[] storage clients = _clients[agentId];
            for (uint256 i; i < clients.length; i++) {
                count += _countAllResponses(agentId, clients[i], responders);
            }
        } else if (feedbackIndex == 0) {
            count = _countAllResponses(agentId, clientAddress, responders);
        } else {
            count = _countResponses(agentId, clientAddress, feedbackIndex, responders);
        }
    }

    function _countAllResponses(uint256 agentId, address clientAddress, address[] calldata responders)
        private
        view
        returns (uint64 count)
    {
        uint64 lastIdx = _lastIndex[agentId][clientAddress];
        for (uint64 j = 1; j <= lastIdx; j++) {
            count += _countResponses(agentId, clientAddress, j, responders);
        }
    }

    function _countResponses(
        uint256 agentId,
        address clientAddress,
        uint64 feedbackIndex,
        address[] calldata responders
    ) private view returns (uint64 count) {
        mapping(address => uint64) storage counts = _responseCount[agentId][clientAddress][feedbackIndex];
        if (responders.length == 0) {
            address[] storage all = _responders[agentId][clientAddress][feedbackIndex];
            for (uint256 k; k < all.length; k++) {
                count += counts[all[k]];
            }
        } else {
            for (uint256 k; k < responders.length; k++) {
                count += counts[responders[k]];
            }
        }
    }

    function _selected(Feedback storage fb, bytes32 tag1Hash, bytes32 tag2Hash, bool includeRevoked)
        private
        view
        returns (bool)
    {
        return (includeRevoked || !fb.isRevoked) && _tagsMatch(fb, tag1Hash, tag2Hash);
    }

    /// @dev Filters are given as hashes; the hash of "" matches any tag.
    function _tagsMatch(Feedback storage fb, bytes32 tag1Hash, bytes32 tag2Hash) private view returns (bool) {
        if (tag1Hash != EMPTY_HASH && tag1Hash != keccak256(bytes(fb.tag1))) return false;
        if (tag2Hash != EMPTY_HASH && tag2Hash != keccak256(bytes(fb.tag2))) return false;
        return true;
    }
}
