// Reading requests of the local API: JSON bodies validated against spec/local.yaml, and ids in paths.
import type { Context } from 'hono';
import { describeErrors, validatorFor } from '../schema/validators.js';
import type { LocalEnv } from './auth.js';
import { DomainError } from '../errors.js';
import { mediaTypeOf, readBodyWithin } from '../net/body.js';

const MAX_REQUEST_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` is written as a UUID (the form of every referral, consent, service and user id). */
export const isUuid = (id: string): boolean => UUID.test(id);

export function uuidParam(id: string, what: string): string {
  if (!isUuid(id)) throw new DomainError(400, 'invalid-request', `Invalid ${what} id`, `A ${what} id is a UUID.`);
  return id;
}

export const referralIdParam = (id: string): string => uuidParam(id, 'referral');

export async function jsonBody<T>(c: Context<LocalEnv>, schemaName: string): Promise<T> {
  const mediaType = mediaTypeOf(c.req.header('content-type'));
  if (mediaType !== 'application/json') {
    throw new DomainError(415, 'unsupported-media-type', 'Unsupported media type', 'Send the request as application/json.');
  }
  const text = await readBodyWithin(c.req.raw, MAX_REQUEST_BYTES);
  if (text === undefined) throw new DomainError(422, 'invalid-request', 'Request too large', 'The request body is larger than 1 MiB.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError(400, 'invalid-request', 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const check = validatorFor('local', schemaName);
  if (!check(value)) throw invalidRequest(check.errors);
  return value as T;
}

export function invalidRequest(errors: Parameters<typeof describeErrors>[0], status: 400 | 422 = 422): DomainError {
  return new DomainError(status, 'invalid-request', 'Invalid request', 'The request does not match the API schema; see errors.', {
    errors: describeErrors(errors),
  });
}
