import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import type { Meeting } from '../../client/core/meeting.js';
import { DEFAULT_SETTINGS } from '../../client/core/settings.js';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/call.js';
import type { RundeCall } from '../../client/ui/call.js';
import '../../client/ui/lobby.js';
import type { RundeLobby } from '../../client/ui/lobby.js';
import '../../client/ui/start-page.js';
import { expectAccessible } from './a11y.js';
import { hostedMeeting, joinMeeting } from './meetings.js';

const WAIT = { timeout: 25_000, interval: 100 };

/** The Lit elements in `root`'s shadow tree, through nested shadow roots. */
function litElements(root: Element): LitElement[] {
  const inside = [...(root.shadowRoot?.querySelectorAll('*') ?? [])];
  return inside.flatMap((el) => [...(el instanceof LitElement ? [el] : []), ...litElements(el)]);
}

/** Waits until `root` and every Lit element inside it have rendered, also those a render added. */
async function rendered(root: LitElement): Promise<void> {
  for (;;) {
    const elements = [root, ...litElements(root)];
    const done = await Promise.all(elements.map((el) => el.updateComplete));
    if (done.every(Boolean) && litElements(root).length + 1 === elements.length) return;
  }
}

/** Pages render inside <body> with the app's own CSS, as in production. */
function useAppCss(): void {
  if (document.querySelector('link[data-app-css]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/app.css';
  link.dataset.appCss = '';
  document.head.append(link);
}

describe('accessibility (axe, WCAG 2.1 AA)', () => {
  before(async () => {
    useAppCss();
    await setLanguage('en');
  });

  it('start page', async () => {
    const el = await fixture(html`<runde-start></runde-start>`);
    await expectAccessible(el);
  });

  it('lobby, with devices and the level meter', async () => {
    const el = await fixture<RundeLobby>(html`<runde-lobby link="http://x/#s" .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
    await waitUntil(() => el.shadowRoot!.querySelector('video')!.videoWidth > 0, 'the camera started', WAIT);
    await expectAccessible(el);
  });

  it('lobby while the camera starts and the server does not answer', async () => {
    const el = await fixture<RundeLobby>(
      html`<runde-lobby link="http://x/#s" .settings=${DEFAULT_SETTINGS} .serverRetryAt=${Date.now() + 5_000}></runde-lobby>`,
    );
    await expectAccessible(el);
  });

  describe('in a call of two, seen by its host', () => {
    const meetings: Meeting[] = [];
    let call: RundeCall;
    let join: (name: string, host?: boolean) => Promise<Meeting>;

    before(async () => {
      const { host, keys } = await hostedMeeting();
      join = (name, isHost = false) => joinMeeting(keys, name, isHost ? host : undefined);
      meetings.push(await join('Ada', true));
      await waitUntil(() => meetings[0].ownAdmission === 'in', 'Ada in', WAIT);
      meetings.push(await join('Bob'));
      // Not a fixture: fixtures are removed after each test, and this call lives through several.
      call = document.createElement('runde-call');
      call.style.height = '600px';
      call.meeting = meetings[0];
      call.link = 'http://x/#s';
      call.hostLink = 'http://x/#h-s';
      document.body.append(call);
      await call.updateComplete;
      await waitUntil(() => meetings.every((m) => [...m.peers.values()].some((p) => p.connected)), 'connected', WAIT);
      meetings[1].chat.send('Hello, see https://example.org');
      meetings[1].setHand(true);
      const chatButton = () => call.shadowRoot!.querySelector('runde-controls')!.shadowRoot!.querySelector('button[name=chat] .badge');
      await waitUntil(() => chatButton(), 'the unread badge shows', WAIT);
    });
    after(() => {
      call.remove();
      for (const m of meetings) m.leave();
    });

    const press = async (name: string) => {
      call.shadowRoot!.querySelector('runde-controls')!.shadowRoot!.querySelector<HTMLButtonElement>(`button[name=${name}]`)!.click();
      await rendered(call);
    };

    it('the call with its tiles and controls', async () => {
      await expectAccessible(call);
    });

    it('the chat panel', async () => {
      await press('chat');
      await expectAccessible(call);
    });

    it('the people panel', async () => {
      await press('people');
      await expectAccessible(call);
    });

    it("the host's menu on a person", async () => {
      const people = call.shadowRoot!.querySelector('runde-people')!;
      const menu = people.shadowRoot!.querySelector('runde-person-menu')!;
      menu.shadowRoot!.querySelector<HTMLButtonElement>('button[name=actions]')!.click();
      await rendered(call);
      expect(menu.shadowRoot!.querySelectorAll('[role=menuitem]').length).to.be.at.least(2);
      await expectAccessible(call);
      menu.shadowRoot!.querySelector<HTMLButtonElement>('button[name=actions]')!.click();
    });

    it('the knock notice, and the waiting screen of the one who knocks', async () => {
      meetings[0].setLocked(true);
      await waitUntil(() => meetings[1].locked, 'the lock reached Bob', WAIT);
      const cem = await join('Cem');
      const waiting = document.createElement('runde-call');
      waiting.style.height = '600px';
      waiting.meeting = cem;
      document.body.append(waiting);
      try {
        await waitUntil(() => waiting.shadowRoot!.querySelector('runde-waiting')?.locked, 'Cem waits at the lock', WAIT);
        await rendered(waiting);
        expect(waiting.shadowRoot!.querySelector('runde-controls'), 'no call controls while waiting').to.equal(null);
        await expectAccessible(waiting);
        const notice = () => call.shadowRoot!.querySelector('runde-knocks')!.shadowRoot!.querySelector('li');
        await waitUntil(notice, 'the host is told', WAIT);
        await rendered(call);
        await expectAccessible(call);
        notice()!.querySelector<HTMLButtonElement>('button[name=decline]')!.click();
        await waitUntil(() => !notice(), 'declined', WAIT);
      } finally {
        waiting.remove();
        cem.leave();
        meetings[0].setLocked(false);
      }
    });

    it('the files panel', async () => {
      await press('more');
      await press('files');
      await expectAccessible(call);
    });

    it('the "more" menu with the reactions', async () => {
      await press('more');
      await expectAccessible(call);
      await press('more');
    });

    it('the shortcuts dialog', async () => {
      await press('more');
      await press('help');
      await expectAccessible(call);
      call.shadowRoot!.querySelector('runde-help')!.close();
    });

    it('announces hands, chat messages and leaves to screen readers', async () => {
      const region = call.shadowRoot!.querySelector('[aria-live]')!;
      const heard: string[] = [];
      const observer = new MutationObserver(() => heard.push(region.textContent!.trim()));
      observer.observe(region, { childList: true, characterData: true, subtree: true });
      const bob = meetings[1];
      bob.setHand(false);
      // Lowered at Ada first, so that raising it again is news.
      await waitUntil(() => meetings[0].peers.get(bob.local.id)?.hand === null, "Ada sees Bob's hand down", WAIT);
      bob.setHand(true);
      await waitUntil(() => heard.includes('Bob raised their hand.'), 'hand announced', WAIT);
      bob.chat.send('Quick question');
      await waitUntil(() => heard.includes('Message from Bob: Quick question'), 'chat announced', WAIT);
      bob.leave();
      await waitUntil(() => heard.includes('Bob left the meeting.'), 'leave announced', WAIT);
      observer.disconnect();
    });

    it('the invite dialog, with the host link', async () => {
      await press('more');
      await press('invite');
      const invite = call.shadowRoot!.querySelector('runde-invite')!;
      await waitUntil(() => invite.open && invite.text.includes('http://x/#s'), 'the invitation written', WAIT);
      await rendered(call);
      await expectAccessible(call);
      invite.close();
    });

    it('the devices dialog', async () => {
      await press('more');
      await press('devices');
      // It opens once the browser has listed the devices.
      await waitUntil(() => call.shadowRoot!.querySelector('runde-devices')!.open, 'the devices dialog open', WAIT);
      await rendered(call);
      await expectAccessible(call);
      call.shadowRoot!.querySelector('runde-devices')!.close();
    });
  });
});
