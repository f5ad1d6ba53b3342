/** What the stand-in model produced: its tokens, one a word. */
export type Generation = { tokens: string[] }

const vocabulary = ['paid', 'per', 'token', 'the', 'agent', 'reads', 'what', 'it', 'bought']

/**
 * A stand-in for a language model: answers a prompt with as many tokens as the prompt has words,
 * at most `maxTokens`. Deterministic, so a test knows what each call costs.
 */
export function generate(prompt: string, { maxTokens }: { maxTokens: number }): Generation {
  const count = Math.min(prompt.trim().split(/\s+/).filter(Boolean).length, maxTokens)
  return { tokens: Array.from({ length: count }, (_, i) => vocabulary[i % vocabulary.length]!) }
}
