/**
 * Secret settings (value_type `secret`: the API key, tokens of media servers
 * and translation providers) never leave the server in a listing: they are
 * replaced by a mask, and only an explicit, authorized reveal shows them.
 * Writing the mask back (a client that saves what it listed) keeps the value.
 */
export const SECRET_MASK = '********';

interface MaskableSetting {
  value: string;
  value_type: string;
}

function isSecret(s: Pick<MaskableSetting, 'value_type'>): boolean {
  return s.value_type === 'secret';
}

/** The setting as listings show it: a set secret becomes the mask, with `masked: true`. */
export function maskSecret<T extends MaskableSetting>(s: T): T & { masked?: boolean } {
  if (!isSecret(s) || s.value === '') return s;
  return { ...s, value: SECRET_MASK, masked: true };
}

/** True when a write of `value` to a secret means "leave it as it is". */
export function isUnchangedSecret(s: Pick<MaskableSetting, 'value_type'>, value: unknown): boolean {
  return isSecret(s) && value === SECRET_MASK;
}
