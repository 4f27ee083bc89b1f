// One error class for both APIs: a status and a stable problem type, written as
// application/problem+json (RFC 9457). Details are written for the caller and never contain
// personal data; 500s carry none at all.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const PROBLEM_PREFIX = 'urn:refnet:problem:';

export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly problem: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  get type(): string {
    return `${PROBLEM_PREFIX}${this.problem}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...this.extra,
    };
  }
}

export function problemResponse(c: Context, error: ProblemError): Response {
  return c.body(JSON.stringify(error.toJSON()), error.status, {
    ...error.headers,
    'content-type': 'application/problem+json',
  });
}

export const internalError = (): ProblemError =>
  new ProblemError(500, 'internal-error', 'Internal error', 'The node could not complete the request; it has been logged.');
