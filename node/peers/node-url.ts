// A node's id is its base URL in one canonical form, so that one node cannot appear under two
// ids; and the error the peers concern refuses with, in a sentence for the administrator.

export class PeerError extends Error {}

/** Normalises a node URL to its id form: origin plus path, no trailing slash, no query. */
export function normaliseNodeUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new PeerError(`"${input}" is not a URL; give the peer's base URL, e.g. https://node.example.org.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PeerError('A node URL must start with https:// (or http:// on a test network).');
  if (url.username || url.password || url.search || url.hash) throw new PeerError('A node URL has no credentials, query or fragment.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Whether `url` is a node id in its one canonical form. */
export function isCanonicalNodeId(url: string): boolean {
  try {
    return normaliseNodeUrl(url) === url;
  } catch {
    return false;
  }
}
