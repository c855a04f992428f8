/**
 * The graph as the code exporters walk it: checked, in topological order, each node with its
 * definition, resolved params, shapes and a Python name. Pure TypeScript.
 */
import { pyFloat, pyNum, pyStr } from '../../nodes/codegen';
import type { ExportContext, NodeDef } from '../../nodes/types';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import { OPTIMIZER_SPECS, OPTIMIZERS, resolveTrainingSettings, TRAINING_SETTINGS, type ResolvedTrainingSettings } from '../graph/training-settings';
import type { GraphDoc, TrainingSettings } from '../graph/types';
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

/** The training settings with LayerLab's defaults (TRAINING_SETTINGS) filled in. */
export type ResolvedTraining = ResolvedTrainingSettings;

export function resolveTraining(doc: GraphDoc): ResolvedTraining {
  return resolveTrainingSettings(doc.training);
}

/**
 * The generated scripts' SETTINGS dictionary (Python), from the graph's training settings: the
 * defaults that the scripts' command-line options override. One entry per setting of the table
 * that has a Python name (the dataset only `withDataset`; the segmentation loss only for a
 * segmentation graph, the only scripts that read it).
 */
export function pythonSettings(t: ResolvedTraining, withDataset: boolean): string {
  const entries: string[] = [];
  for (const [key, spec] of Object.entries(TRAINING_SETTINGS)) {
    if (spec.kind === 'group' || !('python' in spec) || (key === 'dataset' && !withDataset)) continue;
    if (key === 'segmentationLoss' && t.task !== 'segmentation') continue;
    const v = t[key as keyof ResolvedTraining];
    const py = spec.kind === 'enum' ? pyStr(v as string) : spec.kind === 'int' ? pyNum(v as number) : pyFloat(v as number);
    entries.push(`    '${spec.python}': ${py},`);
  }
  return ['# The training settings of the LayerLab graph (the command-line options override them).', 'SETTINGS = {', ...entries, '}'].join('\n');
}

/** The optimizer names as a Python list, for argparse's `choices`. */
export const PY_OPTIMIZER_CHOICES = `[${OPTIMIZERS.map(pyStr).join(', ')}]`;

/**
 * `make_optimizer` of a generated script, from the optimizer table: `framework` picks the Keras
 * form (a function of `name, learning_rate`) or the PyTorch form (`name, parameters, lr`).
 */
export function pythonMakeOptimizer(framework: 'keras' | 'pytorch'): string {
  const [args, doc] =
    framework === 'keras'
      ? ['name, learning_rate', "LayerLab's optimizers, as TensorFlow.js sets them up."]
      : ['name, parameters, lr', "LayerLab's optimizers with TensorFlow.js' settings (epsilon 1e-7, RMSprop decay 0.9)."];
  const lines = [`def make_optimizer(${args}):`, `    """${doc}"""`];
  for (const name of OPTIMIZERS) lines.push(`    if name == ${pyStr(name)}:`, `        return ${OPTIMIZER_SPECS[name][framework]}`);
  lines.push("    raise SystemExit(f'unknown optimizer {name!r}')");
  return lines.join('\n');
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
