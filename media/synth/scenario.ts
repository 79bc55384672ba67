/**
 * The script of a synthetic clip: a sequence of scene states and, between each pair, one known event
 * (an object appears, disappears, moves, changes colour or size; a camera pan; a scene cut) with its
 * instruction text in the method's style and its region phrases.
 */
import type { Background } from './background.js';
import { BACKGROUND_BASES, COLOR_NAMES, SHAPES, TEXTURES, type Texture } from './palette.js';
import { seeded, type Random } from './random.js';
import type { SynthObject } from './raster.js';

/** The kinds of events a clip can show. */
export const EVENT_KINDS = ['appear', 'disappear', 'move', 'recolor', 'resize', 'pan', 'cut'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** What the scene looks like during one segment of the clip. */
export interface SceneState {
  background: Background;
  camX: number;
  camY: number;
  /** Every object of the world (some may be outside the view after a pan). */
  objects: SynthObject[];
}

/** One event between two states. `objectId` names the changed object (absent for pan and cut). */
export interface ScriptEvent {
  kind: EventKind;
  text: string;
  objectId?: number;
  /** Region phrase in the source and the target frame ("" where the region does not exist there). */
  phrases: { source: string; target: string };
}

/** A clip's script: states[i] -> events[i] -> states[i + 1]. */
export interface Script {
  states: SceneState[];
  events: ScriptEvent[];
}

/** What the script generator needs. */
export interface ScriptOptions {
  width: number;
  height: number;
  seed: number;
  /** Number of events (transitions). */
  events: number;
  /** Event kinds allowed (default: all). */
  kinds?: readonly EventKind[];
}

const WEIGHTS: Record<EventKind, number> = { appear: 3, disappear: 2, move: 3, recolor: 2, resize: 2, pan: 1, cut: 1 };
const MAX_OBJECTS = 4;
const MARGIN = 6;

/**
 * Generates a script, deterministic from the seed.
 * @example const script = generateScript({ width: 320, height: 240, seed: 7, events: 4 });
 */
export function generateScript(options: ScriptOptions): Script {
  const { width, height } = options;
  const kinds = options.kinds?.length ? options.kinds : EVENT_KINDS;
  for (const k of kinds) if (!EVENT_KINDS.includes(k)) throw new Error(`unknown event kind "${k}"; use ${EVENT_KINDS.join(', ')}`);
  const rng = seeded(options.seed);
  let nextId = 1;
  const newObject = (state: SceneState, taken: SynthObject[]): SynthObject | undefined => {
    const used = new Set(taken.map((o) => `${o.color} ${o.shape}`));
    const free = COLOR_NAMES.flatMap((c) => SHAPES.map((s) => [c, s] as const)).filter(([c, s]) => !used.has(`${c} ${s}`));
    if (!free.length) return undefined;
    const [color, shape] = rng.pick(free);
    const size = rng.int(Math.round(Math.min(width, height) * 0.07), Math.round(Math.min(width, height) * 0.13));
    const placed = place(rng, { id: nextId, shape, color, cx: 0, cy: 0, size }, state, taken, width, height);
    if (placed) nextId++;
    return placed;
  };
  let state = newScene(rng, options, newObject);
  const states: SceneState[] = [state];
  const events: ScriptEvent[] = [];
  for (let i = 0; i < options.events; i++) {
    const candidates = kinds.filter((k) => !(k === 'pan' || k === 'cut') || !events.some((e) => e.kind === k));
    let made: { event: ScriptEvent; state: SceneState } | undefined;
    for (let attempt = 0; attempt < 50 && !made; attempt++) {
      const kind = weightedPick(rng, candidates.length ? candidates : kinds);
      made = makeEvent(kind, rng, state, options, newObject);
    }
    if (!made) throw new Error(`could not script event ${i + 1} of the clip with seed ${options.seed} (kinds: ${kinds.join(', ')})`);
    events.push(made.event);
    states.push(made.state);
    state = made.state;
  }
  return { states, events };
}

function weightedPick(rng: Random, kinds: readonly EventKind[]): EventKind {
  const total = kinds.reduce((n, k) => n + WEIGHTS[k], 0);
  let r = rng.next() * total;
  for (const k of kinds) if ((r -= WEIGHTS[k]) < 0) return k;
  return kinds[kinds.length - 1]!;
}

function newBackground(rng: Random, avoid?: Texture): Background {
  const texture = rng.pick(TEXTURES.filter((t) => t !== avoid));
  const base = rng.pick(BACKGROUND_BASES);
  const shade = rng.pick([-1, 1]) * rng.int(22, 34);
  const accent = base.map((v) => Math.max(0, Math.min(255, v + shade))) as unknown as Background['accent'];
  return { texture, seed: rng.int(1, 1_000_000), base, accent };
}

function newScene(rng: Random, o: ScriptOptions, newObject: (s: SceneState, taken: SynthObject[]) => SynthObject | undefined, avoid?: Texture): SceneState {
  const state: SceneState = { background: newBackground(rng, avoid), camX: 0, camY: 0, objects: [] };
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const obj = newObject(state, state.objects);
    if (obj) state.objects.push(obj);
  }
  return state;
}

/** Objects fully inside the view (with a margin): the only ones events may touch. */
export function visibleObjects(state: SceneState, width: number, height: number): SynthObject[] {
  return state.objects.filter((o) => fits(o, state, width, height));
}

function fits(o: SynthObject, state: SceneState, width: number, height: number): boolean {
  const x = o.cx - state.camX;
  const y = o.cy - state.camY;
  return x - o.size >= MARGIN && y - o.size >= MARGIN && x + o.size <= width - MARGIN && y + o.size <= height - MARGIN;
}

function overlaps(a: SynthObject, b: SynthObject, gap = MARGIN): boolean {
  const reach = a.size + b.size + gap;
  return Math.abs(a.cx - b.cx) < reach && Math.abs(a.cy - b.cy) < reach;
}

/** Places an object at a random free spot in the view, or gives up. */
function place(rng: Random, o: SynthObject, state: SceneState, others: SynthObject[], width: number, height: number, extra: (c: SynthObject) => boolean = () => true): SynthObject | undefined {
  for (let attempt = 0; attempt < 60; attempt++) {
    const c = {
      ...o,
      cx: state.camX + rng.int(o.size + MARGIN, width - o.size - MARGIN),
      cy: state.camY + rng.int(o.size + MARGIN, height - o.size - MARGIN),
    };
    if (fits(c, state, width, height) && others.every((b) => b.id === c.id || !overlaps(c, b)) && extra(c)) return c;
  }
  return undefined;
}

const phrase = (o: SynthObject) => `${o.color} ${o.shape}`;
const withArticle = (o: SynthObject) => `${/^[aeiou]/.test(o.color) ? 'an' : 'a'} ${phrase(o)}`;

/** Where an object is in the view, as instructions say it ("at the top left", "in the center"). */
export function wherePhrase(o: SynthObject, state: SceneState, width: number, height: number): string {
  const x = (o.cx - state.camX) / width;
  const y = (o.cy - state.camY) / height;
  const col = x < 1 / 3 ? 'left' : x > 2 / 3 ? 'right' : '';
  const row = y < 1 / 3 ? 'top' : y > 2 / 3 ? 'bottom' : '';
  if (!row && !col) return 'in the center';
  if (!row) return `on the ${col}`;
  return `at the ${row}${col ? ` ${col}` : ''}`;
}

function directionPhrase(dx: number, dy: number): string {
  const h = dx > 0 ? 'right' : 'left';
  const v = dy > 0 ? 'down' : 'up';
  if (Math.abs(dx) > 2 * Math.abs(dy)) return `to the ${h}`;
  if (Math.abs(dy) > 2 * Math.abs(dx)) return v;
  return `to the ${dy > 0 ? 'lower' : 'upper'} ${h}`;
}

function listPhrase(objects: SynthObject[]): string {
  const names = objects.map(withArticle);
  return names.length <= 1 ? (names[0] ?? 'nothing') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function makeEvent(
  kind: EventKind,
  rng: Random,
  state: SceneState,
  o: ScriptOptions,
  newObject: (s: SceneState, taken: SynthObject[]) => SynthObject | undefined,
): { event: ScriptEvent; state: SceneState } | undefined {
  const { width, height } = o;
  const visible = visibleObjects(state, width, height);
  const others = (id: number) => state.objects.filter((b) => b.id !== id);
  const replace = (obj: SynthObject): SceneState => ({ ...state, objects: state.objects.map((b) => (b.id === obj.id ? obj : b)) });
  switch (kind) {
    case 'appear': {
      if (visible.length >= MAX_OBJECTS) return undefined;
      const obj = newObject(state, state.objects);
      if (!obj) return undefined;
      return {
        event: { kind, objectId: obj.id, text: `add ${withArticle(obj)} ${wherePhrase(obj, state, width, height)}`, phrases: { source: '', target: phrase(obj) } },
        state: { ...state, objects: [...state.objects, obj] },
      };
    }
    case 'disappear': {
      if (!visible.length) return undefined;
      const obj = rng.pick(visible);
      return {
        event: { kind, objectId: obj.id, text: `remove the ${phrase(obj)}`, phrases: { source: phrase(obj), target: '' } },
        state: { ...state, objects: others(obj.id) },
      };
    }
    case 'move': {
      if (!visible.length) return undefined;
      const obj = rng.pick(visible);
      // The old and new places never overlap, so the change is two separate regions.
      const moved = place(rng, obj, state, others(obj.id), width, height, (c) => !overlaps(c, obj, 2 * MARGIN));
      if (!moved) return undefined;
      const text = `move the ${phrase(obj)} ${directionPhrase(moved.cx - obj.cx, moved.cy - obj.cy)}`;
      return { event: { kind, objectId: obj.id, text, phrases: { source: phrase(obj), target: phrase(obj) } }, state: replace(moved) };
    }
    case 'recolor': {
      if (!visible.length) return undefined;
      const obj = rng.pick(visible);
      const taken = new Set(state.objects.map((b) => `${b.color} ${b.shape}`));
      const colors = COLOR_NAMES.filter((c) => c !== obj.color && !taken.has(`${c} ${obj.shape}`));
      if (!colors.length) return undefined;
      const recolored = { ...obj, color: rng.pick(colors) };
      return {
        event: { kind, objectId: obj.id, text: `make the ${phrase(obj)} ${recolored.color}`, phrases: { source: phrase(obj), target: phrase(recolored) } },
        state: replace(recolored),
      };
    }
    case 'resize': {
      if (!visible.length) return undefined;
      const obj = rng.pick(visible);
      const bigger = obj.size * 1.6 + 2 * MARGIN < Math.min(width, height) / 2 && rng.chance(0.6);
      const size = Math.round(bigger ? obj.size * 1.6 : obj.size * 0.6);
      if (size < 8) return undefined;
      const resized = { ...obj, size };
      if (!fits(resized, state, width, height) || others(obj.id).some((b) => overlaps(resized, b))) return undefined;
      return {
        event: { kind, objectId: obj.id, text: `make the ${phrase(obj)} ${bigger ? 'bigger' : 'smaller'}`, phrases: { source: phrase(obj), target: phrase(obj) } },
        state: replace(resized),
      };
    }
    case 'pan': {
      const dx = rng.pick([-1, 1]) * rng.int(Math.round(width * 0.2), Math.round(width * 0.3));
      return {
        event: { kind, text: `pan the camera to the ${dx > 0 ? 'right' : 'left'}`, phrases: { source: 'the scene', target: 'the scene' } },
        state: { ...state, camX: state.camX + dx },
      };
    }
    case 'cut': {
      const next = newScene(rng, o, newObject, state.background.texture);
      return {
        event: { kind, text: `cut to a new scene with ${listPhrase(next.objects)}`, phrases: { source: 'the scene', target: 'the scene' } },
        state: next,
      };
    }
  }
}
