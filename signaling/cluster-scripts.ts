/**
 * What Redis holds for a room, and the Lua scripts that change it (see cluster.ts for how the
 * boxes use them).
 *
 * The scripts are node-redis script definitions: `defineScript` gives each its SHA-1, and a client
 * created with `scripts` sends `EVALSHA <sha1>` instead of the whole script on every call (it falls
 * back to `EVAL` once by itself when Redis answers NOSCRIPT, e.g. after a restart). The tick runs
 * every few seconds for every room, so the script text is most of what would cross the wire.
 *
 * Nothing here loads node-redis: only its types are imported, so that a box on its own starts
 * without it.
 */
import type { CommandParser } from '@redis/client';
import type { PeerId, RoomId } from './protocol.js';

const PREFIX = 'runde:';
/**
 * Every key and the channel of a room carry the room id as a hash tag (`{…}`): Redis Cluster then
 * puts them in one hash slot, so a script may touch them together and the room's notes are
 * published on the node that holds its keys.
 */
const tagged = (room: RoomId) => `${PREFIX}{${room}}`;
/** The channel on which joins, leaves and moves in `room` are published. */
export const channelOf = (room: RoomId) => tagged(room);
/** Sorted set: peer id → the time its membership expires. */
export const membersKey = (room: RoomId) => `${tagged(room)}:m`;
/** Hash: peer id → "<box id> <SHA-256 of the resume token>". */
export const peersKey = (room: RoomId) => `${tagged(room)}:p`;
/** The channel on which a box hears signals for its own peers. */
export const boxChannel = (box: string) => `${PREFIX}box:${box}`;

/** What one box asks when a peer joins or resumes. */
export interface JoinRequest {
  now: number;
  /** When the new membership expires. */
  expiresAt: number;
  peer: PeerId;
  box: string;
  /** SHA-256 of the token handed to the peer if it is new here. */
  tokenHash: string;
  /** SHA-256 of the token the peer resumes with, or '' for a fresh join. */
  resumeHash: string;
  maxPeers: number;
  /** How long the room's keys live without any tick (ms). */
  keyLifetimeMs: number;
}

/** What a box refreshes on a tick: the time and its own peers, room by room. */
export interface TickRequest {
  now: number;
  expiresAt: number;
  box: string;
  keyLifetimeMs: number;
  rooms: ReadonlyArray<readonly [RoomId, readonly PeerId[]]>;
}

/**
 * KEYS: members, peers. ARGV: now, expiry, peer, box, new token hash, resume token hash or '',
 * room size limit, key lifetime (ms).
 * Returns {'full'} | {'taken'} | {'joined' | 'resumed', peer1, box1, peer2, box2, …}: the members
 * alive on other boxes and their boxes. Joining and the room-size check are one script, so two
 * boxes cannot both admit the last place.
 */
export const JOIN = {
  NUMBER_OF_KEYS: 2,
  SCRIPT: `
local now = tonumber(ARGV[1])
local score = redis.call('ZSCORE', KEYS[1], ARGV[3])
local status = 'joined'
local hash = ARGV[5]
if score and tonumber(score) > now then
  local current = redis.call('HGET', KEYS[2], ARGV[3]) or ''
  local space = string.find(current, ' ', 1, true)
  local held = space and string.sub(current, space + 1) or ''
  if ARGV[6] == '' or ARGV[6] ~= held then return {'taken'} end
  status = 'resumed'
  hash = held
elseif redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf') >= tonumber(ARGV[7]) then
  return {'full'}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4] .. ' ' .. hash)
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
local out = {status}
for _, p in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf')) do
  if p ~= ARGV[3] then
    local held = redis.call('HGET', KEYS[2], p) or ''
    local space = string.find(held, ' ', 1, true)
    local box = space and string.sub(held, 1, space - 1) or ''
    if box ~= ARGV[4] then
      table.insert(out, p)
      table.insert(out, box)
    end
  end
end
return out
`,
  parseCommand(parser: CommandParser, room: RoomId, join: JoinRequest): void {
    parser.pushKeys([membersKey(room), peersKey(room)]);
    parser.push(
      String(join.now),
      String(join.expiresAt),
      join.peer,
      join.box,
      join.tokenHash,
      join.resumeHash,
      String(join.maxPeers),
      String(join.keyLifetimeMs),
    );
  },
  transformReply: (reply: string[]) => reply,
};

/**
 * KEYS: members1, peers1, members2, peers2, … (one pair per room).
 * ARGV: now, expiry, box, key lifetime, then per room: its count of this box's peers, those peers.
 * Pushes the expiry of this box's listed peers forward (only while this box still holds them),
 * removes expired members and returns {room number (1-based), peer, …} for each one removed.
 * One call covers a batch of rooms: a round trip per room made every tick a queue of dozens of
 * calls, and signals relayed meanwhile waited behind it (p99 114 ms instead of 14 ms).
 */
export const TICK = {
  SCRIPT: `
local prefix = ARGV[3] .. ' '
local out = {}
local a = 5
for r = 1, #KEYS, 2 do
  local members, peers = KEYS[r], KEYS[r + 1]
  local n = tonumber(ARGV[a])
  for i = a + 1, a + n do
    local current = redis.call('HGET', peers, ARGV[i])
    if current and string.sub(current, 1, #prefix) == prefix then
      redis.call('ZADD', members, 'XX', ARGV[2], ARGV[i])
    end
  end
  a = a + n + 1
  local expired = redis.call('ZRANGEBYSCORE', members, '-inf', ARGV[1])
  if #expired > 0 then
    for _, p in ipairs(expired) do
      redis.call('HDEL', peers, p)
      table.insert(out, (r + 1) / 2)
      table.insert(out, p)
    end
    redis.call('ZREMRANGEBYSCORE', members, '-inf', ARGV[1])
  end
  redis.call('PEXPIRE', members, ARGV[4])
  redis.call('PEXPIRE', peers, ARGV[4])
end
return out
`,
  // The number of keys varies with the batch, so it is pushed per call, not declared.
  parseCommand(parser: CommandParser, tick: TickRequest): void {
    parser.pushKeysLength(tick.rooms.flatMap(([room]) => [membersKey(room), peersKey(room)]));
    parser.push(String(tick.now), String(tick.expiresAt), tick.box, String(tick.keyLifetimeMs));
    for (const [, peers] of tick.rooms) parser.push(String(peers.length), ...peers);
  },
  transformReply: (reply: Array<number | string>) => reply,
};

/** KEYS: members, peers. ARGV: peer, box. Removes the peer only while this box holds it. */
export const LEAVE = {
  NUMBER_OF_KEYS: 2,
  SCRIPT: `
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current and string.sub(current, 1, #ARGV[2] + 1) == ARGV[2] .. ' ' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
`,
  parseCommand(parser: CommandParser, room: RoomId, peer: PeerId, box: string): void {
    parser.pushKeys([membersKey(room), peersKey(room)]);
    parser.push(peer, box);
  },
  transformReply: (reply: number) => reply,
};
