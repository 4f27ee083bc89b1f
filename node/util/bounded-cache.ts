// A map that keeps at most `size` entries, the least recently used going first: for values worth
// computing once (a peer's public key imported for WebCrypto, its key chain read from its identity
// document) that must not grow without bound when many peers come and go.
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(private readonly size: number) {}

  /** The value for `key`, made by `make` when it is not held (and then kept). */
  get(key: K, make: (key: K) => V): V {
    if (this.#entries.has(key)) {
      const value = this.#entries.get(key) as V;
      // Most recently used last.
      this.#entries.delete(key);
      this.#entries.set(key, value);
      return value;
    }
    const value = make(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value as K);
    return value;
  }

  forget(key: K): void {
    this.#entries.delete(key);
  }

  get count(): number {
    return this.#entries.size;
  }
}
