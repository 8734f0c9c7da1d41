// RoPE method names on the command line: the model's errors for a bad name become usage errors.

import {
  parseRopeSpec,
  RopeSettingsError,
  UnknownRopeMethodError,
  type RopeMethod,
} from '../model/rope';
import { UsageError } from './args';

/** "yarn:4" or "linear" as given to `option`; a bad name or factor is the user's typing, exit 2. */
export function ropeSpecOf(option: string, spec: string): { method: RopeMethod; factor: number } {
  try {
    return parseRopeSpec(spec);
  } catch (cause) {
    if (cause instanceof UnknownRopeMethodError || cause instanceof RopeSettingsError)
      throw new UsageError(`${option}: ${cause.message}`, { cause });
    throw cause;
  }
}
