/**
 * Widgets by input type: number (min/max/step), choice list, toggle, one-line text, multi-line text (an
 * editor dialog) and a file picker that uploads to `/api/files` and sets the path.
 */
import type { IWidget, LGraphCanvas, LGraphNode } from 'litegraph.js';
import { api } from './api.js';
import { LG as LiteGraph } from './lg.js';
import { editText, toast } from './panels/dialogs.js';
import { initialValue, type WidgetShape } from './shape.js';

/** Told whenever a widget's value changes (undo snapshot, dirty flag). */
export type OnWidgetChange = (node: LGraphNode, name: string, value: unknown) => void;

/** Decimals shown for a FLOAT step: 0.01 -> 2. */
function decimals(step: number): number {
  const text = String(step);
  return text.includes('.') ? Math.min(6, text.length - text.indexOf('.') - 1) : 0;
}

const clip = (ctx: CanvasRenderingContext2D, text: string, width: number) => {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`…${t}`).width > width) t = t.slice(1);
  return `…${t}`;
};

/** Draws the frame of a custom widget the way LiteGraph draws its own. */
function frame(ctx: CanvasRenderingContext2D, width: number, y: number, height: number, disabled: boolean) {
  ctx.save();
  ctx.globalAlpha *= disabled ? 0.5 : 1;
  ctx.fillStyle = LiteGraph.WIDGET_BGCOLOR;
  ctx.strokeStyle = LiteGraph.WIDGET_OUTLINE_COLOR;
  ctx.beginPath();
  ctx.roundRect(15, y, width - 30, height, [6]);
  ctx.fill();
  ctx.stroke();
  ctx.restore();
}

interface CustomWidget extends IWidget {
  disabled?: boolean;
}

function multilineWidget(shape: WidgetShape, onChange: (value: string) => void): CustomWidget {
  const widget: CustomWidget = {
    name: shape.name,
    type: 'multiline' as never,
    value: initialValue(shape.input),
    y: shape.y,
    options: { multiline: true },
    computeSize: (width) => [width, shape.height],
    draw(ctx, _node, width, y, height) {
      frame(ctx, width, y, height, !!widget.disabled);
      ctx.save();
      ctx.font = '12px sans-serif';
      ctx.fillStyle = LiteGraph.WIDGET_SECONDARY_TEXT_COLOR;
      ctx.fillText(shape.name, 22, y + 14);
      ctx.fillStyle = LiteGraph.WIDGET_TEXT_COLOR;
      const lines = String(widget.value ?? '').split('\n');
      const shown = Math.floor((height - 20) / 14);
      lines.slice(0, shown).forEach((line, i) => ctx.fillText(clip(ctx, line, width - 50), 22, y + 30 + i * 14));
      if (lines.length > shown) ctx.fillText(`… ${lines.length - shown} more`, 22, y + height - 4);
      ctx.restore();
    },
    mouse(event, _pos, node) {
      if (event.type !== `${LiteGraph.pointerevents_method}down`) return false;
      void editText(`${node.title}: ${shape.name}`, String(widget.value ?? '')).then((text) => {
        if (text === undefined) return;
        widget.value = text;
        onChange(text);
      });
      return true;
    },
  };
  return widget;
}

function fileWidget(shape: WidgetShape, onChange: (value: string) => void, canvas: () => LGraphCanvas): CustomWidget {
  const accept = typeof shape.input.file === 'object' ? (shape.input.file.accept ?? '') : '';
  const BUTTON = 64;
  const widget: CustomWidget = {
    name: shape.name,
    type: 'file' as never,
    value: initialValue(shape.input),
    y: shape.y,
    options: { accept },
    draw(ctx, _node, width, y, height) {
      frame(ctx, width, y, height, !!widget.disabled);
      ctx.save();
      ctx.font = '12px sans-serif';
      ctx.fillStyle = LiteGraph.WIDGET_SECONDARY_TEXT_COLOR;
      ctx.fillText(shape.name, 22, y + height * 0.7);
      const label = widget.disabled ? '(linked)' : String(widget.value || 'none');
      ctx.fillStyle = LiteGraph.WIDGET_TEXT_COLOR;
      ctx.textAlign = 'right';
      const nameWidth = ctx.measureText(shape.name).width;
      ctx.fillText(clip(ctx, label.split('/').pop() ?? label, width - 30 - BUTTON - nameWidth - 20), width - 22 - BUTTON, y + height * 0.7);
      ctx.fillStyle = '#2f4f6f';
      ctx.beginPath();
      ctx.roundRect(width - 15 - BUTTON, y + 1, BUTTON, height - 2, [0, 6, 6, 0]);
      ctx.fill();
      ctx.fillStyle = '#dde';
      ctx.textAlign = 'center';
      ctx.fillText('upload…', width - 15 - BUTTON / 2, y + height * 0.7);
      ctx.restore();
    },
    mouse(event, pos, node) {
      if (event.type !== `${LiteGraph.pointerevents_method}down`) return false;
      if (pos[0] > node.size[0] - 15 - BUTTON) {
        pickFile(accept, async (file) => {
          try {
            const path = await api.upload(file);
            widget.value = path;
            onChange(path);
            toast(`uploaded ${file.name}`);
          } catch (error) {
            toast(`upload failed: ${(error as Error).message}`, 'error');
          }
        });
      } else {
        canvas().prompt('Path', widget.value, (v: string) => {
          widget.value = v;
          onChange(v);
        }, event);
      }
      return true;
    },
  };
  return widget;
}

/** Opens the browser's file chooser (one hidden input, reused, so none pile up). */
export function pickFile(accept: string, then: (file: File) => void): void {
  let input = document.getElementById('file-picker') as HTMLInputElement | null;
  if (!input) {
    input = document.createElement('input');
    input.id = 'file-picker';
    input.type = 'file';
    input.hidden = true;
    document.body.append(input);
  }
  input.accept = accept;
  input.value = '';
  input.onchange = () => {
    const file = input!.files?.[0];
    if (file) then(file);
  };
  input.click();
}

/**
 * Adds the widget of one input to a node.
 * @example addInputWidget(node, shape.widgets[0], (n, name, v) => undo.schedule(), () => canvas);
 */
export function addInputWidget(node: LGraphNode, shape: WidgetShape, onChange: OnWidgetChange, canvas: () => LGraphCanvas): IWidget {
  const { input, name } = shape;
  const changed = (value: unknown) => onChange(node, name, value);
  const value = initialValue(input);
  switch (shape.kind) {
    case 'number': {
      const int = input.type === 'INT';
      const step = input.step ?? (int ? 1 : 0.1);
      // LiteGraph moves a number widget by a tenth of `step` per click.
      const options = { min: input.min, max: input.max, step: step * 10, precision: int ? 0 : decimals(step), y: shape.y };
      const widget = node.addWidget('number', name, value, (v: number) => {
        if (int && Number.isFinite(v) && !Number.isInteger(v)) widget.value = Math.round(v);
        changed(widget.value);
      }, options);
      return widget;
    }
    case 'combo':
      return node.addWidget('combo', name, value, (v: unknown) => changed(v), { values: input.choices, y: shape.y });
    case 'toggle':
      return node.addWidget('toggle', name, value, (v: unknown) => changed(v), { on: 'true', off: 'false', y: shape.y });
    case 'text':
      return node.addWidget('text', name, value, (v: unknown) => changed(v), { y: shape.y });
    case 'multiline':
      return node.addCustomWidget(multilineWidget(shape, changed));
    case 'file':
      return node.addCustomWidget(fileWidget(shape, changed, canvas));
  }
}
