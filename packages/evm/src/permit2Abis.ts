// The ABIs of the Permit2 path: the parts of Permit2 and of the x402 proxies that are called or decoded.

/** Permit2's `nonceBitmap` and `DOMAIN_SEPARATOR`, and the errors its signature transfers revert with. */
export const permit2Abi = [
  {
    type: 'function',
    name: 'nonceBitmap',
    stateMutability: 'view',
    inputs: [
      { name: 'owner', type: 'address' },
      { name: 'wordPosition', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'DOMAIN_SEPARATOR',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  { type: 'error', name: 'InvalidNonce', inputs: [] },
  {
    type: 'error',
    name: 'SignatureExpired',
    inputs: [{ name: 'signatureDeadline', type: 'uint256' }],
  },
  { type: 'error', name: 'InvalidSignature', inputs: [] },
  { type: 'error', name: 'InvalidSigner', inputs: [] },
  { type: 'error', name: 'InvalidSignatureLength', inputs: [] },
  { type: 'error', name: 'InvalidContractSignature', inputs: [] },
  {
    type: 'error',
    name: 'InvalidAmount',
    inputs: [{ name: 'maxAmount', type: 'uint256' }],
  },
] as const

const permitTuple = {
  name: 'permit',
  type: 'tuple',
  components: [
    {
      name: 'permitted',
      type: 'tuple',
      components: [
        { name: 'token', type: 'address' },
        { name: 'amount', type: 'uint256' },
      ],
    },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

/** Errors both x402 Permit2 proxies revert with. */
const proxyErrors = [
  { type: 'error', name: 'InvalidDestination', inputs: [] },
  { type: 'error', name: 'PaymentTooEarly', inputs: [] },
  { type: 'error', name: 'InvalidOwner', inputs: [] },
  { type: 'error', name: 'InvalidAmount', inputs: [] },
  { type: 'error', name: 'Permit2612AmountMismatch', inputs: [] },
  { type: 'error', name: 'UnauthorizedFacilitator', inputs: [] },
  { type: 'error', name: 'AmountExceedsPermitted', inputs: [] },
] as const

/** `x402ExactPermit2Proxy.settle` and `PERMIT2()`. */
export const exactPermit2ProxyAbi = [
  {
    type: 'function',
    name: 'settle',
    stateMutability: 'nonpayable',
    inputs: [
      permitTuple,
      { name: 'owner', type: 'address' },
      {
        name: 'witness',
        type: 'tuple',
        components: [
          { name: 'to', type: 'address' },
          { name: 'validAfter', type: 'uint256' },
        ],
      },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'PERMIT2',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address' }],
  },
  ...proxyErrors,
] as const

/** `x402UptoPermit2Proxy.settle` and `PERMIT2()`. */
export const uptoPermit2ProxyAbi = [
  {
    type: 'function',
    name: 'settle',
    stateMutability: 'nonpayable',
    inputs: [
      permitTuple,
      { name: 'amount', type: 'uint256' },
      { name: 'owner', type: 'address' },
      {
        name: 'witness',
        type: 'tuple',
        components: [
          { name: 'to', type: 'address' },
          { name: 'facilitator', type: 'address' },
          { name: 'validAfter', type: 'uint256' },
        ],
      },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'PERMIT2',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address' }],
  },
  ...proxyErrors,
] as const

/** ERC-20 `allowance`, to read what a payer approved Permit2 for. */
export const erc20AllowanceAbi = [
  {
    type: 'function',
    name: 'allowance',
    stateMutability: 'view',
    inputs: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
    ],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const
