/**
 * The Redis Cluster hash slot of a key, as Redis computes it: CRC16 (XModem) of the key's bytes
 * modulo 16384, where a key with a non-empty `{…}` part is hashed by that part alone (its hash
 * tag). The box needs it to group rooms by slot before a script touches several rooms at once;
 * a cluster refuses a script whose keys lie in different slots. Pure, no Redis needed.
 */

/** Slots of a Redis Cluster. */
export const HASH_SLOTS = 16_384;

/** CRC16 with polynomial 0x1021 and initial value 0 (XModem), the variant Redis uses. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The part of `key` that Redis hashes: the first `{…}` if it is not empty, else the whole key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The hash slot (0–16383) of `key` on a Redis Cluster. */
export function hashSlot(key: string): number {
  return crc16(Buffer.from(hashedPart(key), 'utf8')) % HASH_SLOTS;
}
