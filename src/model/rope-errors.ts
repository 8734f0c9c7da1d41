// Named errors of RoPE planning, apart from the planners so that both they and the public face
// (rope.ts) throw them without importing each other.

import { ROPE_METHOD_NAMES } from './rope-methods';

export class UnknownRopeMethodError extends Error {
  override readonly name = 'UnknownRopeMethodError';
  constructor(method: string) {
    super(`Unknown RoPE method "${method}"; known: ${ROPE_METHOD_NAMES.join(', ')}`);
  }
}

export class RopeSettingsError extends Error {
  override readonly name = 'RopeSettingsError';
}
