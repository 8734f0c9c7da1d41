// Named errors of the completion layer; the editor adapter catches them at the boundary.

/** A wait or request was abandoned because its AbortSignal fired (the user typed on). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(options?: ErrorOptions) {
    super('The completion request was cancelled.', options);
  }
}

/** True for a CancelledError, and for the AbortError that fetch-like APIs throw on the same signal. */
export function isCancelled(error: unknown): boolean {
  return error instanceof CancelledError || (error instanceof Error && error.name === 'AbortError');
}
