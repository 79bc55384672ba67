/**
 * LiteGraph's globals that its hand-written types leave out, typed once here.
 */
import { LiteGraph } from 'litegraph.js';

/** LiteGraph constants and switches used by the editor. */
export const LG = LiteGraph as typeof LiteGraph & {
  WIDGET_BGCOLOR: string;
  WIDGET_OUTLINE_COLOR: string;
  WIDGET_TEXT_COLOR: string;
  WIDGET_SECONDARY_TEXT_COLOR: string;
  pointerevents_method: string;
  release_link_on_empty_shows_menu: boolean;
  isValidConnection: (a: unknown, b: unknown) => boolean;
  LGraphGroup: new (title?: string) => { configure(o: unknown): void };
};
