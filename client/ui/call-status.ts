/**
 * The call's status line: what the connection to the meeting server is up to, why relay-only
 * mode cannot connect, who cannot be reached, a passing notice, or that we are alone. Every
 * sentence must be true: the box being down is not being offline.
 */
import type { Meeting } from '../core/meeting.js';
import { language, t } from '../i18n/index.js';
import type { MeetingController } from './meeting-controller.js';

export interface StatusLine {
  text: string;
  /** A problem the person should notice (shown on the warning colour). */
  warn: boolean;
}

/** What the connection to the meeting server is up to, when it is not simply connected. */
export function signalingStatus(c: MeetingController, m: Meeting, now: number): StatusLine | null {
  if (c.signaling === 'connecting') return { text: t('status.connecting'), warn: false };
  if (c.signaling !== 'reconnecting') return null;
  const seconds = Math.max(0, Math.ceil((m.retryAt - now) / 1000));
  if (m.signalingBusy) return { text: t('status.busy', { seconds }), warn: true };
  // The box being down is not being offline: whoever is connected still reaches us directly.
  if (c.peers.some((p) => p.connected)) return { text: t('status.reconnecting', { seconds }), warn: true };
  if (navigator.onLine === false) return { text: t('status.offline', { seconds }), warn: true };
  if (m.everJoined) return { text: t('status.reconnectingAlone', { seconds }), warn: true };
  return { text: t('status.unreachable', { seconds }), warn: true };
}

/** The line above the stage: the server's state first, then relay trouble, stuck peers, `notice`. */
export function statusLine(c: MeetingController, m: Meeting, now: number, notice: string): StatusLine {
  const signaling = signalingStatus(c, m, now);
  let { text, warn } = signaling ?? { text: notice, warn: false };
  if (!signaling && c.relayProblem) {
    text = t(`error.${c.relayProblem}`);
    warn = true;
  } else if (!text && c.stuck.size > 0) {
    const names = c.peers.filter((p) => c.stuck.has(p.id)).map((p) => m.nameOf(p.id) || t('call.guest'));
    text = t('call.stuck', { names: new Intl.ListFormat(language(), { type: 'conjunction' }).format(names) });
    warn = true;
  } else if (!text && c.peers.length === 0) {
    text = t('call.alone');
  }
  if (m.relayOnly && !warn) text = `${t('call.relayOnly')} ${text}`;
  if (c.locked && !warn) text = `${t('lock.locked')} ${text}`;
  return { text, warn };
}
