import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so secret scanners and people can recognise a leaked one. */
export const API_KEY_PREFIX = 'frk_live_';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Public id in the key and in listings: 62^8 ≈ 2^47, so collisions are rare and retried. */
export const KEY_ID_LENGTH = 8;
/** 43 base62 characters carry 43 × log2(62) ≈ 256.03 bits: at least 32 bytes of randomness. */
export const SECRET_LENGTH = 43;

// Base62 keeps the key one "word" (double-click selects it whole) and free of the `_` separator.
const KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}([0-9A-Za-z]{${KEY_ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`,
);

export interface GeneratedApiKey {
  /** The full key, shown to its owner once and never stored. */
  key: string;
  /** `frk_live_<id>`: stored, listed and accepted by `revoke`. */
  prefix: string;
  /** SHA-256 of the full key, hex: what the database keeps and looks keys up by. */
  hash: string;
}

export type RandomSource = (size: number) => Buffer;

/**
 * Uniform base62 string by rejection sampling: bytes ≥ 248 (= 4 × 62) are dropped, so every
 * character is equally likely (a plain `byte % 62` would favour the first eight).
 */
export function randomBase62(length: number, random: RandomSource = randomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function generateApiKey(random: RandomSource = randomBytes): GeneratedApiKey {
  const prefix = `${API_KEY_PREFIX}${randomBase62(KEY_ID_LENGTH, random)}`;
  const key = `${prefix}_${randomBase62(SECRET_LENGTH, random)}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/**
 * A plain SHA-256 is enough: the key carries 256 random bits, so there is nothing for a slow,
 * salted hash to protect against, and a deterministic hash is what makes lookup by hash possible.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether the text has the shape of a key; anything else is refused without a database query. */
export function isWellFormedApiKey(text: string): boolean {
  return KEY_PATTERN.test(text);
}

/** `frk_live_AbCd1234` from either a full prefix or its 8-character id; undefined for neither. */
export function normalizeKeyPrefix(text: string): string | undefined {
  if (new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${KEY_ID_LENGTH}}$`).test(text)) return text;
  if (new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`).test(text)) return `${API_KEY_PREFIX}${text}`;
  return undefined;
}
