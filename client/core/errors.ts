/**
 * Errors the core reports to the UI. The UI shows a translated sentence per code (see
 * client/i18n: the key is `error.<code>`), never the technical message.
 */
export type RundeErrorCode =
  | 'ERR_NO_WEBRTC'
  | 'ERR_OFFLINE'
  | 'ERR_LINK_INVALID'
  | 'ERR_ROOM_FULL'
  | 'ERR_SIGNALING_UNREACHABLE'
  | 'ERR_SIGNALING_REFUSED'
  | 'ERR_ORIGIN_REFUSED'
  | 'ERR_VERSION'
  | 'ERR_REPLACED'
  | 'ERR_MEDIA_DENIED'
  | 'ERR_MEDIA_NOT_FOUND'
  | 'ERR_MEDIA_IN_USE'
  | 'ERR_MEDIA_FAILED'
  | 'ERR_PEER_FAILED'
  | 'ERR_DECLINED'
  | 'ERR_REMOVED'
  | 'ERR_BROWSER_TOO_OLD';

export class RundeError extends Error {
  override name = 'RundeError';
  constructor(
    readonly code: RundeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
