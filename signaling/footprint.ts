/**
 * What each client address holds on the box: open sockets, and peers that are away (their socket
 * dropped; they keep a place in their room for the grace period). Both count against the same
 * per-address share, so that dropping sockets and opening new ones cannot multiply what one
 * address holds: rooms, peers and queued signals of one address are bounded by that share.
 *
 * IPv6 addresses count by their /64 network, because one host is usually given a whole /64 and
 * can pick any address in it. Pure state; no sockets, no timers.
 */

/** The part of an address that identifies one client: IPv4 as it is, IPv6 by its first 64 bits. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = beforeZone(ip.toLowerCase()).split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

interface Held {
  sockets: number;
  away: number;
}

export class Footprints {
  readonly #held = new Map<string, Held>();

  constructor(private readonly share: number) {}

  /** Whether the address may open one more socket (sockets only: a socket may be a resume). */
  mayOpen(key: string): boolean {
    return (this.#held.get(key)?.sockets ?? 0) < this.share;
  }

  /**
   * Whether a socket of this address, already open, may add a new peer: its open sockets and away
   * peers together stay within the share. Resuming an away peer needs no check: it turns one away
   * peer back into the socket that is already counted.
   */
  mayJoin(key: string): boolean {
    const held = this.#held.get(key);
    return !held || held.sockets + held.away <= this.share;
  }

  socketOpened(key: string): void {
    this.#entry(key).sockets++;
  }

  socketClosed(key: string): void {
    this.#change(key, 'sockets', -1);
  }

  peerAway(key: string): void {
    this.#entry(key).away++;
  }

  /** An away peer resumed or expired. */
  peerBack(key: string): void {
    this.#change(key, 'away', -1);
  }

  /** Addresses that hold anything (for tests and /healthz-style figures). */
  get size(): number {
    return this.#held.size;
  }

  held(key: string): Readonly<Held> {
    return this.#held.get(key) ?? { sockets: 0, away: 0 };
  }

  #entry(key: string): Held {
    let held = this.#held.get(key);
    if (!held) this.#held.set(key, (held = { sockets: 0, away: 0 }));
    return held;
  }

  #change(key: string, field: keyof Held, by: number): void {
    const held = this.#held.get(key);
    if (!held) return;
    held[field] = Math.max(0, held[field] + by);
    if (held.sockets === 0 && held.away === 0) this.#held.delete(key);
  }
}

/** An IPv6 address without its zone (`fe80::1%eth0`): the zone names a local interface, not a client. */
function beforeZone(ip: string): string {
  const at = ip.indexOf('%');
  return at < 0 ? ip : ip.slice(0, at);
}
