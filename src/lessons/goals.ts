/**
 * Checking a lesson step's goals against a graph, its training runs and the labs used. Pure:
 * no DOM, no tfjs; the editor re-checks after every change and `layerlab lesson check` runs
 * the same code. docs/lesson-format.md describes every goal kind.
 */
import { formatShape } from '../../nodes/shape';
import { getNodeDef } from '../../nodes/registry';
import type { Analysis } from '../graph/analyze';
import { TRAINING_SETTINGS } from '../graph/training-settings';
import type { Goal, GoalContext, GoalStatus, KernelBehaviour, LabEventKind, LessonStep } from './types';

const fmt = (n: number) => n.toLocaleString('en-US');
const percent = (x: number) => `${(Math.round(x * 1000) / 10).toString()}%`;

function typeTitle(type: string): string {
  return getNodeDef(type)?.title ?? type;
}

/** "a Dense node", "an Input node". */
function aType(type: string): string {
  const t = typeTitle(type);
  return `${/^[AEIOU]/i.test(t) ? 'an' : 'a'} ${t}`;
}

function datasetTitle(dataset: string): string {
  const labels = TRAINING_SETTINGS.dataset.optionLabels as Record<string, string>;
  return labels[dataset] ?? dataset;
}

const LAB_TEXT: Record<LabEventKind, string> = {
  sweep: 'Run an invariance sweep',
  kernel: 'Try a kernel in the kernel lab',
  explain: 'Ask the network to explain a prediction',
  receptiveField: 'Look at a receptive field',
  camera: 'Classify a camera picture',
};

const KERNEL_TEXT: Record<KernelBehaviour, string> = {
  blur: 'a blur kernel',
  sharpen: 'a sharpening kernel',
  edges: 'an edge-detecting kernel',
  verticalEdges: 'a kernel that finds vertical edges',
  horizontalEdges: 'a kernel that finds horizontal edges',
  identity: 'a kernel that leaves the image unchanged',
};

/** The text shown for a goal: its own label, or one generated from it. */
export function goalLabel(goal: Goal): string {
  if (goal.label) return goal.label;
  switch (goal.kind) {
    case 'nodeType': {
      const min = goal.min ?? 1;
      return min === 1 ? `Use ${aType(goal.type)} node` : `Use at least ${fmt(min)} ${typeTitle(goal.type)} nodes`;
    }
    case 'skipConnection':
      return 'Add a skip connection (an Add node that joins a shortcut to the main path)';
    case 'maxParams':
      return `Keep the network at ${fmt(goal.max)} parameters or fewer`;
    case 'minParams':
      return `Give the network at least ${fmt(goal.min)} parameters`;
    case 'outputShape':
      return `Make the output ${formatShape(goal.shape)}`;
    case 'nodeAfter':
      return `Put ${aType(goal.type)} node after ${aType(goal.after)} node`;
    case 'noErrors':
      return 'Fix every error so the network can be built';
    case 'testAccuracy':
      return `Reach ${percent(goal.min)} test accuracy on ${datasetTitle(goal.dataset)}${goal.maxEpochs !== undefined ? ` within ${fmt(goal.maxEpochs)} epoch${goal.maxEpochs === 1 ? '' : 's'}` : ''}`;
    case 'lab':
      return goal.transform ? `${LAB_TEXT[goal.event]} (${goal.transform})` : LAB_TEXT[goal.event];
    case 'kernel':
      return `Build ${KERNEL_TEXT[goal.behaviour]} in the kernel lab`;
    default:
      // Not reachable for a parsed lesson; kept so a bad value never crashes a view.
      return `Unknown goal ${JSON.stringify((goal as { kind?: unknown }).kind)}`;
  }
}

function status(goal: Goal, state: GoalStatus['state'], detail: string): GoalStatus {
  return { state, label: goalLabel(goal), detail };
}

/** Nodes of `type` in the graph, in file order. */
function nodesOfType(a: Analysis, type: string): string[] {
  return [...a.nodes.values()].filter((n) => n.type === type).map((n) => n.id);
}

/** Every node reachable from `start` through one or more wires. */
function downstream(a: Analysis, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(a.nodes.get(start)?.targets ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(a.nodes.get(id)?.targets ?? []));
  }
  return seen;
}

/**
 * Depth of every node in topological order: the number of wires on the longest path from a
 * node without inputs. Nodes caught in a cycle get none.
 */
function depths(a: Analysis): Map<string, number> {
  const depth = new Map<string, number>();
  for (const id of a.order) {
    const n = a.nodes.get(id)!;
    let d = 0;
    for (const s of n.incoming) d = Math.max(d, (depth.get(s) ?? 0) + 1);
    depth.set(id, d);
  }
  return depth;
}

/**
 * The add nodes that join a real skip connection: two of their operands are different nodes at
 * different depths (the longest chain of wires from the input differs), so one operand's path
 * skips layers the other goes through. `add(x, x)` (the same node twice) and two equally deep
 * parallel branches summed do not count. Returns [add, shortcut operand, longer operand].
 */
export function skipConnections(a: Analysis): [string, string, string][] {
  const depth = depths(a);
  const found: [string, string, string][] = [];
  for (const n of a.nodes.values()) {
    if (n.type !== 'add') continue;
    const ops = [...new Set(n.sources.filter((s): s is string => s !== undefined && depth.has(s)))];
    let best: [string, string] | undefined;
    for (const x of ops) {
      for (const y of ops) {
        if (depth.get(x)! < depth.get(y)! && (!best || depth.get(y)! - depth.get(x)! > depth.get(best[1])! - depth.get(best[0])!)) best = [x, y];
      }
    }
    if (best) found.push([n.id, best[0], best[1]]);
  }
  return found;
}

function graphGoal(goal: Goal, ctx: GoalContext): GoalStatus {
  const a = ctx.analysis;
  switch (goal.kind) {
    case 'nodeType': {
      const min = goal.min ?? 1;
      const ids = nodesOfType(a, goal.type);
      const list = ids.length ? `: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}` : '';
      return status(goal, ids.length >= min ? 'met' : 'unmet', `${fmt(ids.length)} ${typeTitle(goal.type)} node${ids.length === 1 ? '' : 's'}${list}${ids.length >= min ? '' : ` (${fmt(min)} needed)`}.`);
    }
    case 'skipConnection': {
      const skips = skipConnections(a);
      if (skips.length) {
        const [add, short, long] = skips[0]!;
        return status(goal, 'met', `"${add}" adds "${short}" (the shortcut) to "${long}"${skips.length > 1 ? ` (and ${skips.length - 1} more)` : ''}.`);
      }
      const adds = nodesOfType(a, 'add');
      return status(
        goal,
        'unmet',
        adds.length
          ? `No Add node joins a shortcut: each one adds inputs that went through equally many layers (or the same input twice).`
          : 'The graph has no Add node.',
      );
    }
    case 'maxParams':
    case 'minParams': {
      if (!a.totals.complete) return status(goal, 'unmet', 'The parameter count is unknown until every shape in the graph can be worked out.');
      const p = a.totals.params;
      const met = goal.kind === 'maxParams' ? p <= goal.max : p >= goal.min;
      return status(goal, met ? 'met' : 'unmet', `The network has ${fmt(p)} parameters.`);
    }
    case 'outputShape': {
      const out = a.outputId === undefined ? undefined : a.nodes.get(a.outputId);
      if (!out) return status(goal, 'unmet', 'The graph has no single output node.');
      if (!out.outputShape) return status(goal, 'unmet', `The shape of the output "${out.id}" is unknown (see the errors in the graph).`);
      const same = out.outputShape.length === goal.shape.length && out.outputShape.every((d, i) => d === goal.shape[i]);
      return status(goal, same ? 'met' : 'unmet', `The output "${out.id}" is ${formatShape(out.outputShape)}.`);
    }
    case 'nodeAfter': {
      const befores = nodesOfType(a, goal.after);
      if (!befores.length) return status(goal, 'unmet', `The graph has no ${typeTitle(goal.after)} node.`);
      for (const b of befores) {
        const hit = [...downstream(a, b)].find((id) => a.nodes.get(id)?.type === goal.type);
        if (hit) return status(goal, 'met', `"${hit}" comes after "${b}".`);
      }
      return status(goal, 'unmet', `No ${typeTitle(goal.type)} node comes after ${befores.map((b) => `"${b}"`).join(', ')}.`);
    }
    case 'noErrors': {
      const errors = a.diagnostics.filter((d) => d.severity === 'error');
      if (a.ok) return status(goal, 'met', 'The network has no errors.');
      return status(goal, 'unmet', errors.length ? `${fmt(errors.length)} error${errors.length === 1 ? '' : 's'}; the first: ${errors[0]!.message}` : 'The network has errors.');
    }
    default:
      return status(goal, 'unchecked', 'LayerLab does not know this kind of goal.');
  }
}

/**
 * One goal's state. 'unchecked' means there is nothing yet to check it against: no training run
 * at all for a testAccuracy goal, no lab event of the kind for a lab or kernel goal (always so
 * on the command line, which cannot see labs).
 */
export function checkGoal(goal: Goal, ctx: GoalContext): GoalStatus {
  switch (goal.kind) {
    case 'testAccuracy': {
      if (!ctx.runs.length) return status(goal, 'unchecked', 'No training run yet.');
      const runs = ctx.runs.filter((r) => r.dataset === goal.dataset);
      if (!runs.length) {
        const other = [...new Set(ctx.runs.map((r) => datasetTitle(r.dataset)))].join(', ');
        return status(goal, 'unmet', `No run on ${datasetTitle(goal.dataset)} yet (runs so far: ${other}).`);
      }
      const withinEpochs = runs.filter((r) => goal.maxEpochs === undefined || r.epochs <= goal.maxEpochs);
      const scored = withinEpochs.filter((r) => r.testAccuracy !== undefined && Number.isFinite(r.testAccuracy));
      const best = scored.reduce<(typeof scored)[number] | undefined>((b, r) => (!b || r.testAccuracy! > b.testAccuracy! ? r : b), undefined);
      if (best && best.testAccuracy! >= goal.min) {
        return status(goal, 'met', `${percent(best.testAccuracy!)} test accuracy after ${fmt(best.epochs)} epoch${best.epochs === 1 ? '' : 's'}.`);
      }
      if (best) return status(goal, 'unmet', `Best so far: ${percent(best.testAccuracy!)} test accuracy after ${fmt(best.epochs)} epoch${best.epochs === 1 ? '' : 's'}.`);
      if (!withinEpochs.length) return status(goal, 'unmet', `Every run on ${datasetTitle(goal.dataset)} took more than ${fmt(goal.maxEpochs!)} epochs.`);
      return status(goal, 'unmet', 'No test accuracy was measured for the runs so far.');
    }
    case 'lab': {
      const events = ctx.labs.filter((e) => e.kind === goal.event);
      if (!events.length) return status(goal, 'unchecked', 'Not done yet.');
      if (goal.transform === undefined || events.some((e) => e.transform === goal.transform)) return status(goal, 'met', 'Done.');
      const seen = [...new Set(events.map((e) => e.transform).filter((t) => t !== undefined))].join(', ');
      return status(goal, 'unmet', `Done, but not with ${goal.transform}${seen ? ` (so far: ${seen})` : ''}.`);
    }
    case 'kernel': {
      const kernels = ctx.labs.filter((e) => e.kind === 'kernel' && Array.isArray(e.kernel) && e.kernel.length);
      if (!kernels.length) return status(goal, 'unchecked', 'No kernel built yet.');
      if (kernels.some((e) => kernelBehaviour(e.kernel!).includes(goal.behaviour))) return status(goal, 'met', 'Done.');
      const last = kernelBehaviour(kernels[kernels.length - 1]!.kernel!);
      return status(goal, 'unmet', last.length ? `The last kernel is ${last.map((b) => KERNEL_TEXT[b]).join(' and ')}.` : 'The last kernel has none of the known behaviours.');
    }
    default:
      return graphGoal(goal, ctx);
  }
}

export function checkStep(step: LessonStep, ctx: GoalContext): GoalStatus[] {
  return step.goals.map((g) => checkGoal(g, ctx));
}

// ---------------------------------------------------------------------------------------------
// Kernels

/**
 * Thresholds of kernelBehaviour, relative to the kernel's total absolute weight n = Σ|k|.
 * Each is a statement about what the kernel does to an image (docs/lesson-format.md):
 */
export const KERNEL_THRESHOLDS = {
  /** |response to a flat image| ≤ flat·n: flat regions go dark (edge detectors). */
  flat: 0.05,
  /** Largest |response to a unit step edge| ≥ edge·n: the kernel sees edges. */
  edge: 0.1,
  /** A directional edge kernel's response across the other direction is at most this share of its own. */
  direction: 0.25,
  /** Blur: noise variance is multiplied by at most this (Σk² / (Σk)²). */
  blurVariance: 0.75,
  /** Blur: the most negative weight allowed (as a share of n): rounding, not a design. */
  negative: 0.01,
  /** Sharpen / identity tolerances. */
  tolerance: 0.05,
} as const;

/**
 * Largest |response| of `k` (cross-correlation, as conv layers compute) to a unit step that runs
 * along the kernel's columns (a vertical edge: dark left, bright right) or its rows, over every
 * position of the edge under the kernel: max over t of |Σ_{j≥t} colSum[j]|.
 */
function stepResponse(sums: number[]): { max: number; min: number } {
  let max = 0;
  let min = 0;
  let tail = 0;
  for (let t = sums.length - 1; t >= 0; t--) {
    tail += sums[t]!;
    max = Math.max(max, tail);
    min = Math.min(min, tail);
  }
  return { max, min };
}

/** Every behaviour a kernel shows (see KERNEL_THRESHOLDS and docs/lesson-format.md). */
export function kernelBehaviour(k: number[][]): KernelBehaviour[] {
  const T = KERNEL_THRESHOLDS;
  const rows = k.length;
  const cols = rows ? k[0]!.length : 0;
  if (!rows || !cols || k.some((r) => !Array.isArray(r) || r.length !== cols || r.some((v) => typeof v !== 'number' || !Number.isFinite(v)))) return [];
  let n = 0;
  let sum = 0;
  let sq = 0;
  let minW = Infinity;
  let maxAbs = 0;
  const colSum = new Array<number>(cols).fill(0);
  const rowSum = new Array<number>(rows).fill(0);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = k[i]![j]!;
      n += Math.abs(v);
      sum += v;
      sq += v * v;
      minW = Math.min(minW, v);
      maxAbs = Math.max(maxAbs, Math.abs(v));
      colSum[j]! += v;
      rowSum[i]! += v;
    }
  }
  if (n === 0) return [];
  const out: KernelBehaviour[] = [];
  const centre = rows % 2 === 1 && cols % 2 === 1 ? k[(rows - 1) / 2]![(cols - 1) / 2]! : undefined;
  const v = stepResponse(colSum);
  const h = stepResponse(rowSum);
  const vMax = Math.max(v.max, -v.min);
  const hMax = Math.max(h.max, -h.min);
  // Identity: the centre is 1 and everything else (nearly) 0.
  if (centre !== undefined && Math.abs(centre - 1) <= T.tolerance && n - Math.abs(centre) <= T.tolerance) out.push('identity');
  // Blur: no negative weights, and averaging lowers the variance of noise.
  if (minW >= -T.negative * n && sum > 0 && sq / (sum * sum) <= T.blurVariance) out.push('blur');
  // Sharpen: keeps flat brightness, centre the strongest weight, and overshoots at a step edge.
  if (sum > T.flat * n && centre !== undefined && centre > 0 && centre >= maxAbs && minW < 0) {
    const over = Math.max(v.max, h.max) / sum > 1 + T.tolerance || Math.min(v.min, h.min) / sum < -T.tolerance;
    if (over) out.push('sharpen');
  }
  // Edges: flat regions go (nearly) dark, a step edge does not.
  if (Math.abs(sum) <= T.flat * n && Math.max(vMax, hMax) >= T.edge * n) {
    out.push('edges');
    if (vMax >= T.edge * n && hMax <= T.direction * vMax) out.push('verticalEdges');
    if (hMax >= T.edge * n && vMax <= T.direction * hMax) out.push('horizontalEdges');
  }
  return out;
}
