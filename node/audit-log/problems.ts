// The problem types of the log and witness endpoints (spec/federation.yaml lists them), with the
// status each is answered with. Details are fixed sentences: they never quote the request.
import { catalogued, type ProblemCatalogue, type DomainError } from '../errors.js';

export const logProblems = {
  'invalid-parameters': [400, 'Invalid parameters', 'The query parameters do not match the API; see errors.'],
  'beyond-log-size': [422, 'Beyond the log', 'The log is not that large: ask for sizes and indices up to its current size.'],
  'no-checkpoint': [404, 'No checkpoint yet', 'This node has not signed a checkpoint yet; ask again later.'],
  'leaf-not-found': [404, 'No such entry', 'No entry with this leaf hash is within the tree size asked for.'],
  'witness-request-too-large': [413, 'Request too large', 'An add-checkpoint request is at most 64 KiB.'],
  'malformed-witness-request': [400, 'Malformed add-checkpoint request', 'The body is not "old <size>", up to 63 base64 proof lines, an empty line and a signed checkpoint.'],
  'not-log-origin': [403, 'Not your log', 'A node may only submit checkpoints of its own log (origin line <node id without scheme>/audit-log).'],
  'bad-checkpoint-signature': [403, 'Bad checkpoint signature', 'The checkpoint has no valid signature by your pinned signing key.'],
  'checkpoint-conflict': [409, 'Checkpoint conflicts with an earlier one', 'You signed another root hash for this tree size before; the witness keeps both as evidence.'],
  'inconsistent-checkpoint': [422, 'Inconsistent checkpoint', 'The consistency proof does not lead from the checkpoint this witness holds to the one submitted.'],
} as const satisfies ProblemCatalogue;

export type LogProblem = keyof typeof logProblems;

export function logProblem(name: LogProblem, detail?: string, extra: Record<string, unknown> = {}): DomainError {
  return catalogued(logProblems, name, { detail, extra });
}
