/**
 * Connected regions of a binary plane (8-connected): their boxes and areas, and dropping small ones.
 */

/** A connected region: its box in pixels and its area (set pixels). */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
  area: number;
}

/**
 * Labels the 8-connected regions of a binary plane; removes (in place, in `plane`) those under `minArea`
 * pixels and returns the rest, largest first.
 * @example const regions = connectedRegions(mask, 320, 240, 80);
 */
export function connectedRegions(plane: Uint8Array, width: number, height: number, minArea = 0): Region[] {
  const labels = new Int32Array(plane.length);
  const regions: Region[] = [];
  const small: number[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < plane.length; start++) {
    if (!plane[start] || labels[start]) continue;
    const label = ++next;
    labels[start] = label;
    stack.push(start);
    let x0 = width, y0 = height, x1 = -1, y1 = -1, area = 0;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % width;
      const y = (p - x) / width;
      area++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (plane[q] && !labels[q]) {
            labels[q] = label;
            stack.push(q);
          }
        }
      }
    }
    if (area < minArea) small.push(label);
    else regions.push({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, area });
  }
  if (small.length) {
    const drop = new Set(small);
    for (let i = 0; i < plane.length; i++) if (drop.has(labels[i]!)) plane[i] = 0;
  }
  return regions.sort((a, b) => b.area - a.area);
}
