// The part of `BatchSettler.sol` (in `@tollgate/contracts`) the settler calls and reads, kept here so
// the facilitator does not depend on the contracts package; a test checks it against the artifact.

const authorizationFields = [
  { name: 'token', type: 'address' },
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const

/** ABI of the batch settler: `settle`, `settlePacked`, `settleWithSignatures` and their events. */
export const batchSettlerAbi = [
  {
    type: 'function',
    name: 'settle',
    stateMutability: 'nonpayable',
    inputs: [
      {
        name: 'items',
        type: 'tuple[]',
        components: [
          ...authorizationFields,
          { name: 'v', type: 'uint8' },
          { name: 'r', type: 'bytes32' },
          { name: 's', type: 'bytes32' },
        ],
      },
    ],
    outputs: [{ name: 'settled', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'settlePacked',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'data', type: 'bytes' }],
    outputs: [{ name: 'settled', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'settleWithSignatures',
    stateMutability: 'nonpayable',
    inputs: [
      {
        name: 'items',
        type: 'tuple[]',
        components: [...authorizationFields, { name: 'signature', type: 'bytes' }],
      },
    ],
    outputs: [{ name: 'settled', type: 'uint256' }],
  },
  {
    type: 'event',
    name: 'AuthorizationFailed',
    anonymous: false,
    inputs: [
      { name: 'token', type: 'address', indexed: true },
      { name: 'from', type: 'address', indexed: true },
      { name: 'nonce', type: 'bytes32', indexed: true },
      { name: 'reason', type: 'bytes', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'BatchSettled',
    anonymous: false,
    inputs: [
      { name: 'settled', type: 'uint256', indexed: false },
      { name: 'failed', type: 'uint256', indexed: false },
    ],
  },
] as const
