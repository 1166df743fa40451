import { expect } from '@open-wc/testing';
import { clear } from 'idb-keyval';
import { DEFAULT_SETTINGS, loadSettings, saveSettings } from '../../client/core/settings.js';

describe('settings', () => {
  beforeEach(() => clear());

  it('starts from the defaults', async () => {
    expect(await loadSettings()).to.deep.equal(DEFAULT_SETTINGS);
  });

  it('remembers name, devices, mic/camera choices and language in IndexedDB', async () => {
    await saveSettings({ name: 'Ada', micOn: false, videoDeviceId: 'cam-2', lang: 'de' });
    await saveSettings({ camOn: false });
    expect(await loadSettings()).to.deep.equal({
      ...DEFAULT_SETTINGS,
      name: 'Ada',
      micOn: false,
      camOn: false,
      videoDeviceId: 'cam-2',
      lang: 'de',
    });
  });

  it('ignores stored values of the wrong type', async () => {
    await saveSettings({ name: 42 as unknown as string, micOn: 'yes' as unknown as boolean });
    expect(await loadSettings()).to.deep.equal(DEFAULT_SETTINGS);
  });
});
