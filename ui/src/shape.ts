/**
 * The shape of a node in the editor, computed from its catalog entry alone (pure, no DOM): which inputs
 * are sockets, which have widgets and where they sit. The LiteGraph node class and the document conversion
 * both use it, so a node built by hand and one loaded from a document have the same slots.
 *
 * Every input has a socket. Link-only inputs (IMAGE, MASK, ...) are the top rows beside the outputs; an
 * input with a widget gets its socket on its widget's row, so a widget can also be fed by a link.
 */
import type { InputInfo, NodeInfo } from './protocol.js';

export const TITLE_HEIGHT = 30;
export const SLOT_HEIGHT = 20;
export const WIDGET_HEIGHT = 20;
export const WIDGET_GAP = 4;
export const MULTILINE_HEIGHT = 60;
/** Room under the widgets of an output node for its preview image. */
export const PREVIEW_ROOM = 140;
export const MIN_WIDTH = 240;

/** How an input is edited. */
export type WidgetKind = 'number' | 'combo' | 'toggle' | 'text' | 'multiline' | 'file';

/** An input slot as LiteGraph keeps it. */
export interface SlotShape {
  name: string;
  type: string;
  /** Empty for widget inputs: the widget shows the name. */
  label?: string;
  /** Fixed position (relative to the node) for widget inputs. */
  pos?: [number, number];
  /** The widget this socket feeds, when it has one. */
  widget?: { name: string };
}

export interface WidgetShape {
  name: string;
  kind: WidgetKind;
  input: InputInfo;
  /** Top of the widget, relative to the node body. */
  y: number;
  height: number;
}

export interface NodeShape {
  inputs: SlotShape[];
  outputs: Array<{ name: string; type: string }>;
  widgets: WidgetShape[];
  widgetsStartY: number;
  /** Where the widgets end (previews are drawn below). */
  widgetsEndY: number;
  size: [number, number];
}

/**
 * The widget an input gets, or undefined when it takes links only.
 * @example widgetKind({ type: 'INT', mode: 'each', widget: true }) // 'number'
 */
export function widgetKind(input: InputInfo): WidgetKind | undefined {
  if (!input.widget) return undefined;
  if (input.choices && input.choices.length) return 'combo';
  if (input.type === 'BOOLEAN') return 'toggle';
  if (input.type === 'INT' || input.type === 'FLOAT') return 'number';
  if (input.file) return 'file';
  if (input.multiline) return 'multiline';
  return 'text';
}

/**
 * The value a fresh widget starts with.
 * @example initialValue({ type: 'INT', mode: 'each', widget: true, min: 1 }) // 1
 */
export function initialValue(input: InputInfo): unknown {
  if (input.default !== undefined) return input.default;
  if (input.choices && input.choices.length) return input.choices[0];
  if (input.type === 'BOOLEAN') return false;
  if (input.type === 'INT' || input.type === 'FLOAT') return input.min !== undefined && input.min > 0 ? input.min : 0;
  return '';
}

/**
 * Computes the slots, widgets and default size of a node type.
 * @example const { inputs, widgets } = nodeShape(catalog.nodes[0]);
 */
export function nodeShape(info: NodeInfo): NodeShape {
  const entries = Object.entries(info.inputs);
  const linkOnly = entries.filter(([, input]) => !widgetKind(input));
  const withWidget = entries.filter(([, input]) => widgetKind(input));
  const outputs = Object.entries(info.outputs).map(([name, o]) => ({ name, type: o.type }));
  const rows = Math.max(linkOnly.length, outputs.length, withWidget.length ? 0 : 1);
  const widgetsStartY = rows * SLOT_HEIGHT + 4;
  let y = widgetsStartY + 2;
  const widgets: WidgetShape[] = [];
  const inputs: SlotShape[] = linkOnly.map(([name, input]) => ({ name, type: input.type }));
  for (const [name, input] of withWidget) {
    const kind = widgetKind(input) as WidgetKind;
    const height = kind === 'multiline' ? MULTILINE_HEIGHT : WIDGET_HEIGHT;
    widgets.push({ name, kind, input, y, height });
    inputs.push({ name, type: input.type, label: '', pos: [8, y + Math.min(height, WIDGET_HEIGHT) / 2], widget: { name } });
    y += height + WIDGET_GAP;
  }
  const widgetsEndY = y + 4;
  const titleWidth = info.title.length * 8 + 60;
  const height = widgetsEndY + (info.output ? PREVIEW_ROOM : 0);
  return { inputs, outputs, widgets, widgetsStartY, widgetsEndY, size: [Math.max(MIN_WIDTH, titleWidth), height] };
}
