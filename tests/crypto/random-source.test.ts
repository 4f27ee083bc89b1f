// libsodium's randomness comes from the operating system's generator a page at a time
// (node/crypto/sodium.ts), not one system call per four bytes; and what it hands out is not kept.
import { describe, expect, it } from 'vitest';
import { loadSodium, pooledRandomSource, RANDOM_POOL_WORDS, sodiumRandomSource } from '../../node/crypto/sodium.js';

describe('the pooled random source', () => {
  it('fills a page at a time and zeroes each word it hands out', () => {
    const pages: Uint32Array[] = [];
    let counter = 0;
    const source = pooledRandomSource((words) => {
      pages.push(words);
      for (let i = 0; i < words.length; i += 1) words[i] = (counter += 1) + 0x8000_0000;
    }, 4);
    const drawn = Array.from({ length: 9 }, source);
    // Nine words from pages of four: three fills, every value the generator gave, in order.
    expect(drawn).toEqual(Array.from({ length: 9 }, (_, i) => i + 1 + 0x8000_0000));
    expect(pages).toHaveLength(3);
    // The page is reused; the word handed out last and those before it are zeros now.
    expect(pages[0]).toBe(pages[2]);
    expect(Array.from(pages[0]!.slice(0, 1))).toEqual([0]);
  });

  it('hands out unsigned 32-bit words from the operating system', () => {
    const source = pooledRandomSource();
    const words = Array.from({ length: RANDOM_POOL_WORDS * 3 }, source);
    expect(words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
    // 3,072 draws from 2^32 values: a repeat is vanishingly unlikely from a real generator, and
    // certain from a page handed out twice or a zeroed page.
    expect(new Set(words).size).toBe(words.length);
  });

  it('is what libsodium draws from, and its keys differ', async () => {
    const sodium = await loadSodium();
    const source = await sodiumRandomSource();
    // The wrapper's own source is a closure creating a Uint32Array per call; ours has a fixed page.
    expect(source.toString()).toContain('pool');
    const keys = Array.from({ length: 200 }, () => sodium.to_hex(sodium.randombytes_buf(32)));
    expect(new Set(keys).size).toBe(keys.length);
    const pair = sodium.crypto_box_keypair();
    const message = sodium.from_string('canary');
    expect(sodium.to_string(sodium.crypto_box_seal_open(sodium.crypto_box_seal(message, pair.publicKey), pair.publicKey, pair.privateKey))).toBe('canary');
  });
});
