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

/** A module's problem types: for each, the status, title and default detail it is answered with. */
export type ProblemCatalogue = Readonly<Record<string, readonly [ContentfulStatusCode, string, string]>>;

/** The problem `name` of `catalogue`, with its default detail unless another is given. */
export function catalogued<C extends ProblemCatalogue>(
  catalogue: C,
  name: keyof C & string,
  options: { detail?: string | undefined; status?: ContentfulStatusCode; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
): ProblemError {
  const [status, title, defaultDetail] = catalogue[name]!;
  return new ProblemError(options.status ?? status, name, title, options.detail ?? defaultDetail, options.extra ?? {}, options.headers ?? {});
}

export function problemResponse(c: Context, error: ProblemError): Response {
  return c.body(JSON.stringify(error.toJSON()), error.status, {
    ...error.headers,
    'content-type': 'application/problem+json',
  });
}

export const internalError = (): ProblemError =>
  new ProblemError(500, 'internal-error', 'Internal error', 'The node could not complete the request; it has been logged.');
