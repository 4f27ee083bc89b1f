// Values computed once per request path's inputs (node/util/bounded-cache.ts): kept, reused, and
// bounded, the least recently used going first.
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../node/util/bounded-cache.js';
import { generateSigningKey, importSigningPublicKey } from '../../node/identity/keys.js';

describe('a bounded cache', () => {
  it('makes a value once, keeps at most its size, and lets the least recently used go first', () => {
    const made: string[] = [];
    const cache = new BoundedCache<string, string>(2);
    const get = (key: string) => cache.get(key, (k) => (made.push(k), k.toUpperCase()));
    expect(get('a')).toBe('A');
    expect(get('b')).toBe('B');
    expect(get('a')).toBe('A');
    expect(made).toEqual(['a', 'b']);
    get('c'); // b is the least recently used now
    expect(cache.count).toBe(2);
    get('a');
    get('b');
    expect(made).toEqual(['a', 'b', 'c', 'b']);
    cache.forget('b');
    get('b');
    expect(made).toEqual(['a', 'b', 'c', 'b', 'b']);
  });

  it('imports a peer\'s public signing key once for all the requests it signs', async () => {
    const { publicJwk } = (await generateSigningKey()).key;
    const first = await importSigningPublicKey(publicJwk);
    expect(await importSigningPublicKey({ ...publicJwk })).toBe(first);
    const other = await generateSigningKey();
    expect(await importSigningPublicKey(other.key.publicJwk)).not.toBe(first);
  });
});
