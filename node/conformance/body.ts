// Bodies the kit reads (a target's answers, what is posted to the kit's own endpoints) are read up
// to a limit and no further: a hostile target or a local process cannot exhaust its memory. The
// node has the same reader (net/body.ts); the kit keeps its own, as it keeps its own copy of all it
// needs (the message types, the crypto, the Merkle code): it may import nothing of the node.

/** The body as text, or undefined (and the rest left unread) once it passes `maxBytes`. */
export async function textWithin(message: Request | Response, maxBytes: number): Promise<string | undefined> {
  if (!message.body) return '';
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
