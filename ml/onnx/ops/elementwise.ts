/** Elementwise ops: unary maps, broadcasting binary arithmetic and comparisons, variadic Max/Min/Sum/Mean. */
import { broadcastShapes, dimDivide, dimProduct, formatShape, numelOf, type Dim } from '../shape.js';
import { isFloat } from '../dtype.js';
import type { InferContext, OpDef, ValueType } from './types.js';

const same = (c: InferContext): ValueType[] => [{ dtype: c.input(0).dtype, shape: c.input(0).shape }];

const UNARY_FLOAT = ['Sigmoid', 'Tanh', 'Exp', 'Log', 'Sqrt', 'Erf', 'Reciprocal', 'Sin', 'Cos', 'Softplus', 'Softsign',
  'Floor', 'Ceil', 'Round', 'HardSwish', 'Mish'];
const UNARY_ANY = ['Relu', 'Neg', 'Abs', 'Sign'];

function unaryFloat(opType: string): OpDef {
  return {
    opType, arity: [1, 1],
    infer: (c) => {
      if (!isFloat(c.input(0).dtype)) throw c.fail(`needs a floating-point input, got ${c.input(0).dtype}`);
      return same(c);
    },
  };
}

/** Shape and dtype of broadcasting inputs; all must share one dtype. */
export function broadcastAll(c: InferContext, from = 0, to = c.inputs.length): ValueType {
  const first = c.input(from);
  let shape: Dim[] = [...first.shape];
  for (let i = from + 1; i < to; i++) {
    const x = c.input(i);
    if (x.dtype !== first.dtype) throw c.fail(`inputs must share a dtype, got ${first.dtype} and ${x.dtype} (input ${i})`);
    const r = broadcastShapes(shape, x.shape);
    if ('error' in r) throw c.fail(`cannot broadcast ${formatShape(shape)} with ${formatShape(x.shape)}: ${r.error}`);
    shape = r.shape;
  }
  return { dtype: first.dtype, shape };
}

type Fold = (a: Dim, b: Dim) => Dim | undefined;

/** Known values of a binary op on small known inputs (same size or one scalar), else undefined. */
function foldBinary(a: ValueType, b: ValueType, fn: Fold): Dim[] | undefined {
  if (!a.values || !b.values) return undefined;
  const n = Math.max(a.values.length, b.values.length);
  if (a.values.length !== n && a.values.length !== 1) return undefined;
  if (b.values.length !== n && b.values.length !== 1) return undefined;
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const r = fn(a.values[a.values.length === 1 ? 0 : i], b.values[b.values.length === 1 ? 0 : i]);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

const num = (f: (x: number, y: number) => number): Fold => (a, b) =>
  typeof a === 'number' && typeof b === 'number' ? f(a, b) : undefined;

const FOLDS: Partial<Record<string, (isInt: boolean) => Fold>> = {
  Add: () => num((x, y) => x + y),
  Sub: () => num((x, y) => x - y),
  Mul: () => (a, b) => dimProduct([a, b]),
  Div: (isInt) => (a, b) =>
    typeof a === 'number' && typeof b === 'number' ? (isInt ? Math.trunc(a / b) : a / b) : dimDivide(a, b),
};

function binary(opType: string): OpDef {
  return {
    opType, arity: [2, 2],
    infer: (c) => {
      const out = broadcastAll(c);
      const fold = FOLDS[opType];
      const isInt = !isFloat(out.dtype);
      const values = fold && numelOf(out.shape) !== undefined ? foldBinary(c.input(0), c.input(1), fold(isInt)) : undefined;
      return [values ? { ...out, values } : out];
    },
  };
}

function compare(opType: string): OpDef {
  return { opType, arity: [2, 2], infer: (c) => [{ dtype: 'bool', shape: broadcastAll(c).shape }] };
}

function variadic(opType: string): OpDef {
  return { opType, arity: [1, Infinity], infer: (c) => [broadcastAll(c)] };
}

export const elementwiseOps: OpDef[] = [
  ...UNARY_FLOAT.map(unaryFloat),
  ...UNARY_ANY.map((opType): OpDef => ({ opType, arity: [1, 1], infer: same })),
  { opType: 'Identity', arity: [1, 1], infer: (c) => [c.input(0)] },
  { opType: 'Not', arity: [1, 1], infer: (c) => [{ dtype: 'bool', shape: c.input(0).shape }] },
  { opType: 'IsNaN', arity: [1, 1], infer: (c) => [{ dtype: 'bool', shape: c.input(0).shape }] },
  { opType: 'LeakyRelu', arity: [1, 1], attrTypes: { alpha: 'float' }, infer: same },
  { opType: 'Elu', arity: [1, 1], attrTypes: { alpha: 'float' }, infer: same },
  { opType: 'HardSigmoid', arity: [1, 1], attrTypes: { alpha: 'float', beta: 'float' }, infer: same },
  { opType: 'Gelu', arity: [1, 1], since: 20, attrTypes: { approximate: 'string' }, infer: same },
  { opType: 'Clip', arity: [1, 3], infer: same },
  { opType: 'Dropout', arity: [1, 3], attrTypes: { seed: 'int' }, infer: (c) => [same(c)[0], { dtype: 'bool', shape: c.input(0).shape }] },
  ...['Add', 'Sub', 'Mul', 'Div', 'Mod'].map(binary),
  { opType: 'Pow', arity: [2, 2], infer: (c) => [{ dtype: c.input(0).dtype, shape: broadcastShapesOrFail(c) }] },
  { opType: 'PRelu', arity: [2, 2], infer: (c) => [broadcastAll(c)] },
  ...['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'].map(compare),
  ...['Max', 'Min', 'Sum', 'Mean'].map(variadic),
  {
    opType: 'Where', arity: [3, 3],
    infer: (c) => {
      if (c.input(0).dtype !== 'bool') throw c.fail(`condition must be bool, got ${c.input(0).dtype}`);
      const xy = broadcastAll(c, 1, 3);
      const r = broadcastShapes(c.input(0).shape, xy.shape);
      if ('error' in r) throw c.fail(`cannot broadcast condition ${formatShape(c.input(0).shape)} with ${formatShape(xy.shape)}: ${r.error}`);
      return [{ dtype: xy.dtype, shape: r.shape }];
    },
  },
];

function broadcastShapesOrFail(c: InferContext): Dim[] {
  const r = broadcastShapes(c.input(0).shape, c.input(1).shape);
  if ('error' in r) throw c.fail(`cannot broadcast ${formatShape(c.input(0).shape)} with ${formatShape(c.input(1).shape)}: ${r.error}`);
  return r.shape;
}
