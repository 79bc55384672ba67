/**
 * Draws a node's run state inside LiteGraph's node (called from `onDrawForeground`): a running outline,
 * a progress bar, badges (cached, done in n ms, items, skipped, error) and the preview image; an error's
 * message is drawn in a box under the node.
 */
import { withToken } from './api.js';
import type { NodeState } from './run-state.js';
import { TITLE_HEIGHT } from './shape.js';

const images = new Map<string, HTMLImageElement>();

/** The image of a preview URL, loaded once; `onLoad` redraws when it arrives. */
function image(url: string, onLoad: () => void): HTMLImageElement | undefined {
  let img = images.get(url);
  if (!img) {
    if (images.size > 200) images.clear();
    img = new Image();
    img.onload = onLoad;
    img.src = withToken(url);
    images.set(url, img);
  }
  return img.complete && img.naturalWidth > 0 ? img : undefined;
}

function badge(ctx: CanvasRenderingContext2D, right: number, text: string, bg: string, fg = '#fff'): number {
  ctx.font = 'bold 11px sans-serif';
  const w = ctx.measureText(text).width + 12;
  const x = right - w;
  ctx.fillStyle = bg;
  ctx.beginPath();
  ctx.roundRect(x, -TITLE_HEIGHT + 7, w, 16, [8]);
  ctx.fill();
  ctx.fillStyle = fg;
  ctx.textAlign = 'left';
  ctx.fillText(text, x + 6, -TITLE_HEIGHT + 19);
  return x - 4;
}

function wrap(ctx: CanvasRenderingContext2D, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/)) {
      const next = line ? `${line} ${word}` : word;
      if (ctx.measureText(next).width > width && line) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  if (lines.length > maxLines) return [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]} …`];
  return lines;
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

/** Where the last preview was drawn in a node, in node coordinates (tests read its pixels). */
export type PreviewRect = [number, number, number, number];

/**
 * Draws the state; returns where the preview went, if one was drawn.
 * @example node.onDrawForeground = (ctx) => drawNodeState(ctx, node.size, widgetsEndY, state, () => canvas.setDirty(true));
 */
export function drawNodeState(
  ctx: CanvasRenderingContext2D,
  size: ArrayLike<number>,
  previewTop: number,
  state: NodeState | undefined,
  redraw: () => void,
): PreviewRect | undefined {
  if (!state) return undefined;
  const [w, h] = [size[0], size[1]];
  ctx.save();
  if (state.status === 'running' || state.status === 'error') {
    ctx.strokeStyle = state.status === 'running' ? '#4caf50' : '#ff5252';
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.roundRect(-4, -TITLE_HEIGHT - 4, w + 8, h + TITLE_HEIGHT + 8, [10]);
    ctx.stroke();
  }
  if (state.progress && state.progress.max > 0) {
    const f = Math.max(0, Math.min(1, state.progress.value / state.progress.max));
    ctx.fillStyle = '#1b1b1b';
    ctx.fillRect(0, 0, w, 5);
    ctx.fillStyle = '#4caf50';
    ctx.fillRect(0, 0, w * f, 5);
  }
  let right = w - 6;
  if (state.status === 'error') right = badge(ctx, right, '! error', '#d32f2f');
  if (state.status === 'cached') right = badge(ctx, right, 'cached', '#546e7a');
  if (state.status === 'done' && state.ms !== undefined) right = badge(ctx, right, `✓ ${seconds(state.ms)}`, '#2e7d32');
  if (state.items !== undefined) right = badge(ctx, right, `${state.items} item${state.items === 1 ? '' : 's'}`, '#5e35b1');
  if (state.skipped) right = badge(ctx, right, `${state.skipped} skipped`, '#ef6c00');
  if (state.status === 'running' && state.progress) badge(ctx, right, `${Math.round((100 * state.progress.value) / Math.max(1, state.progress.max))}%`, '#388e3c');

  let rect: PreviewRect | undefined;
  const img = state.preview ? image(state.preview.url, redraw) : undefined;
  if (img) {
    const room: PreviewRect = [6, previewTop, w - 12, h - previewTop - 6];
    if (room[2] > 8 && room[3] > 8) {
      const scale = Math.min(room[2] / img.naturalWidth, room[3] / img.naturalHeight);
      const dw = img.naturalWidth * scale;
      const dh = img.naturalHeight * scale;
      rect = [room[0] + (room[2] - dw) / 2, room[1] + (room[3] - dh) / 2, dw, dh];
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(img, rect[0], rect[1], rect[2], rect[3]);
      ctx.font = '10px sans-serif';
      ctx.fillStyle = '#aaa';
      ctx.textAlign = 'right';
      if (state.preview?.width) ctx.fillText(`${state.preview.width}×${state.preview.height}`, w - 8, h - 8);
    }
  }
  if (state.status === 'error' && state.error) {
    ctx.font = '12px sans-serif';
    const lines = wrap(ctx, state.error, Math.max(w - 16, 120), 6);
    const boxH = lines.length * 15 + 10;
    ctx.fillStyle = 'rgba(120, 20, 20, 0.92)';
    ctx.beginPath();
    ctx.roundRect(0, h + 8, w, boxH, [6]);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.textAlign = 'left';
    lines.forEach((line, i) => ctx.fillText(line, 8, h + 24 + i * 15));
  }
  ctx.restore();
  return rect;
}
