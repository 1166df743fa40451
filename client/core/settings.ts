/**
 * What Runde remembers between visits, in this browser only (IndexedDB via idb-keyval).
 * The one importer of idb-keyval.
 */
import { get, set } from 'idb-keyval';
import { isBackground, type Background } from './background-choice.js';

export interface Settings {
  name: string;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  micOn: boolean;
  camOn: boolean;
  /** Chosen language, or null to follow the browser. */
  lang: string | null;
  /** Connect to peers only through the TURN relay, so they never see this computer's address. */
  relayOnly: boolean;
  /** The camera's background effect (background.ts), applied on joining. */
  background: Background;
}

export const DEFAULT_SETTINGS: Settings = {
  name: '',
  audioDeviceId: null,
  videoDeviceId: null,
  micOn: true,
  camOn: true,
  lang: null,
  relayOnly: false,
  background: 'none',
};

const KEY = 'runde-settings-v1';

/** The saved settings over the defaults; the defaults when storage is unavailable. */
export async function loadSettings(): Promise<Settings> {
  try {
    const saved = (await get<Partial<Settings>>(KEY)) ?? {};
    return { ...DEFAULT_SETTINGS, ...pickKnown(saved) };
  } catch {
    return { ...DEFAULT_SETTINGS }; // private mode or blocked storage: work without memory
  }
}

/** Merges `changes` into the saved settings; returns the result. */
export async function saveSettings(changes: Partial<Settings>): Promise<Settings> {
  const next = { ...(await loadSettings()), ...pickKnown(changes) };
  try {
    await set(KEY, next);
  } catch {
    // storage unavailable: the settings last for this visit only
  }
  return next;
}

function pickKnown(value: Partial<Settings>): Partial<Settings> {
  const out: Partial<Settings> = {};
  const v = value as Record<string, unknown>;
  if (typeof v.name === 'string') out.name = v.name.slice(0, 64);
  for (const k of ['audioDeviceId', 'videoDeviceId', 'lang'] as const) {
    if (typeof v[k] === 'string' || v[k] === null) out[k] = v[k] as string | null;
  }
  for (const k of ['micOn', 'camOn', 'relayOnly'] as const) if (typeof v[k] === 'boolean') out[k] = v[k] as boolean;
  if (isBackground(v.background)) out.background = v.background;
  return out;
}

/**
 * Host rights this browser holds, by room id: the host secret of a host link opened here, so
 * that a reload of the participant link (which the address bar shows) keeps them. Stored under
 * the room id (a hash the box sees anyway), never sent anywhere.
 */
const HOST_KEY_PREFIX = 'runde-host-v1:';

export async function rememberHost(room: string, hostSecret: string): Promise<void> {
  try {
    await set(HOST_KEY_PREFIX + room, hostSecret);
  } catch {
    // private mode or blocked storage: host rights last until the page is closed
  }
}

/** The host secret remembered for `room`, or null. */
export async function rememberedHost(room: string): Promise<string | null> {
  try {
    const saved = await get<unknown>(HOST_KEY_PREFIX + room);
    return typeof saved === 'string' ? saved : null;
  } catch {
    return null;
  }
}
