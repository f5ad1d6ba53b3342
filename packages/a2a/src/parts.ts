import type { Message, Part } from '@a2a-js/sdk'

/** A text part, as `@a2a-js/sdk` 1.x types it (`{ text }` on the A2A 1.0 wire). */
export function textPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: '',
  }
}

/** The text parts of a message, joined by newlines. */
export function readText(message: Pick<Message, 'parts'> | undefined): string {
  return (message?.parts ?? [])
    .map((part) => (part.content?.$case === 'text' ? part.content.value : undefined))
    .filter((text): text is string => text !== undefined)
    .join('\n')
}
