// runde-files with a real FileTransfers on a real two-peer mesh (the real box, real channels):
// the component is driven the way a person would, and the core does the rest.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/files-panel.js';
import type { RundeFiles } from '../../client/ui/files-panel.js';
import { formatSize } from '../../client/ui/format.js';
import { endMeetings, meeting, MiB, randomFile, sha256, WAIT, type Side } from './file-helpers.js';

const $ = <T extends Element>(el: RundeFiles, selector: string) => el.shadowRoot!.querySelector<T>(selector);
const button = (el: RundeFiles, name: string) => $<HTMLButtonElement>(el, `button[name=${name}]`);

/** The panel of `side`, listing `other` as the one other participant. */
function panel(side: Side, other: Side, name = 'Ada'): Promise<RundeFiles> {
  return fixture<RundeFiles>(html`<runde-files .transfers=${side.files} .peers=${[{ id: other.mesh.local.id, name }]}></runde-files>`);
}

describe('runde-files', () => {
  beforeEach(() => setLanguage('en'));
  after(() => setLanguage('en'));
  afterEach(endMeetings);

  it('shows an offer with name and size, accepts it, shows progress and then a save link', async () => {
    const [a, b] = await meeting(2);
    const el = await panel(b, a);
    const file = randomFile(16 * MiB, 'report.pdf');
    a.files.send(file, b.mesh.local.id);
    await waitUntil(() => button(el, 'accept'), 'offer shown', WAIT);
    const item = $<HTMLLIElement>(el, 'li')!;
    expect(item.textContent).to.contain('report.pdf').and.contain('from Ada').and.contain(formatSize(file.size));
    expect(button(el, 'accept')!.getAttribute('aria-label')).to.equal('Accept report.pdf');
    expect(button(el, 'decline')).to.exist;
    expect($(el, '[role=status]')!.textContent).to.equal(`Ada wants to send you report.pdf (${formatSize(file.size)}).`);

    // Progress as the person sees it: read the bar after each render while data arrives.
    const seen: Array<{ part: number; label: string | null }> = [];
    b.files.on('updated', async () => {
      await el.updateComplete;
      const bar = $<HTMLProgressElement>(el, 'progress');
      if (bar) seen.push({ part: bar.value / bar.max, label: bar.getAttribute('aria-label') });
    });
    button(el, 'accept')!.click();
    await waitUntil(() => $(el, 'a.save'), 'save link shown', WAIT);
    expect(
      seen.some((s) => s.part > 0 && s.part < 1),
      'a bar part-way',
    ).to.equal(true);
    expect(seen[0].label).to.equal('Progress of report.pdf');

    const save = $<HTMLAnchorElement>(el, 'a.save')!;
    expect(save.download).to.equal('report.pdf');
    expect(save.href).to.match(/^blob:/);
    expect(await sha256(await (await fetch(save.href)).blob())).to.equal(await sha256(file));
    expect($(el, '[role=status]')!.textContent).to.equal('report.pdf received.');
  });

  it('declines an offer with the Decline button', async () => {
    const [a, b] = await meeting(2);
    const el = await panel(b, a);
    const [sent] = a.files.send(randomFile(1000, 'no.txt'), b.mesh.local.id);
    await waitUntil(() => button(el, 'decline'), 'offer shown', WAIT);
    button(el, 'decline')!.click();
    await waitUntil(() => sent.state === 'declined', 'sender told', WAIT);
    await el.updateComplete;
    expect($(el, '.state')!.textContent).to.equal('Declined.');
    expect(button(el, 'accept')).to.equal(null);
  });

  it('sends a chosen file and a dropped file to the person picked, and can cancel', async () => {
    const [a, b] = await meeting(2);
    const el = await panel(a, b, 'Bob');
    const select = $<HTMLSelectElement>(el, 'select[name=to]')!;
    expect([...select.options].map((o) => o.textContent)).to.deep.equal(['Everyone', 'Bob']);
    select.value = b.mesh.local.id;
    select.dispatchEvent(new Event('change'));

    const picked = new DataTransfer();
    picked.items.add(randomFile(10, 'picked.txt'));
    const input = $<HTMLInputElement>(el, 'input[type=file]')!;
    input.files = picked.files;
    input.dispatchEvent(new Event('change'));
    const dropped = new DataTransfer();
    dropped.items.add(randomFile(10, 'dropped.txt'));
    $(el, '.drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));

    await waitUntil(() => b.files.transfers.size === 2, 'both offers arrive', WAIT);
    expect([...b.files.transfers.values()].map((t) => t.name).sort()).to.deep.equal(['dropped.txt', 'picked.txt']);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('button[name=cancel]').length).to.equal(2);
    button(el, 'cancel')!.click();
    await waitUntil(() => [...b.files.transfers.values()].some((t) => t.state === 'cancelled'), 'receiver told', WAIT);
  });

  it('explains that files need someone else, and speaks German', async () => {
    await setLanguage('de');
    const el = await fixture<RundeFiles>(html`<runde-files></runde-files>`);
    expect(button(el, 'choose')!.disabled).to.equal(true);
    expect(button(el, 'choose')!.textContent).to.equal('Dateien auswählen…');
    expect(el.shadowRoot!.textContent).to.contain('sobald jemand anderes da ist');
  });
});

describe('files messages', () => {
  it('formats sizes in decimal units of the current language', async () => {
    await setLanguage('en');
    expect(formatSize(532)).to.equal('532 byte');
    expect(formatSize(5_242_880)).to.equal('5.2 MB');
    await setLanguage('de');
    expect(formatSize(5_242_880)).to.equal('5,2 MB');
    await setLanguage('en');
  });
});
