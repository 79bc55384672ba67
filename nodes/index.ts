/**
 * Every built-in node pack. Registries are data: add a pack here and every face (CLI, server, editor) has it.
 * @example const registry = builtinRegistry(); registry.get('image/load');
 */
import { NodeRegistry, type NodePack } from '../engine/index.js';
import { corePack } from './core/index.js';
import { imagePack } from './image/index.js';
import { videoPack } from './video/index.js';
import { maskPack } from './mask/index.js';
import { sessionPack } from './session/index.js';
import { datasetPack } from './dataset/index.js';
import { visionPack } from './vision/index.js';
import { ditPack } from './dit/index.js';
import { trainPack } from './train/index.js';

/** The packs shipped with cinegraph, in catalog order. */
export const builtinPacks: readonly NodePack[] = [corePack, imagePack, videoPack, maskPack, sessionPack, datasetPack, visionPack, ditPack, trainPack];

/** A registry holding every built-in pack (plus any extra packs given). */
export function builtinRegistry(extra: readonly NodePack[] = []): NodeRegistry {
  const registry = new NodeRegistry();
  // A pack given again as an extra (the same object) is registered once.
  for (const pack of new Set([...builtinPacks, ...extra])) registry.addPack(pack);
  return registry;
}
