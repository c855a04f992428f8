/**
 * The LayerLab lesson document (format "layerlab-lesson", version 1; see docs/lesson-format.md).
 * Pure types: no DOM, no tfjs.
 */
import type { Analysis } from '../graph/analyze';
import type { GraphDoc } from '../graph/types';

export const LESSON_FORMAT = 'layerlab-lesson';
export const LESSON_VERSION = 1;

/** Bounds that keep a hostile or broken lesson file from exhausting memory or time (parse.ts, markdown.ts). */
export const LESSON_LIMITS = {
  /** Characters of one lesson file (its step graphs included). */
  maxFileBytes: 20 * 1024 * 1024,
  /** JSON nesting: a graph's own limit plus the lesson levels around it. */
  maxDepth: 40,
  maxIdLength: 64,
  maxTitleLength: 200,
  maxSummaryLength: 5000,
  /** Characters of one step's markdown text; longer texts are cut with a note. */
  maxTextLength: 128 * 1024,
  maxSteps: 100,
  maxGoalsPerStep: 50,
  maxLabelLength: 300,
  /** Longest string in a goal (node type, dataset, transform). */
  maxGoalStringLength: 64,
} as const;

export interface Lesson {
  format: typeof LESSON_FORMAT;
  version: 1;
  /** Letters, digits, _ and - (progress is stored under it). */
  id: string;
  title: string;
  /** One paragraph, plain text. */
  summary: string;
  steps: LessonStep[];
}

export interface LessonStep {
  id: string;
  title: string;
  /** Small markdown (see markdown.ts); never HTML. */
  text: string;
  /** Optional starting graph: a whole graph document (parsed with src/graph/parse.ts parseGraph, same validation as a file) or a preset id ("lenet5"). */
  graph?: GraphDoc;
  preset?: string;
  goals: Goal[];
  /** Optional: the instructor's solution graph for this step (not shown to learners by default; tests check that it meets every graph goal). */
  solution?: GraphDoc;
}

export type Goal = (
  /** The graph has ≥ min (default 1) nodes of this type. */
  | { kind: 'nodeType'; type: string; min?: number }
  /** An add node whose operands come from paths that branch (a real skip). */
  | { kind: 'skipConnection' }
  /** Total parameters ≤ max. */
  | { kind: 'maxParams'; max: number }
  | { kind: 'minParams'; min: number }
  /** The output node's shape without batch, e.g. [10]. */
  | { kind: 'outputShape'; shape: number[] }
  /** A node of `type` downstream of a node of type `after`. */
  | { kind: 'nodeAfter'; type: string; after: string }
  /** The graph compiles (no error diagnostics). */
  | { kind: 'noErrors' }
  /** Test accuracy ≥ min (0..1) on `dataset`, trained for at most maxEpochs epochs. */
  | { kind: 'testAccuracy'; min: number; dataset: string; maxEpochs?: number }
  /** A lab was used, e.g. a rotation sweep was run. */
  | { kind: 'lab'; event: LabEventKind; transform?: string }
  /** A kernel with this behaviour was built in the kernel lab. */
  | { kind: 'kernel'; behaviour: KernelBehaviour }
) & { label?: string };

export type GoalKind = Goal['kind'];
export type LabEventKind = 'sweep' | 'kernel' | 'explain' | 'receptiveField' | 'camera';
export type KernelBehaviour = 'blur' | 'sharpen' | 'edges' | 'verticalEdges' | 'horizontalEdges' | 'identity';

export const GOAL_KINDS: readonly GoalKind[] = ['nodeType', 'skipConnection', 'maxParams', 'minParams', 'outputShape', 'nodeAfter', 'noErrors', 'testAccuracy', 'lab', 'kernel'];
export const LAB_EVENT_KINDS: readonly LabEventKind[] = ['sweep', 'kernel', 'explain', 'receptiveField', 'camera'];
export const KERNEL_BEHAVIOURS: readonly KernelBehaviour[] = ['blur', 'sharpen', 'edges', 'verticalEdges', 'horizontalEdges', 'identity'];

export interface LabEvent {
  kind: LabEventKind;
  transform?: string;
  kernel?: number[][];
  at: number;
}

/** What the goals are checked against. */
export interface GoalContext {
  doc: GraphDoc;
  /** analyzeGraph(doc) */
  analysis: Analysis;
  /** Finished training runs in this browser session (or the model given on the command line). */
  runs: { dataset: string; epochs: number; testAccuracy?: number; graphHash?: string }[];
  labs: LabEvent[];
}

export type GoalStatus = { state: 'met' | 'unmet' | 'unchecked'; label: string; detail: string };
