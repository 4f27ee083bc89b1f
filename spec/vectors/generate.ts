// Writes the protocol test vectors (spec/vectors/*.json) from fixed inputs with the node's own
// code: `npm run gen:vectors`. The same inputs give the same bytes, so
// tests/protocol/vectors.test.ts fails when the files and the node no longer agree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkpointVector, cosignatureVector, logEntries, merkleVector } from './audit-log.js';
import { invalidVector } from './hostile.js';
import { SEEDS, signingKeyFromSeed, vectorNode } from './inputs.js';
import { envelopeVector, identityVector, keysVector, receiptVector, sealingDraws, serviceTokenVector, type Vector } from './messages.js';

export const VECTOR_FILES = [
  'keys.json', 'identity-document.json', 'envelope.json', 'receipt.json', 'service-token.json',
  'checkpoint.json', 'cosignature.json', 'merkle.json', 'invalid.json',
] as const;

export type VectorFile = (typeof VECTOR_FILES)[number];

export const vectorPath = (file: VectorFile): string => fileURLToPath(new URL(`./${file}`, import.meta.url));

const text = (vector: Vector): string => `${JSON.stringify(vector, null, 2)}\n`;

/** Every vector file's text, as `npm run gen:vectors` writes it. */
export async function generateVectors(): Promise<Record<VectorFile, string>> {
  const athens = await vectorNode('athens');
  const vienna = await vectorNode('vienna');
  const unpinned = await signingKeyFromSeed(SEEDS.unpinned.signing);
  const draws = await sealingDraws(athens, vienna);

  const envelope = await envelopeVector(athens, vienna, draws);
  const receipt = await receiptVector(vienna, envelope.payload_digest as string);
  const entries = logEntries(athens, vienna);
  const checkpoint = await checkpointVector(athens, entries);
  const cosignature = await cosignatureVector(vienna, checkpoint.note as string);
  const made = { receipt: (receipt.jws as { compact: string }).compact, cosignatureLine: cosignature.line as string, entries };
  return {
    'keys.json': text(keysVector(athens, vienna, unpinned)),
    'identity-document.json': text(await identityVector(athens, vienna)),
    'envelope.json': text(envelope),
    'receipt.json': text(receipt),
    'service-token.json': text(await serviceTokenVector(athens)),
    'checkpoint.json': text(checkpoint),
    'cosignature.json': text(cosignature),
    'merkle.json': text(merkleVector(entries)),
    'invalid.json': text(await invalidVector({ athens, vienna, unpinned }, draws, made)),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const vectors = await generateVectors();
  for (const file of VECTOR_FILES) {
    const path = vectorPath(file);
    let previous = '';
    try {
      previous = readFileSync(path, 'utf8');
    } catch {
      // first generation
    }
    if (previous !== vectors[file]) writeFileSync(path, vectors[file]);
    console.log(`${previous === vectors[file] ? 'unchanged' : 'wrote'} ${path}`);
  }
}
