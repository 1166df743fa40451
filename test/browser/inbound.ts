/** What has arrived from one remote peer so far, from its connection's statistics. */
import type { RemotePeer } from '../../client/core/mesh.js';

export async function inbound(peer: RemotePeer): Promise<{ framesDecoded: number; audioPackets: number }> {
  const stats = await peer.link.connection.getStats();
  let framesDecoded = 0;
  let audioPackets = 0;
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') framesDecoded += s.framesDecoded ?? 0;
    if (s.kind === 'audio') audioPackets += s.packetsReceived ?? 0;
  });
  return { framesDecoded, audioPackets };
}
