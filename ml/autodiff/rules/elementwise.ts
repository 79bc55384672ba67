/** Gradient rules of elementwise ops: broadcasting arithmetic, unary maps (SiLU, GELU, RMSNorm parts), Where, Cast. */
import { isFloat, type GradientRule, type Tensor } from '../../onnx/index.js';
import { grad0, input, sumTo, wants, withShape } from './context.js';

const add: GradientRule = (ctx) => {
  const g = ctx.builder;
  const gy = grad0(ctx);
  return [0, 1].map((i) => (wants(ctx, i) ? sumTo(g, gy, input(ctx, i)) : undefined));
};

const sub: GradientRule = (ctx) => {
  const g = ctx.builder;
  const gy = grad0(ctx);
  return [
    wants(ctx, 0) ? sumTo(g, gy, input(ctx, 0)) : undefined,
    wants(ctx, 1) ? sumTo(g, g.neg(gy), input(ctx, 1)) : undefined,
  ];
};

const mul: GradientRule = (ctx) => {
  const g = ctx.builder;
  const gy = grad0(ctx);
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  return [
    wants(ctx, 0) ? sumTo(g, g.mul(gy, b), a) : undefined,
    wants(ctx, 1) ? sumTo(g, g.mul(gy, a), b) : undefined,
  ];
};

const div: GradientRule = (ctx) => {
  const g = ctx.builder;
  const gy = grad0(ctx);
  const [a, b] = [input(ctx, 0), input(ctx, 1)];
  const y = ctx.outputs[0];
  return [
    wants(ctx, 0) ? sumTo(g, g.div(gy, b), a) : undefined,
    wants(ctx, 1) ? sumTo(g, g.neg(g.div(g.mul(gy, y), b)), b) : undefined,
  ];
};

const pow: GradientRule = (ctx) => {
  const g = ctx.builder;
  const gy = grad0(ctx);
  const [x, p] = [input(ctx, 0), input(ctx, 1)];
  const y = ctx.outputs[0];
  const pp = p.dtype === x.dtype ? p : g.cast(p, x.dtype);
  // d/dx x^p = p x^(p-1); d/dp x^p = x^p ln x
  const gx = wants(ctx, 0) ? sumTo(g, g.mul(gy, g.mul(pp, g.pow(x, g.sub(pp, 1)))), x) : undefined;
  const gp = wants(ctx, 1) && isFloat(p.dtype) ? sumTo(g, g.mul(gy, g.mul(y, g.log(x))), p) : undefined;
  return [gx, gp && p.dtype !== x.dtype ? g.cast(gp, p.dtype) : gp];
};

/** A unary rule from the local derivative, built from the input x and the output y. */
function unary(local: (g: Parameters<GradientRule>[0]['builder'], x: Tensor, y: Tensor, gy: Tensor) => Tensor): GradientRule {
  return (ctx) => [wants(ctx, 0) ? withShape(ctx.builder, local(ctx.builder, input(ctx, 0), ctx.outputs[0], grad0(ctx)), input(ctx, 0)) : undefined];
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The elementwise rules by op type. */
export const elementwiseRules: Record<string, GradientRule> = {
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Pow: pow,
  Neg: unary((g, _x, _y, gy) => g.neg(gy)),
  Identity: unary((_g, _x, _y, gy) => gy),
  Sqrt: unary((g, _x, y, gy) => g.div(g.mul(gy, 0.5), y)),
  Reciprocal: unary((g, _x, y, gy) => g.neg(g.mul(gy, g.mul(y, y)))),
  Exp: unary((g, _x, y, gy) => g.mul(gy, y)),
  Log: unary((g, x, _y, gy) => g.div(gy, x)),
  Sigmoid: unary((g, _x, y, gy) => g.mul(gy, g.mul(y, g.sub(1, y)))),
  Tanh: unary((g, _x, y, gy) => g.mul(gy, g.sub(1, g.mul(y, y)))),
  Erf: unary((g, x, _y, gy) => g.mul(gy, g.mul(g.exp(g.neg(g.mul(x, x))), TWO_OVER_SQRT_PI))),
  Sin: unary((g, x, _y, gy) => g.mul(gy, g.op('Cos', [x]))),
  Cos: unary((g, x, _y, gy) => g.neg(g.mul(gy, g.op('Sin', [x])))),
  Relu: unary((g, x, _y, gy) => g.where(g.op('Greater', [x, g.scalar(0, x)]), gy, 0)),
  Abs: unary((g, x, _y, gy) => g.mul(gy, g.op('Sign', [x]))),
  Softplus: unary((g, x, _y, gy) => g.mul(gy, g.sigmoid(x))),
  LeakyRelu: (ctx) => {
    const g = ctx.builder;
    const x = input(ctx, 0);
    const alphaAttr = ctx.node.attrs.alpha;
    const alpha = typeof alphaAttr === 'number' ? alphaAttr : 0.01;
    const gy = grad0(ctx);
    return [wants(ctx, 0) ? g.where(g.op('Greater', [x, g.scalar(0, x)]), gy, g.mul(gy, alpha)) : undefined];
  },
  Where: (ctx) => {
    const g = ctx.builder;
    const gy = grad0(ctx);
    const cond = input(ctx, 0);
    return [
      undefined,
      wants(ctx, 1) ? sumTo(g, g.where(cond, gy, 0), input(ctx, 1)) : undefined,
      wants(ctx, 2) ? sumTo(g, g.where(cond, 0, gy), input(ctx, 2)) : undefined,
    ];
  },
  Cast: (ctx) => {
    const x = input(ctx, 0);
    if (!wants(ctx, 0) || !isFloat(x.dtype)) return [undefined];
    const gy = grad0(ctx);
    return [gy.dtype === x.dtype ? gy : ctx.builder.cast(gy, x.dtype)];
  },
};
