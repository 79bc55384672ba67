/**
 * The node registry: packs are data (a name and a list of node definitions), registered at start.
 */
import { hasWidget, inputMode, outputType, type NodeDefinition } from './node.js';
import { allConversions, allTypes } from './types.js';

/** A node pack: what `nodes/index.ts` and user packs export. */
export interface NodePack {
  name: string;
  description?: string;
  nodes: NodeDefinition[];
}

/** The catalog entry of one node type, as `GET /api/nodes` and `cinegraph nodes --json` give it. */
export interface NodeInfo {
  type: string;
  title: string;
  category: string;
  description: string;
  pack: string;
  output: boolean;
  notIdempotent: boolean;
  stream: boolean;
  inputs: Record<string, Record<string, unknown> & { type: string; mode: string; widget: boolean }>;
  outputs: Record<string, { type: string; description?: string }>;
}

/**
 * Holds node types by id.
 * @example const registry = new NodeRegistry().addPack(corePack); registry.get('core/int');
 */
export class NodeRegistry {
  private readonly nodes = new Map<string, { def: NodeDefinition; pack: string }>();

  /** Adds every node of a pack; a type id already taken is an error naming both packs. */
  addPack(pack: NodePack): this {
    for (const def of pack.nodes) {
      const existing = this.nodes.get(def.type);
      if (existing) throw new Error(`node type "${def.type}" of pack "${pack.name}" is already defined by pack "${existing.pack}"`);
      this.nodes.set(def.type, { def, pack: pack.name });
    }
    return this;
  }

  get(type: string): NodeDefinition | undefined {
    return this.nodes.get(type)?.def;
  }

  has(type: string): boolean {
    return this.nodes.has(type);
  }

  types(): string[] {
    return [...this.nodes.keys()];
  }

  /** The catalog: every node type with its sockets, widgets and description, plus the type table. */
  catalog(): { types: Array<{ id: string; color: string }>; conversions: Array<{ from: string; to: string }>; nodes: NodeInfo[] } {
    const nodes = [...this.nodes.values()].map(({ def, pack }) => describeNode(def, pack));
    return { types: allTypes().map((t) => ({ id: t.id, color: t.color })), conversions: allConversions(), nodes };
  }
}

function describeNode(def: NodeDefinition, pack: string): NodeInfo {
  const inputs: NodeInfo['inputs'] = {};
  for (const [name, spec] of Object.entries(def.inputs)) {
    const { type, ...rest } = spec;
    inputs[name] = { ...rest, type: type.id, mode: inputMode(spec), widget: hasWidget(spec) };
  }
  const outputs: NodeInfo['outputs'] = {};
  for (const [name, spec] of Object.entries(def.outputs)) {
    const description = 'id' in spec ? undefined : spec.description;
    outputs[name] = { type: outputType(spec).id, ...(description ? { description } : {}) };
  }
  return {
    type: def.type,
    title: def.title,
    category: def.category,
    description: def.description,
    pack,
    output: !!def.output,
    notIdempotent: !!def.notIdempotent,
    stream: typeof def.stream === 'function',
    inputs,
    outputs,
  };
}
