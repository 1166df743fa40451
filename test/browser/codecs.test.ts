import { expect, waitUntil } from '@open-wc/testing';
import { preferredVideoCodecs, videoCodecOrder } from '../../client/core/codecs.js';
import { PeerLink } from '../../client/core/peer.js';

const WAIT = { timeout: 20_000, interval: 100 };

describe('the video codec order', () => {
  const codec = (mimeType: string, sdpFmtpLine?: string): RTCRtpCodec => ({ mimeType, clockRate: 90000, sdpFmtpLine });
  const vp8 = codec('video/VP8');
  const rtx = codec('video/rtx');
  const h264High = codec('video/H264', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f');
  const h264Single = codec('video/H264', 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f');
  const h264 = codec('video/H264', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f');
  const vp9 = codec('video/VP9', 'profile-id=0');

  it('moves constrained-baseline H.264 to the front and keeps the rest in the browser order', () => {
    const all = [vp8, rtx, h264High, h264Single, h264, vp9];
    expect(preferredVideoCodecs(all, all)).to.deep.equal([h264, vp8, rtx, h264High, h264Single, vp9]);
  });

  it('changes nothing when the browser cannot send or cannot receive that H.264', () => {
    expect(preferredVideoCodecs([vp8, rtx, vp9], [vp8, rtx, vp9, h264])).to.equal(null);
    expect(preferredVideoCodecs([vp8, h264, vp9], [vp8, vp9, h264High])).to.equal(null);
  });
});

/** The mime type of the video this connection sends, once it sends some. */
async function sentVideoCodec(connection: RTCPeerConnection): Promise<string | null> {
  const stats = [...(await connection.getStats()).values()] as Array<{ type: string; kind?: string; codecId?: string; id: string; mimeType?: string; framesEncoded?: number }>;
  const out = stats.find((s) => s.type === 'outbound-rtp' && s.kind === 'video' && (s.framesEncoded ?? 0) > 0);
  return stats.find((s) => s.id === out?.codecId)?.mimeType ?? null;
}

describe('the codec two connections settle on', () => {
  const links: PeerLink[] = [];
  const others: RTCPeerConnection[] = [];
  let camera: MediaStream;
  before(async () => {
    camera = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  });
  after(() => camera.getTracks().forEach((t) => t.stop()));
  afterEach(() => {
    for (const l of links.splice(0)) l.destroy();
    for (const c of others.splice(0)) c.close();
  });

  const link = (initiator: boolean) => {
    const l = new PeerLink({ initiator, iceServers: [], streams: [camera.clone()], relayOnly: false });
    links.push(l);
    return l;
  };

  it('is baseline H.264 between two of ours when this browser has it, else the browser default', async () => {
    const [a, b] = [link(true), link(false)];
    a.on('signal', (d) => b.signal(d));
    b.on('signal', (d) => a.signal(d));
    const expected = videoCodecOrder() ? 'video/H264' : 'video/VP8';
    for (const l of [a, b]) {
      await waitUntil(async () => (await sentVideoCodec(l.connection)) !== null, 'no video sent', WAIT);
      expect(await sentVideoCodec(l.connection)).to.equal(expected);
    }
  });

  it('falls back to VP8 with a browser that offers only VP8 (a Firefox without OpenH264)', async () => {
    const other = new RTCPeerConnection();
    others.push(other);
    const transceiver = other.addTransceiver(camera.getVideoTracks()[0].clone(), { direction: 'sendrecv' });
    transceiver.setCodecPreferences(RTCRtpReceiver.getCapabilities('video')!.codecs.filter((c) => /vp8|rtx/i.test(c.mimeType)));
    const ours = link(false);
    other.addEventListener('icecandidate', (e) => e.candidate && ours.signal({ type: 'candidate', candidate: e.candidate.toJSON() }));
    ours.on('signal', (d) => {
      const data = d as { type?: string; sdp?: string; candidate?: RTCIceCandidateInit };
      if (data.type === 'answer') void other.setRemoteDescription(data as RTCSessionDescriptionInit);
      else if (data.candidate) void other.addIceCandidate(data.candidate);
    });
    await other.setLocalDescription(await other.createOffer());
    ours.signal(other.localDescription!.toJSON());
    await waitUntil(async () => (await sentVideoCodec(ours.connection)) !== null, 'no video sent', WAIT);
    expect(await sentVideoCodec(ours.connection)).to.equal('video/VP8');
    expect(await sentVideoCodec(other)).to.equal('video/VP8');
  });
});
