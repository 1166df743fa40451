/** Real meetings for browser tests: against the box the test runner started, with the fake camera. */
import { meetingKeys } from '../../client/core/crypto.js';
import { hostKeyFrom, newHostSecret, type HostKey } from '../../client/core/host-key.js';
import { Meeting, type MeetingOptions } from '../../client/core/meeting.js';
import { newVisitIdentity } from '../../client/core/visit-identity.js';

export const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

export type HostedKeys = Awaited<ReturnType<typeof meetingKeys>> & { hostKeyId: string };

/** A new meeting with a host key: the key, and what everyone derives from the participant link. */
export async function hostedMeeting(): Promise<{ host: HostKey; keys: HostedKeys }> {
  const host = await hostKeyFrom(newHostSecret());
  return { host, keys: { ...(await meetingKeys(host.meetingSecret)), hostKeyId: host.meetingSecret } };
}

/** `name` joins with microphone and a small camera on; with `host`, as a host. */
export async function joinMeeting(keys: HostedKeys, name: string, host?: HostKey, options: Partial<MeetingOptions> = {}): Promise<Meeting> {
  const stream = options.stream ?? (await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } }));
  const m = new Meeting({
    identity: await newVisitIdentity(),
    signalingUrl: wsUrl,
    ...keys,
    ...(host ? { host } : {}),
    name,
    stream,
    audio: true,
    video: true,
    ...options,
  });
  m.join();
  return m;
}
