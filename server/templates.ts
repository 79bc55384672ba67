/**
 * Saved graph templates: the shipped `graphs/` folder (read-only) and the user's folder under the data
 * directory. A user template shadows a shipped one of the same name; only user templates can be deleted.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadRequestError, NotFoundError, parseGraph, type GraphDocument } from '../engine/index.js';
import { ForbiddenError } from './errors.js';

/** Where a template comes from. */
export type TemplateSource = 'shipped' | 'user';

/** A template as the list gives it. */
export interface TemplateInfo {
  name: string;
  description: string;
  source: TemplateSource;
  /** The document's own `name`, when it differs from the file name. */
  title?: string;
  /** Set when the file is not a valid graph document. */
  error?: string;
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a template name (letters, digits, `.`, `_`, `-`; no leading dot) and drops a `.json` suffix.
 * @example templateName('mask-overlay.json') // 'mask-overlay'
 */
export function templateName(raw: string): string {
  const name = raw.endsWith('.json') ? raw.slice(0, -'.json'.length) : raw;
  if (!NAME.test(name) || name.includes('..')) {
    throw new BadRequestError(`template name ${JSON.stringify(raw)} is not allowed: use letters, digits, ".", "_" and "-" (not starting with ".", at most 128)`);
  }
  return name;
}

/**
 * @example const store = new TemplateStore('graphs', 'data/graphs'); await store.list();
 */
export class TemplateStore {
  constructor(
    readonly shippedDir: string,
    readonly userDir: string,
  ) {}

  /** Every template, user ones shadowing shipped ones, sorted by name. */
  async list(): Promise<TemplateInfo[]> {
    const byName = new Map<string, TemplateInfo>();
    for (const source of ['shipped', 'user'] as const) {
      for (const name of await this.names(source)) byName.set(name, await this.info(source, name));
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One template's document and where it comes from. */
  async get(rawName: string): Promise<{ doc: GraphDocument; source: TemplateSource }> {
    const name = templateName(rawName);
    for (const source of ['user', 'shipped'] as const) {
      const text = await readFile(this.file(source, name), 'utf8').catch(() => undefined);
      if (text !== undefined) return { doc: parseGraph(text, `template "${name}"`), source };
    }
    throw new NotFoundError(`no template named "${name}"`);
  }

  /** Saves a user template (checked as a graph document); `created` is false when it replaced one. */
  async save(rawName: string, body: unknown): Promise<{ name: string; created: boolean }> {
    const name = templateName(rawName);
    const doc = parseGraph(body, `template "${name}"`);
    await mkdir(this.userDir, { recursive: true });
    const file = this.file('user', name);
    const created = !(await this.names('user')).includes(name);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temp, `${JSON.stringify(doc, null, 2)}\n`);
    await rename(temp, file);
    return { name, created };
  }

  /** Deletes a user template; `shadowed` says a shipped template of that name shows again. */
  async delete(rawName: string): Promise<{ name: string; shadowed: boolean }> {
    const name = templateName(rawName);
    const user = (await this.names('user')).includes(name);
    const shipped = (await this.names('shipped')).includes(name);
    if (!user) {
      if (shipped) throw new ForbiddenError(`"${name}" is a shipped template and cannot be deleted; save a template of the same name to override it`);
      throw new NotFoundError(`no template named "${name}"`);
    }
    await rm(this.file('user', name));
    return { name, shadowed: shipped };
  }

  private file(source: TemplateSource, name: string): string {
    return join(source === 'user' ? this.userDir : this.shippedDir, `${name}.json`);
  }

  private async names(source: TemplateSource): Promise<string[]> {
    const dir = source === 'user' ? this.userDir : this.shippedDir;
    const files = await readdir(dir).catch(() => [] as string[]);
    return files.filter((f) => f.endsWith('.json') && NAME.test(f.slice(0, -5))).map((f) => f.slice(0, -5));
  }

  private async info(source: TemplateSource, name: string): Promise<TemplateInfo> {
    try {
      const doc = parseGraph(await readFile(this.file(source, name), 'utf8'), `template "${name}"`);
      const title = typeof doc.name === 'string' && doc.name !== name ? { title: doc.name } : {};
      return { name, description: doc.description ?? '', source, ...title };
    } catch (error) {
      return { name, description: '', source, error: (error as Error).message };
    }
  }
}
