/**
 * The meeting as this person sees it, drawn into a canvas for a local recording: every tile of
 * the stage at its place on screen (grid or speaker layout), its video, or its name where the
 * camera is off, and the name under each. Menus, panels and notices are not drawn: the
 * recording holds the meeting, not the recorder's screen.
 */

/** One tile as it is on screen now. */
export interface ShownTile {
  rect: DOMRect;
  video: HTMLVideoElement | null;
  name: string;
}

/** The recording's picture: 16:9, as the stage keeps its tiles. */
export const CANVAS_WIDTH = 1280;
export const CANVAS_HEIGHT = 720;
export const CANVAS_FPS = 15;

const BACKGROUND = '#1b1d21';
const TILE_BACKGROUND = '#2c2f36';
const TEXT = '#ffffff';

export class MeetingCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly track: MediaStreamTrack;
  readonly #context: CanvasRenderingContext2D;
  readonly #timer: ReturnType<typeof setInterval>;

  /** Draws `tiles()` inside `area()` CANVAS_FPS times a second until stop(). */
  constructor(
    private readonly area: () => DOMRect | null,
    private readonly tiles: () => ShownTile[],
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = CANVAS_WIDTH;
    this.canvas.height = CANVAS_HEIGHT;
    this.#context = this.canvas.getContext('2d', { alpha: false })!;
    this.track = this.canvas.captureStream(CANVAS_FPS).getVideoTracks()[0]!;
    this.draw();
    // A timer, not animation frames: those stop when the tab is hidden. Browsers may still slow
    // a hidden tab's timers; the sound is mixed apart from this and does not stutter.
    this.#timer = setInterval(() => this.draw(), 1000 / CANVAS_FPS);
  }

  draw(): void {
    const g = this.#context;
    g.fillStyle = BACKGROUND;
    g.fillRect(0, 0, CANVAS_WIDTH, CANVAS_HEIGHT);
    const area = this.area();
    if (!area || area.width === 0 || area.height === 0) return;
    // The stage scaled to fit, centred (letterboxed when its shape is not 16:9).
    const scale = Math.min(CANVAS_WIDTH / area.width, CANVAS_HEIGHT / area.height);
    const left = (CANVAS_WIDTH - area.width * scale) / 2;
    const top = (CANVAS_HEIGHT - area.height * scale) / 2;
    for (const tile of this.tiles()) {
      const x = left + (tile.rect.left - area.left) * scale;
      const y = top + (tile.rect.top - area.top) * scale;
      const w = tile.rect.width * scale;
      const h = tile.rect.height * scale;
      if (w < 1 || h < 1) continue;
      this.#drawTile(tile, x, y, w, h);
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.track.stop();
  }

  #drawTile(tile: ShownTile, x: number, y: number, w: number, h: number): void {
    const g = this.#context;
    g.save();
    g.beginPath();
    g.rect(x, y, w, h);
    g.clip();
    g.fillStyle = TILE_BACKGROUND;
    g.fillRect(x, y, w, h);
    const video = tile.video;
    if (video && video.videoWidth > 0 && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      // Cover the tile as the page does (object-fit: cover).
      const s = Math.max(w / video.videoWidth, h / video.videoHeight);
      const vw = video.videoWidth * s;
      const vh = video.videoHeight * s;
      g.drawImage(video, x + (w - vw) / 2, y + (h - vh) / 2, vw, vh);
    } else {
      g.fillStyle = TEXT;
      g.font = `600 ${Math.round(Math.min(w, h) / 4)}px system-ui, sans-serif`;
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText((tile.name.trim()[0] ?? '?').toUpperCase(), x + w / 2, y + h / 2);
    }
    if (tile.name) {
      const size = Math.max(12, Math.round(h / 14));
      g.font = `600 ${size}px system-ui, sans-serif`;
      g.textAlign = 'left';
      g.textBaseline = 'bottom';
      const label = tile.name;
      const width = g.measureText(label).width;
      g.fillStyle = 'rgba(0, 0, 0, 0.6)';
      g.fillRect(x + 6, y + h - size - 12, width + 12, size + 8);
      g.fillStyle = TEXT;
      g.fillText(label, x + 12, y + h - 8);
    }
    g.restore();
  }
}
