// Named errors of the model layer; the editor adapter reports them once, at the boundary.

export class ModelNotFoundError extends Error {
  override readonly name = 'ModelNotFoundError';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(
      `No Ropewalk model at ${path}: expected a GGUF file, a folder holding model.gguf, or a folder with model.onnx, tokenizer.json and model-card.json.`,
      options,
    );
  }
}

export class CorruptModelError extends Error {
  override readonly name = 'CorruptModelError';
  constructor(
    readonly path: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`The model at ${path} cannot be used: ${detail}`, options);
  }
}

export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(detail: string, options?: ErrorOptions) {
    super(`Model contract violated: ${detail}`, options);
  }
}

/** A request named a model handle that was never given out, or was closed (by `close` or a later `open`). */
export class UnknownModelHandleError extends Error {
  override readonly name = 'UnknownModelHandleError';
  constructor(
    readonly handle: number,
    options?: ErrorOptions,
  ) {
    super(
      `No open model with handle ${handle}: it was closed, or another model was opened since.`,
      options,
    );
  }
}
