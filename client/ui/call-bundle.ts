/**
 * Everything the call needs and the start page and lobby do not (WebRTC, simple-peer, the call
 * UI): loaded as a separate chunk while the lobby is open, so the first load stays small.
 */
import './call.js';

export { Meeting } from '../core/meeting.js';
