/**
 * Validated graph -> tf.LayersModel through the functional API. Layer names equal node ids,
 * so weights, activations and errors map back to nodes. Alongside the model comes a probe
 * model that shares its weights and outputs every node's tensor (for feature maps).
 */
import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../../nodes/shape';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import type { Diagnostic, GraphDoc } from '../graph/types';

export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
    this.name = 'CompileError';
  }
}

export interface CompiledGraph {
  model: tf.LayersModel;
  /** Same weights as `model`; output i is the tensor of node `probeIds[i]`. */
  probe: tf.LayersModel;
  probeIds: string[];
  analysis: Analysis;
}

function compileError(nodeId: string, message: string): CompileError {
  return new CompileError([{ code: 'compile', severity: 'error', nodeId, nodeIds: [nodeId], message: `${nodeId}: ${message}` }]);
}

export function compileGraph(doc: GraphDoc, analysis: Analysis = analyzeGraph(doc)): CompiledGraph {
  if (!analysis.ok || !analysis.inputId || !analysis.outputId) {
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
    throw new CompileError(errors.length ? errors : [{ code: 'compile', severity: 'error', nodeIds: [], message: 'The graph is not complete.' }]);
  }
  const tensors = new Map<string, tf.SymbolicTensor>();
  for (const id of analysis.order) {
    const n = analysis.nodes.get(id)!;
    const def = n.def!;
    let out: tf.SymbolicTensor;
    try {
      if (def.role === 'input') {
        out = def.buildInput(tf, n.params as never, id);
      } else {
        const inputs = n.sources.map((s) => tensors.get(s!)!);
        const layer = def.build(tf, n.params as never, id, inputs.map((t) => t.shape.slice(1) as number[]));
        out = layer.apply(def.role === 'merge' ? inputs : inputs[0]!) as tf.SymbolicTensor;
      }
    } catch (e) {
      throw compileError(id, `TensorFlow.js could not build this layer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const expected = [null, ...n.outputShape!];
    if (out.shape.length !== expected.length || out.shape.some((d, i) => d !== expected[i])) {
      throw compileError(id, `TensorFlow.js gives shape ${formatShape(out.shape.slice(1) as number[])} where LayerLab inferred ${formatShape(n.outputShape)}.`);
    }
    tensors.set(id, out);
  }
  const input = tensors.get(analysis.inputId)!;
  const model = tf.model({ inputs: input, outputs: tensors.get(analysis.outputId)!, name: 'layerlab' });
  const probeIds = [...analysis.order];
  const probe = tf.model({ inputs: input, outputs: probeIds.map((id) => tensors.get(id)!), name: 'layerlab_probe' });
  return { model, probe, probeIds, analysis };
}
