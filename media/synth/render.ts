/**
 * Renders scene states to RGB pixels and their objects to masks.
 */
import type { RawImage } from '../image/raw.js';
import { paintBackground } from './background.js';
import { OBJECT_COLORS } from './palette.js';
import { drawObject, objectMask, type SynthObject } from './raster.js';
import type { SceneState } from './scenario.js';

/**
 * The RGB picture of a state.
 * @example const img = renderState(script.states[0], 320, 240);
 */
export function renderState(state: SceneState, width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  paintBackground(data, width, height, state.background, state.camX, state.camY);
  for (const o of state.objects) drawObject(data, width, height, o, OBJECT_COLORS[o.color]!, state.camX, state.camY);
  return { width, height, channels: 3, data };
}

/**
 * The mask of one object as the state's camera sees it (empty when the object is not in the state).
 * @example const m = stateObjectMask(state, 3, 320, 240);
 */
export function stateObjectMask(state: SceneState, id: number, width: number, height: number): RawImage {
  const o: SynthObject | undefined = state.objects.find((b) => b.id === id);
  if (!o) return { width, height, channels: 1, data: new Uint8Array(width * height) };
  return objectMask(o, width, height, state.camX, state.camY);
}
