/** All models gradflow knows by name (scipy's METHODS table, for models). */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { inputError } from '../util/errors.js';
import { loadModelFile } from '../modelfile/system.js';
import { bundledExamples, resolveModelPath } from '../modelfile/locate.js';
import { chenLuo } from './chen-luo/model.js';
import { deepLinear } from './deep-linear/model.js';
import { gong } from './gong/model.js';
import { twoLayerRelu } from './two-layer-relu/model.js';
import { yang } from './yang/model.js';
import { modelFromSpec } from './from-model-file.js';
import type { Model } from './types.js';

export const MODELS: ReadonlyMap<string, Model> = new Map<string, Model>([[deepLinear.id, deepLinear], [twoLayerRelu.id, twoLayerRelu], [chenLuo.id, chenLuo], [yang.id, yang], [gong.id, gong]]);

/** A registered model by id, or a model file (path or bundled example name). */
export function findModel(name: string): Model {
  const m = MODELS.get(name);
  if (m) return m;
  if (existsSync(name) || bundledExamples().includes(name)) {
    const path = resolveModelPath(name);
    return modelFromSpec(loadModelFile(path), basename(path, '.json'));
  }
  throw inputError(`unknown model '${name}'. Models: ${[...MODELS.keys()].join(', ')}; model files: a path to .json or a bundled example (${bundledExamples().join(', ')}).`);
}
