/**
 * Brings a FileTransfers' events into a component (runde-files): the list of transfers, newest
 * first, and each event for announcements. The source can change while the host is connected.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { FileTransfers, Transfer } from '../core/file-transfer.js';

export class TransfersController implements ReactiveController {
  list: readonly Transfer[] = [];
  #source: FileTransfers | null = null;
  #off: Array<() => void> = [];
  #connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onChange: (kind: 'offered' | 'updated', transfer: Transfer) => void,
  ) {
    host.addController(this);
  }

  set source(source: FileTransfers | null) {
    if (source === this.#source) return;
    this.#unsubscribe();
    this.#source = source;
    if (this.#connected) this.#subscribe();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#subscribe();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe();
  }

  #subscribe(): void {
    const source = this.#source;
    this.#sync();
    if (!source) return;
    const on = (kind: 'offered' | 'updated') => (transfer: Transfer) => {
      this.#sync();
      this.onChange(kind, transfer);
    };
    this.#off = [source.on('offered', on('offered')), source.on('updated', on('updated'))];
  }

  #unsubscribe(): void {
    for (const off of this.#off) off();
    this.#off = [];
  }

  #sync(): void {
    this.list = [...(this.#source?.transfers.values() ?? [])].reverse(); // newest first
    this.host.requestUpdate();
  }
}
