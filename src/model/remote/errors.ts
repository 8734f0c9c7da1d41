// Named errors of the remote backends; `reason` is the few words the status bar shows.

export type RemoteFailure =
  | 'unreachable'
  | 'unauthorized'
  | 'model-not-found'
  | 'context-too-long'
  | 'timeout'
  | 'server-error'
  | 'bad-reply';

export class RemoteBackendError extends Error {
  override readonly name: string = 'RemoteBackendError';
  constructor(
    readonly failure: RemoteFailure,
    /** A few words for the status bar, e.g. `server unreachable`. */
    readonly reason: string,
    message: string,
    options?: ErrorOptions & { status?: number },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

/** No connection could be made (refused, reset, no such host) after the retries. */
export class RemoteUnreachableError extends RemoteBackendError {
  override readonly name = 'RemoteUnreachableError';
  constructor(endpoint: string, options?: ErrorOptions) {
    super('unreachable', 'server unreachable', `cannot reach ${endpoint}`, options);
  }
}

/** 401 or 403: the API key is missing or wrong. */
export class RemoteAuthError extends RemoteBackendError {
  override readonly name = 'RemoteAuthError';
  constructor(url: string, status: number, detail: string) {
    super(
      'unauthorized',
      `${status} unauthorized`,
      `${url} answered ${status}${detail ? `: ${detail}` : ''} (set the API key: Ropewalk: Set API Key…)`,
      { status },
    );
  }
}

/** The server does not serve the model named by ropewalk.remoteModel / --remote-model. */
export class RemoteModelNotFoundError extends RemoteBackendError {
  override readonly name = 'RemoteModelNotFoundError';
  constructor(url: string, model: string | undefined, status: number, detail: string) {
    super(
      'model-not-found',
      'model not found',
      `${url}: model ${model ?? '(none named)'} not found (${status}${detail ? `: ${detail}` : ''})`,
      { status },
    );
  }
}

/** The prompt is longer than the server's context. */
export class RemoteContextTooLongError extends RemoteBackendError {
  override readonly name = 'RemoteContextTooLongError';
  constructor(url: string, status: number, detail: string) {
    super('context-too-long', 'context too long', `${url}: ${detail}`, { status });
  }
}

/** No answer (or no next piece of a stream) within the time-out. */
export class RemoteTimeoutError extends RemoteBackendError {
  override readonly name = 'RemoteTimeoutError';
  constructor(url: string, ms: number) {
    super('timeout', 'timed out', `${url}: no answer within ${ms} ms`);
  }
}

/** Any other HTTP error, or a reply that is not what the API documents. */
export class RemoteHttpError extends RemoteBackendError {
  override readonly name = 'RemoteHttpError';
  constructor(url: string, status: number | undefined, detail: string, options?: ErrorOptions) {
    super(
      status === undefined ? 'bad-reply' : 'server-error',
      status === undefined ? 'bad reply' : `HTTP ${status}`,
      `${url}: ${status === undefined ? '' : `${status} `}${detail}`,
      { ...options, status },
    );
  }
}
