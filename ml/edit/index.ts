/**
 * ml/edit: multi-turn in-context editing with the DiT — editing model folders (DiT + VAE + text encoder),
 * the method's prompt templates, and InContextSession, which samples a session turn by turn with
 * classifier-free guidance and, under block-causal attention, a context cache of earlier turns' keys and
 * values (so turn k does not recompute turns before it; the reference recomputes the whole session).
 *
 * @example
 * import { ensureTinyEditModel, loadEditModel, InContextSession, editPrompt } from '../ml/edit/index.js';
 * const model = await loadEditModel(await ensureTinyEditModel('data'));
 * const s = await InContextSession.open(model, { guidance: { scale: 7.5 }, steps: 50, shift: 12, seed: 1 });
 * const z0 = await model.vae.encode(image);
 * await s.addContext('', z0);
 * const z1 = await s.generate(editPrompt(1, 'make the cup red'), { height: z0.height, width: z0.width });
 * const edited = await model.vae.decode(z1);
 */

// Model folders
export { loadEditModel, readEditModelConfig, releaseEditModels, EDIT_MODEL_FORMAT } from './model.js';
export type { EditModel, EditModelConfig, DitSession, DitRunStats, LoadEditModelOptions } from './model.js';
export { writeTinyEditModel, ensureTinyEditModel, TINY_EDIT_DIT } from './tiny.js';
export type { TinyEditModelOptions } from './tiny.js';

// Prompts
export { editPrompt, composePrompt, storyPrompt, splitLines } from './prompt.js';

// Sampling sessions
export { InContextSession } from './session.js';
export type { InContextOptions, GenerateOptions, TurnLayout } from './session.js';
export { ContextCache } from './cache.js';
