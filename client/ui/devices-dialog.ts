/**
 * Choosing microphone, camera and speaker during a call, and the low-bandwidth switch, in a
 * modal dialog.
 *
 * @fires runde-device - detail: DeviceChoice
 * @fires runde-audio-only - detail: boolean; send audio only (low bandwidth)
 * @fires runde-background - detail: Background; blur or replace the camera's background
 */
import { css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { canChooseSpeaker, type Devices } from '../core/media.js';
import { t, type MessageKey } from '../i18n/index.js';
import type { Background } from '../core/background-choice.js';
import { backgroundPicker, canChangeBackground } from './background-picker.js';
import { ModalElement, dialogStyles } from './modal.js';
import { buttonStyles } from './styles.js';

export interface DeviceChoice {
  kind: 'audio' | 'video' | 'output';
  deviceId: string;
}

@customElement('runde-devices')
export class RundeDevices extends ModalElement {
  static override styles = [
    buttonStyles,
    dialogStyles,
    css`
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.25rem;
      }
      select {
        font: inherit;
        width: 100%;
        min-height: 44px;
        padding: 0.4rem;
      }
      .check {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        font-weight: normal;
      }
      .error {
        color: var(--runde-danger);
      }
    `,
  ];

  @property({ attribute: false }) devices: Devices = { audioInputs: [], videoInputs: [], audioOutputs: [] };
  /** The device ids in use, by kind. */
  @property({ attribute: false }) current: Partial<Record<DeviceChoice['kind'], string>> = {};
  @property({ type: Boolean, attribute: 'audio-only' }) audioOnly = false;
  /** The camera's background effect now. */
  @property() background: Background = 'none';
  /** A sentence about a device that failed to start. */
  @property() error = '';
  protected override render() {
    return html`<dialog aria-labelledby="devices-title">
      <h2 id="devices-title">${t('devices.title')}</h2>
      ${this.#picker('audio', 'lobby.microphone', this.devices.audioInputs)}
      ${this.#picker('video', 'lobby.camera', this.devices.videoInputs)}
      ${canChooseSpeaker() && this.devices.audioOutputs.length > 0 ? this.#picker('output', 'devices.speaker', this.devices.audioOutputs) : nothing}
      ${
        canChangeBackground()
          ? backgroundPicker('device-background', this.background, (b) =>
              this.dispatchEvent(new CustomEvent<Background>('runde-background', { detail: b, bubbles: true, composed: true })),
            )
          : nothing
      }
      <label class="check">
        <input type="checkbox" name="audio-only" .checked=${this.audioOnly}
          @change=${(e: Event) => this.dispatchEvent(new CustomEvent('runde-audio-only', { detail: (e.target as HTMLInputElement).checked, bubbles: true, composed: true }))} />
        ${t('devices.audioOnly')}
      </label>
      <p class="error" role="alert">${this.error}</p>
      <button class="primary" name="close" @click=${() => this.close()}>${t('action.close')}</button>
    </dialog>`;
  }

  #picker(kind: DeviceChoice['kind'], label: MessageKey, list: MediaDeviceInfo[]) {
    const id = `device-${kind}`;
    return html`<label for=${id}>${t(label)}</label>
      <select id=${id} name=${id} ?disabled=${list.length === 0}
        @change=${(e: Event) => this.#choose(kind, (e.target as HTMLSelectElement).value)}>
        ${list.length === 0 ? html`<option>${t('devices.none')}</option>` : nothing}
        ${list.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === this.current[kind]}>${d.label || t('device.unnamed', { n: i + 1 })}</option>`)}
      </select>`;
  }

  #choose(kind: DeviceChoice['kind'], deviceId: string): void {
    this.dispatchEvent(new CustomEvent<DeviceChoice>('runde-device', { detail: { kind, deviceId }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-devices': RundeDevices;
  }
}
