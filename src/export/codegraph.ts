/**
 * The graph as the code exporters walk it: checked, in topological order, each node with its
 * definition, resolved params, shapes and a Python name. Pure TypeScript.
 */
import { pyFloat, pyNum, pyStr } from '../../nodes/codegen';
import type { ExportContext, NodeDef } from '../../nodes/types';
import { analyzeGraph, type Analysis } from '../graph/analyze';
import { expandBlocks } from '../graph/blocks';
import { LR_SCHEDULES, OPTIMIZER_SPECS, OPTIMIZERS, resolveTrainingSettings, TRAINING_SETTINGS, type ResolvedTrainingSettings } from '../graph/training-settings';
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
export function codeGraph(graph: GraphDoc, what: string, reserved: readonly string[] = []): CodeGraph {
  // Blocks are exported as the nodes inside them (ids "instance/inner").
  const doc = expandBlocks(graph);
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
    const py = spec.kind === 'enum' ? pyStr(v as string) : spec.kind === 'boolean' ? (v ? 'True' : 'False') : spec.kind === 'int' ? pyNum(v as number) : pyFloat(v as number);
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
  if (framework === 'keras') {
    // Keras 3 optimizers take a decoupled weight_decay (w -= lr * weight_decay * w each step; Adam becomes AdamW).
    const lines = ['def make_optimizer(name, learning_rate, weight_decay=0.0):', `    """${doc} weight_decay is decoupled, as AdamW's."""`, '    decay = weight_decay or None'];
    for (const name of OPTIMIZERS) lines.push(`    if name == ${pyStr(name)}:`, `        return ${OPTIMIZER_SPECS[name].keras.replace(/\)$/, ', weight_decay=decay)')}`);
    lines.push("    raise SystemExit(f'unknown optimizer {name!r}')");
    return lines.join('\n');
  }
  const lines = [`def make_optimizer(${args}):`, `    """${doc}"""`];
  for (const name of OPTIMIZERS) lines.push(`    if name == ${pyStr(name)}:`, `        return ${OPTIMIZER_SPECS[name][framework]}`);
  lines.push("    raise SystemExit(f'unknown optimizer {name!r}')");
  return lines.join('\n');
}

/**
 * The argparse options of the learning-rate schedule, weight decay and early stopping (4-space
 * indented lines of main()), defaulting to SETTINGS.
 */
export const PY_SCHEDULE_ARGS = `    parser.add_argument('--lr-schedule', default=SETTINGS['lr_schedule'], choices=[${LR_SCHEDULES.map(pyStr).join(', ')}],
                        help='learning-rate schedule, set once per epoch')
    parser.add_argument('--lr-factor', type=float, default=SETTINGS['lr_factor'], help='step and plateau: multiply the learning rate by this at each cut')
    parser.add_argument('--lr-step-epochs', type=int, default=SETTINGS['lr_step_epochs'], help='step: cut every N epochs')
    parser.add_argument('--lr-patience', type=int, default=SETTINGS['lr_patience'], help='plateau: cut after N epochs without a new validation-loss low')
    parser.add_argument('--min-lr', type=float, default=SETTINGS['min_learning_rate'], help='cosine: the end point; plateau: the floor')
    parser.add_argument('--weight-decay', type=float, default=SETTINGS['weight_decay'], help='decoupled weight decay, as AdamW (0: off)')
    parser.add_argument('--early-stopping', type=int, default=SETTINGS['early_stopping'],
                        help='stop after N epochs without a new validation-loss low, keeping the best epoch (0: off)')
    parser.add_argument('--keep-best-weights', action=argparse.BooleanOptionalAction, default=SETTINGS['keep_best_weights'],
                        help='end with the weights of the epoch with the lowest validation loss')`;

/**
 * PyTorch: make_scheduler, step_scheduler, decay_weights and BestEpoch, the same rules as
 * LayerLab's trainer (src/training/schedule.ts): schedules stepped once per epoch, decoupled
 * weight decay, early stopping and the best epoch on the validation loss (a new low is strictly
 * lower).
 */
export const PY_TORCH_SCHEDULE = `def make_scheduler(optimizer, args):
    """LayerLab's learning-rate schedule (stepped after every epoch), or None."""
    if args.lr_schedule == 'step':
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.lr_step_epochs, gamma=args.lr_factor)
    if args.lr_schedule == 'cosine':
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs, eta_min=args.min_lr)
    if args.lr_schedule == 'plateau':
        # LayerLab (as Keras) cuts after \`patience\` epochs without a new low; PyTorch after more
        # than \`patience\`: hence patience - 1. A new low is any lower loss (threshold 0).
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode='min', factor=args.lr_factor, patience=args.lr_patience - 1,
                                                          threshold=0, threshold_mode='abs', min_lr=args.min_lr)
    return None


def step_scheduler(scheduler, val_loss):
    """Steps the schedule after an epoch (the plateau schedule only when there is a validation loss)."""
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        if val_loss is not None:
            scheduler.step(val_loss)
    elif scheduler is not None:
        scheduler.step()


def decay_weights(parameters, lr, weight_decay):
    """Decoupled weight decay, between loss.backward() and optimizer.step(): w -= lr * weight_decay * w,
    as torch.optim.AdamW does (for every optimizer here, biases included)."""
    if weight_decay:
        with torch.no_grad():
            for p in parameters:
                p.mul_(1 - lr * weight_decay)


class BestEpoch:
    """Early stopping and the best epoch's weights, on the validation loss."""

    def __init__(self, patience, keep):
        self.patience, self.keep = patience, keep
        self.best, self.epoch, self.wait, self.state = float('inf'), 0, 0, None

    def record(self, epoch, val_loss, net):
        if val_loss < self.best:
            self.best, self.epoch, self.wait = val_loss, epoch, 0
            if self.keep:
                self.state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            self.wait += 1

    def should_stop(self):
        return self.patience > 0 and self.wait >= self.patience`;

/**
 * Keras: make_callbacks, the schedule (LearningRateScheduler, ReduceLROnPlateau) and early
 * stopping (EarlyStopping with restore_best_weights, which in Keras 3 restores the best epoch at
 * the end of training whether or not it stopped early), set up as LayerLab's trainer.
 */
/**
 * The end of each epoch in both PyTorch train.py scripts (after the epoch's line is printed): the
 * scheduler steps, the processes wait for each other, early stopping may end the loop; after it, the
 * best epoch's weights come back when kept.
 */
export const PY_TORCH_EPOCH_END = `        step_scheduler(scheduler, val_loss)
        if world_size > 1:
            dist.barrier()
        if best.should_stop() and epoch < args.epochs:
            if rank == 0:
                print(f'stopped early at epoch {epoch} (the validation loss stopped falling)', flush=True)
            break
    if best.keep and best.state is not None:
        net.load_state_dict(best.state)
        if rank == 0:
            print(f"kept epoch {best.epoch}'s weights (lowest validation loss)", flush=True)
`;

export const PY_KERAS_SCHEDULE = `def make_callbacks(args, held_out):
    """LayerLab's learning-rate schedule, early stopping and best epoch as Keras callbacks."""
    callbacks = []
    if args.lr_schedule == 'step':
        callbacks.append(keras.callbacks.LearningRateScheduler(
            lambda epoch: args.lr * args.lr_factor ** (epoch // args.lr_step_epochs)))
    elif args.lr_schedule == 'cosine':
        callbacks.append(keras.callbacks.LearningRateScheduler(
            lambda epoch: args.min_lr + (args.lr - args.min_lr) * (1 + math.cos(math.pi * epoch / args.epochs)) / 2))
    elif args.lr_schedule == 'plateau' and held_out:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor='val_loss', factor=args.lr_factor, patience=args.lr_patience,
                                                           min_delta=0, cooldown=0, min_lr=args.min_lr))
    if held_out and (args.early_stopping > 0 or args.keep_best_weights):
        # Patience = all the epochs: never stops, only goes back to the best epoch at the end.
        callbacks.append(keras.callbacks.EarlyStopping(monitor='val_loss', min_delta=0, restore_best_weights=True,
                                                       patience=args.early_stopping if args.early_stopping > 0 else args.epochs))
    return callbacks`;

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
