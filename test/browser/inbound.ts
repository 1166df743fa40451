/** What has arrived over one connection so far, from its statistics. */
export async function inbound(connection: RTCPeerConnection): Promise<{ framesDecoded: number; audioPackets: number; at: number }> {
  const stats = await connection.getStats();
  let framesDecoded = 0;
  let audioPackets = 0;
  /** The stats' own clock (ms), for rates. */
  let at = 0;
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') framesDecoded += s.framesDecoded ?? 0;
    if (s.kind === 'audio') audioPackets += s.packetsReceived ?? 0;
    at = Math.max(at, s.timestamp);
  });
  return { framesDecoded, audioPackets, at };
}
