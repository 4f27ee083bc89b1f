// Reading the body of a web message (a request to this node, or a response from a peer) with a
// hard size limit, so a large or endless body is cut off early instead of being buffered whole.
// Below both the HTTP layer and the clients of other nodes, which use it alike.

/** The body (of a request, or a response from a peer) as UTF-8 text, or undefined when it is larger than `limit` bytes. */
export async function readBodyWithin(request: Request | Response, limit: number): Promise<string | undefined> {
  return (await readBytesWithin(request, limit))?.toString('utf8');
}

/** The body as bytes, or undefined when it is larger than `limit` bytes. */
export async function readBytesWithin(request: Request | Response, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return undefined;
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export const mediaTypeOf = (contentType: string | null | undefined): string => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
