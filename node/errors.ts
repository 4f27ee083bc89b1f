// The ground floor's error: every concern of the node refuses with a DomainError, naming one of
// the protocol's problem types (spec/*.yaml `ProblemType`) and the status the protocol gives it.
// Nothing here knows HTTP: http/problem.ts writes a DomainError as application/problem+json, the
// CLI as a sentence, the web interface as a notice. Details are written for the caller and never
// contain personal data.

/** The statuses the protocol's problem types are answered with. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 406 | 408 | 409 | 410 | 412 | 413 | 415 | 417 | 422 | 425 | 429 | 431 | 500 | 502 | 503 | 504;

export const PROBLEM_PREFIX = 'urn:refnet:problem:';

export class DomainError extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly problem: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    /** For a refusal of missing or bad credentials: the authentication scheme the caller should use. */
    readonly challenge?: string,
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
export type ProblemCatalogue = Readonly<Record<string, readonly [ProblemStatus, string, string]>>;

/** The problem `name` of `catalogue`, with its default detail unless another is given. */
export function catalogued<C extends ProblemCatalogue>(
  catalogue: C,
  name: keyof C & string,
  options: { detail?: string | undefined; status?: ProblemStatus; extra?: Record<string, unknown>; challenge?: string } = {},
): DomainError {
  const [status, title, defaultDetail] = catalogue[name]!;
  return new DomainError(options.status ?? status, name, title, options.detail ?? defaultDetail, options.extra ?? {}, options.challenge);
}

export const internalError = (): DomainError =>
  new DomainError(500, 'internal-error', 'Internal error', 'The node could not complete the request; it has been logged.');

/** Too many requests from one caller (http/rate-limits.ts, users/sign-in-guard.ts): it may try again after `retryAfterSeconds`. */
export class TooManyRequests extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    detail = `Too many requests; try again in ${retryAfterSeconds} seconds.`,
  ) {
    super(429, 'rate-limited', 'Too many requests', detail);
  }
}
