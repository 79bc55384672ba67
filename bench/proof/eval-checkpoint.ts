/**
 * Evaluates a proof checkpoint on the held-out sessions (a development aid for the proof: how far has a run
 * got?): `node dist/bench/proof/eval-checkpoint.js PROOF_DIR/checkpoints/step-N PROOF_DIR [ema|trained]`.
 */
import { join } from 'node:path';
import { gridImages, writeImage, type RawImage } from '../../media/image/index.js';
import type { Session } from '../../media/session/index.js';
import { readShards } from '../../media/shards/index.js';
import { loadEditModel, releaseEditModels } from '../../ml/edit/index.js';
import { exportCheckpoint } from '../../ml/train/export-checkpoint.js';
import { fitSession } from '../../nodes/train/sources.js';
import { copySourceError, evaluateEdits } from './evaluate.js';

const [checkpoint, dir, which = 'ema'] = process.argv.slice(2);
if (!checkpoint || !dir) throw new Error('usage: eval-checkpoint.js CHECKPOINT PROOF_DIR [ema|trained]');
const held: Session[] = [];
for await (const s of readShards({ dir: join(dir, 'held-out') })) held.push(await fitSession(s, Number(process.env.PROOF_SIDE ?? 32), Number(process.env.PROOF_SIDE ?? 32)));
const folder = await exportCheckpoint(checkpoint, join(dir, `eval-${which}`), which as 'ema' | 'trained');
const model = await loadEditModel(folder, { device: 'cpu' });
const steps = Number(process.env.EVAL_STEPS ?? 20);
for (const guidance of (process.env.EVAL_GUIDANCE ?? '1,3').split(',').map(Number)) {
  const r = await evaluateEdits(model, held, { steps, guidance, seed: 7 });
  const rows: RawImage[] = [];
  for (let i = 0; i < 8; i++) rows.push(held[i]!.frames[0]!, held[i]!.frames[1]!, r.images[i]!);
  await writeImage(gridImages(rows, { columns: 3, padding: 2 }), join(dir, `eval-${which}-g${guidance}.png`));
  console.log(`${checkpoint} (${which}, ${steps} steps, guidance ${guidance}): held-out masked L1 ${r.mean.toFixed(4)}; copy-the-source ${copySourceError(held).mean.toFixed(4)}`);
}
await releaseEditModels();
