// Reading the body of a web message (a request to this node, or a response from a peer) with a
// hard size limit, so a large or endless body is cut off early instead of being buffered whole.
// Below both the HTTP layer and the clients of other nodes, which use it alike.

/** The body (of a request, or a response from a peer) as UTF-8 text, or undefined when it is larger than `limit` bytes. */
export async function readBodyWithin(request: Request | Response, limit: number): Promise<string | undefined> {
  return (await readBytesWithin(request, limit))?.toString('utf8');
}

/** The body as bytes, or undefined when it is larger than `limit` bytes. */
export async function readBytesWithin(request: Request | Response, limit: number): Promise<Buffer | undefined> {
  const length = request.headers.get('content-length');
  const declared = length === null || !/^\d{1,15}$/.test(length) ? undefined : Number(length);
  if (declared !== undefined && declared > limit) return undefined;
  if (declared !== undefined) {
    // A declared length is held to by the HTTP parser (Node's server, fetch's client): the body
    // cannot be longer, so it is read whole. That is also the fast way on @hono/node-server, which
    // reads it from Node's request directly; a stream reader would build a WHATWG stream over it
    // (about 230 µs more per request). Checked again all the same.
    const bytes = Buffer.from(await request.arrayBuffer());
    return bytes.byteLength > limit ? undefined : bytes;
  }
  // No length declared (chunked): read as it comes, and stop once past the limit.
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
