/**
 * The one error table and the one error class. Every failure a caller can see has a stable
 * machine code here, and the compiler refuses a code without an HTTP status.
 * Messages must be log-safe: they never contain request values, only field paths.
 */

export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  payload_too_large: 413,
  json_too_complex: 400,
  /** The body stopped before its end (the client closed the connection, or its framing was broken). */
  body_unreadable: 400,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  invalid_token: 400,
  not_found: 404,
  token_expired: 410,
  method_not_allowed: 405,
  conflict: 409,
  precondition_required: 428,
  queue_unavailable: 503,
  /** A privacy operation could not finish (a merge of the person's ids under way, storage failing): retry it. */
  profile_unavailable: 503,
  catalog_unavailable: 503,
  service_misconfigured: 503,
  internal: 500,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 422 | 428 | 429 | 500 | 503>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with one field. `path` is a dotted path with array indexes, e.g. `imp[0].banner.w`. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: (typeof ERROR_STATUS)[ErrorCode];

  constructor(
    readonly code: ErrorCode,
    /** Log-safe: no user values, ids or request content. */
    message: string,
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }

  toJSON(): ErrorBody {
    const first = this.issues[0];
    return {
      error: {
        code: this.code,
        status: this.status,
        message: this.message,
        ...(first ? { path: first.path } : {}),
        ...(this.issues.length > 0 ? { issues: this.issues } : {}),
      },
    };
  }
}

export interface ErrorBody {
  error: {
    code: ErrorCode;
    status: number;
    message: string;
    /** The first offending field, for callers that only show one. */
    path?: string;
    issues?: readonly FieldIssue[];
  };
}

/** Renders a path like `['imp', 0, 'banner', 'w']` as `imp[0].banner.w`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}
