/**
 * Checks a run's inputs against the model before ORT sees them: names, dtypes and shapes, with symbolic
 * dimensions bound consistently across inputs. Every problem is listed in one readable error.
 */
import type * as ort from 'onnxruntime-node';

/** Name, dtype and shape of a model input or output (symbolic dims are strings; [] = unknown shape). */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly (number | string)[];
}

/**
 * Inputs that do not fit the model. `issues` holds one line per problem.
 * @example try { await s.run(feeds) } catch (e) { if (e instanceof InputCheckError) console.log(e.issues) }
 */
export class InputCheckError extends Error {
  override readonly name = 'InputCheckError';
  constructor(readonly model: string, readonly issues: readonly string[], expected: readonly TensorInfo[]) {
    super(
      `model '${model}': the inputs do not match the model:\n${issues.map((i) => `  - ${i}`).join('\n')}\n` +
        `expected inputs: ${expected.map(describe).join(', ')}`,
    );
  }
}

/** `name dtype[d0,d1]` @example describe({ name: 'x', dtype: 'float32', shape: ['b', 3] }) // 'x float32[b,3]' */
export function describe(t: TensorInfo): string {
  return `${t.name} ${t.dtype}[${t.shape.length ? t.shape.join(',') : '?'}]`;
}

function isKnown(d: number | string): d is number {
  return typeof d === 'number' && d >= 0;
}

/**
 * Throws InputCheckError when feeds miss an input, name one the model lacks, or have the wrong dtype or
 * shape. Returns the bindings of the symbolic dimensions.
 * @example checkInputs('sam', session.inputs, { pixel_values: tensor })
 */
export function checkInputs(model: string, expected: readonly TensorInfo[], feeds: Readonly<Record<string, ort.Tensor>>): Map<string, number> {
  const issues: string[] = [];
  const bound = new Map<string, { size: number; by: string }>();
  const names = new Set(expected.map((e) => e.name));
  for (const name of Object.keys(feeds)) {
    if (!names.has(name)) issues.push(`${name}: not an input of the model`);
  }
  for (const e of expected) {
    const t = feeds[e.name];
    if (t === undefined || t === null) {
      issues.push(`${e.name}: missing (expected ${e.dtype}[${e.shape.join(',')}])`);
      continue;
    }
    const given = `${t.type}[${t.dims.join(',')}]`;
    const want = `${e.dtype}[${e.shape.join(',')}]`;
    if (t.type !== e.dtype) {
      issues.push(`${e.name}: expected ${want}, given ${given} (dtype ${t.type}, expected ${e.dtype})`);
      continue;
    }
    if (e.shape.length === 0 && t.dims.length !== 0) continue; // the model does not declare a shape
    if (t.dims.length !== e.shape.length) {
      issues.push(`${e.name}: expected ${want}, given ${given} (rank ${t.dims.length}, expected ${e.shape.length})`);
      continue;
    }
    e.shape.forEach((d, i) => {
      const size = t.dims[i];
      if (isKnown(d)) {
        if (size !== d) issues.push(`${e.name}: expected ${want}, given ${given} (dimension ${i} is ${size}, expected ${d})`);
      } else if (typeof d === 'string' && d !== '') {
        const b = bound.get(d);
        if (!b) bound.set(d, { size, by: e.name });
        else if (b.size !== size) {
          issues.push(`${e.name}: expected ${want}, given ${given} (dimension ${i} '${d}' is ${size}, but ${b.by} bound '${d}' to ${b.size})`);
        }
      }
    });
  }
  if (issues.length > 0) throw new InputCheckError(model, issues, expected);
  return new Map([...bound].map(([k, v]) => [k, v.size]));
}
