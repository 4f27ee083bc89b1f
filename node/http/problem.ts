// The HTTP face of the node's refusals: a DomainError (errors.ts) written as
// application/problem+json (RFC 9457), with the status its problem type has in the protocol.
import type { Context } from 'hono';
import { DomainError, TooManyRequests } from '../errors.js';

export function problemResponse(c: Context, error: DomainError): Response {
  return c.body(JSON.stringify(error.toJSON()), error.status, {
    ...(error.challenge ? { 'www-authenticate': error.challenge } : {}),
    ...(error instanceof TooManyRequests ? { 'retry-after': String(error.retryAfterSeconds) } : {}),
    'content-type': 'application/problem+json',
  });
}
