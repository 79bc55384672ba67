/**
 * Shapes and their dimensions. A dimension is a number or a symbol (a string such as 'batch'). Products of
 * symbols stay symbolic ('3*batch'), so reshapes such as [0, -1] keep exact shapes; a dimension the builder
 * cannot know gets a fresh symbol starting with '?'.
 */

/** One dimension: a size, or a symbol bound when the model runs. */
export type Dim = number | string;
/** A tensor shape. */
export type Shape = readonly Dim[];

/**
 * A shape that does not fit an op, found while building. The message names the op, the node and the shapes.
 * @example try { g.add(a, b) } catch (e) { if (e instanceof ShapeError) console.log(e.message) }
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(readonly opType: string, readonly node: string, detail: string, readonly shapes: Shape[] = []) {
    super(`${opType} node '${node}': ${detail}`);
  }
}

/**
 * A shape written as text: [batch,3,64,64].
 * @example formatShape(['b', 3]) // '[b,3]'
 */
export function formatShape(s: Shape | undefined): string {
  return s ? `[${s.join(',')}]` : '[?]';
}

let unknownCounter = 0;
/** A fresh symbol for a dimension the builder cannot know. */
export function unknownDim(hint = 'd'): string {
  return `?${hint}${++unknownCounter}`;
}

/** True when a dimension is a fresh unknown symbol. */
export function isUnknown(d: Dim): boolean {
  return typeof d === 'string' && d.startsWith('?');
}

interface Monomial { coef: number; syms: string[] }

function parse(d: Dim): Monomial {
  if (typeof d === 'number') return { coef: d, syms: [] };
  let coef = 1;
  const syms: string[] = [];
  for (const part of d.split('*')) {
    if (/^\d+$/.test(part)) coef *= Number(part);
    else syms.push(part);
  }
  syms.sort();
  return { coef, syms };
}

function show(m: Monomial): Dim {
  if (m.syms.length === 0) return m.coef;
  return m.coef === 1 ? m.syms.join('*') : `${m.coef}*${m.syms.join('*')}`;
}

/** The product of dimensions (symbolic where a factor is). @example dimProduct([2, 'b', 3]) // '6*b' */
export function dimProduct(dims: Shape): Dim {
  const m: Monomial = { coef: 1, syms: [] };
  for (const d of dims) {
    const p = parse(d);
    m.coef *= p.coef;
    m.syms.push(...p.syms);
  }
  m.syms.sort();
  return show(m);
}

/** a / b when it divides exactly, else undefined. @example dimDivide('6*b', 3) // '2*b' */
export function dimDivide(a: Dim, b: Dim): Dim | undefined {
  const pa = parse(a);
  const pb = parse(b);
  if (pb.coef === 0 || pa.coef % pb.coef !== 0) return undefined;
  const rest = [...pa.syms];
  for (const s of pb.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return show({ coef: pa.coef / pb.coef, syms: rest });
}

/** Dimensions equal as values (numbers) or as canonical symbolic products. */
export function dimEqual(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return show(parse(a)) === show(parse(b));
}

/** Shapes equal dimension by dimension. */
export function shapeEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimEqual(d, b[i]));
}

/** The number of elements of a fully numeric shape, else undefined. */
export function numelOf(s: Shape): number | undefined {
  let n = 1;
  for (const d of s) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/** Normalises a possibly negative axis against a rank, or returns undefined when it is out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/**
 * Numpy-style broadcasting of two shapes, or a description of the first mismatch.
 * @example broadcastShapes(['b', 1, 4], [3, 1]) // { shape: ['b', 3, 4] }
 */
export function broadcastShapes(a: Shape, b: Shape): { shape: Dim[] } | { error: string } {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (dimEqual(da, db)) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (isUnknown(da)) out.push(db);
    else if (isUnknown(db)) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number') return { error: `dimension ${i} differs (${da} vs ${db})` };
    // a symbol against a size: at run time the symbol must be that size or 1
    else if (typeof da === 'number') out.push(da);
    else if (typeof db === 'number') out.push(db);
    else return { error: `dimension ${i} has two different symbols (${da} vs ${db})` };
  }
  return { shape: out };
}
