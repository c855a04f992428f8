/**
 * The graph as the code exporters walk it: checked, in topological order, each node with its
 * definition, resolved params, shapes and a Python name. Pure TypeScript.
 */
import { pyFloat, pyNum, pyStr } from '../../nodes/codegen';
import type { ExportContext, NodeDef } from '../../nodes/types';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import { TRAINING_DEFAULTS, type GraphDoc, type TrainingSettings } from '../graph/types';
import { pythonNames } from './python';

export interface CodeNode {
  id: string;
  /** Python identifier for the node's variable (and module attribute). */
  name: string;
  def: NodeDef;
  params: Record<string, unknown>;
  ctx: ExportContext;
  /** Source node ids, in operand order. */
  sources: string[];
}

export interface CodeGraph {
  nodes: CodeNode[];
  input: CodeNode;
  output: CodeNode;
  analysis: Analysis;
}

/** Analyses the graph and throws an Error naming every problem when it cannot be exported. */
export function codeGraph(doc: GraphDoc, what: string, reserved: readonly string[] = []): CodeGraph {
  const analysis = analyzeGraph(doc);
  if (!analysis.ok || !analysis.inputId || !analysis.outputId) {
    const errors = analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => `- ${d.message}`);
    throw new Error(`Cannot export "${doc.name}" as ${what}: the graph has errors.\n${errors.join('\n') || '- The graph is not complete.'}`);
  }
  const names = pythonNames(
    doc.nodes.map((n) => n.id),
    reserved,
  );
  const nodes = analysis.order.map((id): CodeNode => {
    const n = analysis.nodes.get(id)!;
    const sources = n.sources as string[];
    return {
      id,
      name: names.get(id)!,
      def: n.def!,
      params: n.params!,
      ctx: { id, inputs: sources.map((s) => analysis.nodes.get(s)!.outputShape!), output: n.outputShape! },
      sources,
    };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return { nodes, input: byId.get(analysis.inputId)!, output: byId.get(analysis.outputId)!, analysis };
}

/** The training settings with LayerLab's defaults (TRAINING_DEFAULTS) filled in. */
export interface ResolvedTraining {
  dataset: NonNullable<TrainingSettings['dataset']>;
  optimizer: NonNullable<TrainingSettings['optimizer']>;
  learningRate: number;
  batchSize: number;
  epochs: number;
  validationSplit: number;
  seed: number;
  augmentation?: TrainingSettings['augmentation'];
}

export function resolveTraining(doc: GraphDoc): ResolvedTraining {
  const t = doc.training ?? {};
  return {
    dataset: t.dataset ?? 'mnist',
    optimizer: t.optimizer ?? TRAINING_DEFAULTS.optimizer,
    learningRate: t.learningRate ?? TRAINING_DEFAULTS.learningRate,
    batchSize: t.batchSize ?? TRAINING_DEFAULTS.batchSize,
    epochs: t.epochs ?? TRAINING_DEFAULTS.epochs,
    validationSplit: t.validationSplit ?? TRAINING_DEFAULTS.validationSplit,
    seed: t.seed ?? TRAINING_DEFAULTS.seed,
    augmentation: t.augmentation,
  };
}

/**
 * The generated scripts' SETTINGS dictionary (Python), from the graph's training settings: the
 * defaults that the scripts' command-line options override.
 */
export function pythonSettings(t: ResolvedTraining, withDataset: boolean): string {
  return [
    '# The training settings of the LayerLab graph (the command-line options override them).',
    'SETTINGS = {',
    ...(withDataset ? [`    'dataset': ${pyStr(t.dataset)},`] : []),
    `    'optimizer': ${pyStr(t.optimizer)},`,
    `    'learning_rate': ${pyFloat(t.learningRate)},`,
    `    'batch_size': ${pyNum(t.batchSize)},`,
    `    'epochs': ${pyNum(t.epochs)},`,
    `    'validation_split': ${pyFloat(t.validationSplit)},`,
    `    'seed': ${pyNum(t.seed)},`,
    '}',
  ].join('\n');
}

/** "shift 0.1, flip" — the augmentation that is switched on, or '' when none. */
export function augmentationText(a: TrainingSettings['augmentation']): string {
  if (!a) return '';
  const on = [
    a.shift ? `shift ${a.shift}` : '',
    a.rotation ? `rotation ${a.rotation}` : '',
    a.zoom ? `zoom ${a.zoom}` : '',
    a.brightness ? `brightness ${a.brightness}` : '',
    a.flip ? 'flip' : '',
  ].filter(Boolean);
  return on.join(', ');
}
