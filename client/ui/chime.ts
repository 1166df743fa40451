/**
 * A short two-note chime, made in code with Web Audio: no sound file to fetch, nothing from
 * another host. Played for hosts when someone knocks at a locked meeting.
 */

/** The two notes (Hz) and how long each sounds (s); quiet, so that it does not drown speech. */
const NOTES_HZ = [660, 880] as const;
const NOTE_S = 0.18;
const PEAK_GAIN = 0.15;

let context: AudioContext | null = null;

/** Plays the chime on `sinkId` (the chosen speaker, '' for the default). Never throws. */
export function playChime(sinkId = ''): void {
  try {
    const ctx = (context ??= new AudioContext());
    // A context made before any click stays suspended; the person clicked Join long before this.
    void ctx.resume().catch(() => {});
    const sink = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (sinkId && sink.setSinkId) void sink.setSinkId(sinkId).catch(() => {});
    const now = ctx.currentTime;
    NOTES_HZ.forEach((hz, i) => {
      const start = now + i * NOTE_S;
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.frequency.value = hz;
      // A soft attack and release: a bare on/off would click.
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(PEAK_GAIN, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + NOTE_S);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(start);
      oscillator.stop(start + NOTE_S + 0.02);
    });
  } catch {
    // No Web Audio here: the notice and the spoken announcement still tell the host.
  }
}
