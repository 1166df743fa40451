/**
 * One file transfer as the UI sees it (the core's FileTransfers keeps it up to date), its states,
 * its error codes and the events that report it.
 */
import type { PeerId } from '../../signaling/protocol.js';

export type TransferState = 'offered' | 'waiting' | 'active' | 'verifying' | 'done' | 'declined' | 'cancelled' | 'failed';

export type FileTransferErrorCode =
  /** The peer left, or the control channel to it is gone. */
  | 'ERR_PEER_GONE'
  /** The offer names a channel id that the peer may not use. */
  | 'ERR_BAD_OFFER'
  /** The data channel closed or failed before the end. */
  | 'ERR_CHANNEL'
  /** The peer sent more bytes than offered, or text on the data channel. */
  | 'ERR_PROTOCOL'
  /** The data arrived but its digest does not match the sender's. */
  | 'ERR_INTEGRITY'
  /** The file could not be read (moved or changed since it was chosen). */
  | 'ERR_READ'
  /** The received data could not be stored (disk full, quota). */
  | 'ERR_STORAGE'
  /** Every channel id of this link is in use. */
  | 'ERR_NO_CHANNEL';

export interface Transfer {
  readonly id: string;
  readonly peer: PeerId;
  readonly direction: 'send' | 'receive';
  readonly name: string;
  readonly size: number;
  readonly mime: string;
  /** offered (to us, undecided) → active → verifying → done; waiting: our offer, undecided. */
  readonly state: TransferState;
  /** Bytes that have crossed: received, or sent and out of the channel's buffer. */
  readonly bytes: number;
  /** The received file, once done and verified. Readable until `dispose()`. */
  readonly file: File | null;
  readonly error: FileTransferErrorCode | null;
  /** The data channel while the transfer has one (kept after it closes, for diagnostics). */
  readonly channel: RTCDataChannel | null;
}

export interface FileTransfersEvents {
  /** Someone offers us a file: `accept` or `decline` it. */
  offered: (transfer: Transfer) => void;
  /** A transfer was added or changed state; progress at most every PROGRESS_INTERVAL_MS, and at 100 %. */
  updated: (transfer: Transfer) => void;
}
