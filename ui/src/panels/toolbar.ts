/**
 * The toolbar: templates (open, save, save as, delete), new, import, export, undo/redo, queue, cancel,
 * and the connection state. Its elements are in index.html; this wires them to the editor.
 */
import { api } from '../api.js';
import type { Editor } from '../editor.js';
import { emptyDocument } from '../editor.js';
import type { GraphDocument, TemplateInfo } from '../protocol.js';
import { askName, confirmAction, toast } from './dialogs.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Reads a dropped or chosen file as a graph document (a bare document, or a `{graph}` submission). */
export async function readGraphFile(file: File): Promise<GraphDocument> {
  const value = JSON.parse(await file.text()) as Record<string, unknown>;
  const doc = (value.format === 'cinegraph.graph' ? value : (value.graph as Record<string, unknown> | undefined)) as GraphDocument | undefined;
  if (!doc || doc.format !== 'cinegraph.graph' || typeof doc.nodes !== 'object') throw new Error(`${file.name} is not a cinegraph graph document (format "cinegraph.graph")`);
  return doc;
}

/** The toolbar's actions, also bound to keys by main.ts. */
export interface Toolbar {
  save(): Promise<void>;
  saveAs(): Promise<void>;
  refreshTemplates(): Promise<void>;
  update(): void;
  importFile(file: File): Promise<void>;
}

/**
 * @example const toolbar = setupToolbar(editor); await toolbar.refreshTemplates();
 */
export function setupToolbar(editor: Editor): Toolbar {
  const select = $<HTMLSelectElement>('templates');
  let templates: TemplateInfo[] = [];

  const okToLeave = async () => !editor.dirty || confirmAction('Unsaved changes', `"${editor.name}" has unsaved changes. Discard them?`);

  const open = async (name: string) => {
    if (!(await okToLeave())) return toolbar.update();
    try {
      editor.load(await api.template(name), name);
      toast(`opened ${name}`);
    } catch (error) {
      toast(`cannot open ${name}: ${(error as Error).message}`, 'error');
    }
  };

  const saveUnder = async (name: string) => {
    if (editor.name !== name) editor.rename(name);
    try {
      const res = await api.saveTemplate(name, editor.document());
      editor.markSaved(res.name);
      toast(`saved ${res.name}`);
      await toolbar.refreshTemplates();
    } catch (error) {
      toast(`cannot save: ${(error as Error).message}`, 'error');
    }
  };

  const toolbar: Toolbar = {
    async refreshTemplates() {
      try {
        templates = await api.templates();
      } catch (error) {
        toast(`cannot list templates: ${(error as Error).message}`, 'error');
      }
      toolbar.update();
    },
    async save() {
      const name = editor.templateName && templates.find((t) => t.name === editor.templateName)?.source === 'user' ? editor.templateName : undefined;
      if (name) await saveUnder(name);
      else await toolbar.saveAs();
    },
    async saveAs() {
      const name = await askName('Save as template', editor.templateName ?? editor.name);
      if (!name) return;
      if (templates.some((t) => t.name === name && t.source === 'user') && name !== editor.templateName) {
        if (!(await confirmAction('Replace template', `A template named "${name}" exists. Replace it?`))) return;
      }
      await saveUnder(name);
    },
    async importFile(file: File) {
      try {
        const doc = await readGraphFile(file);
        if (!(await okToLeave())) return;
        editor.load(doc);
        toast(`imported ${file.name}`);
      } catch (error) {
        toast((error as Error).message, 'error');
      }
    },
    update() {
      const current = editor.templateName;
      select.replaceChildren(
        new Option('— new graph —', ''),
        ...templates.map((t) => {
          const o = new Option(`${t.name}${t.source === 'shipped' ? ' (shipped)' : ''}`, t.name);
          o.title = t.error ?? t.description;
          return o;
        }),
      );
      select.value = current && templates.some((t) => t.name === current) ? current : '';
      const source = templates.find((t) => t.name === current)?.source;
      $<HTMLButtonElement>('delete').disabled = source !== 'user';
      $('doc-name').textContent = `${editor.name}${editor.dirty ? ' •' : ''}`;
      $('doc-name').title = editor.document().description ?? '';
      $<HTMLButtonElement>('undo').disabled = !editor.undo.canUndo;
      $<HTMLButtonElement>('redo').disabled = !editor.undo.canRedo;
      const status = editor.view.status;
      const active = status === 'queued' || status === 'running';
      $<HTMLButtonElement>('cancel').disabled = !active;
      $('run-status').textContent = status ? `${status}${editor.view.error ? `: ${editor.view.error}` : ''}` : '';
      $('run-status').className = `run-status ${status ?? ''}`;
    },
  };

  select.addEventListener('change', () => {
    if (select.value) void open(select.value);
    else
      void okToLeave().then((ok) => {
        if (ok) editor.load(emptyDocument());
        else toolbar.update();
      });
  });
  $('new').addEventListener('click', async () => {
    if (await okToLeave()) editor.load(emptyDocument());
  });
  $('save').addEventListener('click', () => void toolbar.save());
  $('save-as').addEventListener('click', () => void toolbar.saveAs());
  $('delete').addEventListener('click', async () => {
    const name = editor.templateName;
    if (!name || !(await confirmAction('Delete template', `Delete the template "${name}"?`))) return;
    try {
      const res = await api.deleteTemplate(name);
      toast(`deleted ${name}${res.shadowed ? ' (the shipped template of that name shows again)' : ''}`);
      editor.templateName = undefined;
      await toolbar.refreshTemplates();
    } catch (error) {
      toast((error as Error).message, 'error');
    }
  });
  const importInput = $<HTMLInputElement>('import-file');
  $('import').addEventListener('click', () => importInput.click());
  importInput.addEventListener('change', () => {
    const file = importInput.files?.[0];
    importInput.value = '';
    if (file) void toolbar.importFile(file);
  });
  $('export').addEventListener('click', () => {
    const doc = editor.document();
    const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${editor.templateName ?? doc.name ?? 'graph'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  $('undo').addEventListener('click', () => editor.undo.undo());
  $('redo').addEventListener('click', () => editor.undo.redo());
  $('queue').addEventListener('click', () => void editor.queue());
  $('cancel').addEventListener('click', () => void editor.cancel());
  $('fit').addEventListener('click', () => editor.fit());
  return toolbar;
}
