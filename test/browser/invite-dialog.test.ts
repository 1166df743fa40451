import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import ICAL from 'ical.js';
import { setLanguage, t } from '../../client/i18n/index.js';
import '../../client/ui/invite-dialog.js';
import type { RundeInvite } from '../../client/ui/invite-dialog.js';

const LINK = 'https://meet.example.gov/#participant-secret-0123456789';
const HOST_LINK = 'https://meet.example.gov/#h-host-secret-0123456789';

/** What the dialog hands the browser to save: the files' text, in order (nothing is saved). */
function catchDownloads(): { files: Array<{ name: string; type: string; text: Promise<string> }>; restore: () => void } {
  const files: Array<{ name: string; type: string; text: Promise<string> }> = [];
  const blobs = new Map<string, Blob>();
  const createObjectURL = URL.createObjectURL;
  const click = HTMLAnchorElement.prototype.click;
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:test-${blobs.size}`;
    blobs.set(url, blob);
    return url;
  };
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob) files.push({ name: this.download, type: blob.type, text: blob.text() });
  };
  return {
    files,
    restore: () => {
      URL.createObjectURL = createObjectURL;
      HTMLAnchorElement.prototype.click = click;
    },
  };
}

describe('the invite dialog', () => {
  let dialog: RundeInvite;
  const $ = <T extends Element>(selector: string) => dialog.shadowRoot!.querySelector<T>(selector)!;
  const set = (selector: string, value: string, event: 'input' | 'change') => {
    const field = $<HTMLInputElement | HTMLSelectElement>(selector);
    field.value = value;
    field.dispatchEvent(new Event(event));
  };

  beforeEach(async () => {
    await setLanguage('en');
    dialog = await fixture<RundeInvite>(html`<runde-invite .link=${LINK} .hostLink=${HOST_LINK}></runde-invite>`);
    dialog.show();
    await dialog.updateComplete;
  });

  it('offers the participant link and, marked as such, the host link', () => {
    expect($<HTMLInputElement>('#participant-link').value).to.equal(LINK);
    expect($<HTMLInputElement>('#host-link').value).to.equal(HOST_LINK);
    expect($('#host-link-hint').textContent).to.contain(t('invite.hostLinkHint'));
    expect($('.host label').textContent!.trim()).to.equal(t('invite.hostLink'));
  });

  it('writes the invitation in the chosen language, with the participant link and never the host link', async () => {
    expect(dialog.text).to.match(/^You are invited to a video meeting/);
    set('#invite-language', 'de', 'change');
    await waitUntil(() => dialog.text.startsWith('Sie sind zu einer Videobesprechung eingeladen'), 'the German invitation');
    await dialog.updateComplete;
    const shown = $<HTMLTextAreaElement>('#invite-text');
    expect(shown.value).to.equal(dialog.text);
    expect(shown.lang).to.equal('de');
    expect(shown.value).to.contain(LINK).and.to.contain('„Beitreten“').and.not.contain(HOST_LINK);
    set('#invite-language', 'fr', 'change');
    await waitUntil(() => dialog.text.startsWith('Vous êtes invité(e) à une réunion vidéo'), 'the French invitation');
    // The dialog itself stays in the page's language.
    expect($('h2').textContent).to.equal(t('invite.title'));
  });

  it('saves a calendar file with the chosen title, start and duration that a calendar library reads back', async () => {
    const downloads = catchDownloads();
    try {
      set('#invite-language', 'de', 'change');
      await waitUntil(() => dialog.text.startsWith('Sie sind'), 'the German invitation');
      set('#invite-name', 'Bauausschuss, Sitzung 4', 'input');
      set('#invite-start', '2026-12-08T10:30', 'input');
      set('#invite-duration', '90', 'change');
      await dialog.updateComplete;
      $<HTMLButtonElement>('button[name=calendar]').click();
      expect(downloads.files).to.have.length(1);
      const [file] = downloads.files;
      expect(file!.name).to.equal(`${t('invite.fileName')}.ics`);
      expect(file!.type).to.match(/^text\/calendar/);
      const text = await file!.text;
      const vevent = new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!;
      const event = new ICAL.Event(vevent);
      expect(event.summary).to.equal('Bauausschuss, Sitzung 4');
      expect(event.startDate.toJSDate().getTime()).to.equal(new Date('2026-12-08T10:30').getTime());
      expect(event.duration.toSeconds()).to.equal(90 * 60);
      expect(String(vevent.getFirstPropertyValue('url'))).to.equal(LINK);
      expect(event.description).to.equal(dialog.text);
      expect(event.description).to.contain('Sie sind zu einer Videobesprechung eingeladen: Bauausschuss, Sitzung 4');
      expect(text).not.to.contain('host-secret');
      expect($('[role=status]').textContent).to.equal(t('invite.downloaded'));
      // A corrected time: the same event again (its UID), so that the calendar updates it.
      set('#invite-start', '2026-12-08T11:00', 'input');
      await dialog.updateComplete;
      $<HTMLButtonElement>('button[name=calendar]').click();
      const again = new ICAL.Event(new ICAL.Component(ICAL.parse(await downloads.files[1]!.text)).getFirstSubcomponent('vevent')!);
      expect(again.uid).to.equal(event.uid);
      expect(again.startDate.toJSDate().getTime()).to.equal(new Date('2026-12-08T11:00').getTime());
    } finally {
      downloads.restore();
    }
  });

  it('without a start it says what to do and saves nothing', async () => {
    const downloads = catchDownloads();
    try {
      set('#invite-start', '', 'input');
      await dialog.updateComplete;
      $<HTMLButtonElement>('button[name=calendar]').click();
      await dialog.updateComplete;
      expect(downloads.files).to.have.length(0);
      expect($('[role=status]').textContent).to.equal(t('invite.startMissing'));
      expect(dialog.shadowRoot!.activeElement?.id).to.equal('invite-start');
      // The text has no date then.
      expect(dialog.text).not.to.contain('When:');
    } finally {
      downloads.restore();
    }
  });
});
